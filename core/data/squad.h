// SQuAD v1.1: the official JSON, question/context features over windows of the context, and the
// n-best span post-processing that turns start/end logits back into answer strings.
#pragma once

#include "data/example.h"
#include "data/features.h"
#include "text/bert_tokenizer.h"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace ax {

struct SquadQuestion {
    std::string id, question, context;
    std::vector<std::string> answers;   // every gold answer text, in file order
    std::vector<int> answerStarts;      // their byte offsets in context (the file's answer_start
                                        // counts code points, as Python str indices do)
    int answerStart = -1;               // byte offset of the first answer; -1 without answers
    std::string title;
};

// `fileOrFolder`: a JSON file, used as is, or a folder holding <split>.json or <split>-v1.1.json
// (squad-v1.1/dev-v1.1.json, squad-v1.1-devsplit/train.json).
// Validates the structure (data[].paragraphs[].qas[].answers[]), that ids are unique strings, that
// every answer lies inside its context; and, for split "train", that each answer's text is exactly
// the context at answer_start (other splits only grade against the texts, so a mismatch is
// allowed there, as the official script allows it). SQuAD 2.0 unanswerable questions are
// rejected. Errors name the file, the JSON path and the question id.
std::vector<SquadQuestion> loadSquad(const std::filesystem::path& fileOrFolder, const std::string& split);

// The file loadSquad reads for a folder and split (or the file itself).
std::filesystem::path squadFile(const std::filesystem::path& fileOrFolder, const std::string& split);

// One Example per question: id, textA = question, textB = context (label -1), for code that
// handles every task alike.
std::vector<Example> squadExamples(const std::vector<SquadQuestion>& questions);

// The reference run_squad.py (pytorch_pretrained_bert) features: [CLS] question [SEP] window
// [SEP], the question cut to maxQueryLength tokens, windows of at most
// maxLength - question - 3 context tokens, each starting docStride tokens after the previous
// (the old run_squad's stride is the step, not the overlap) until one reaches the context's end.
// Token types 0 up to the first [SEP], 1 after. Context tokens carry their byte span in the
// context (BertTokenizer::tokenizeWithOffsets) and whether this window is their max-context one.
// The first answer's tokens (those its bytes overlap) become start/endPosition where both lie in
// the window, else 0. Throws ax::Error when maxLength leaves no room for context or docStride < 1.
std::vector<Feature> encodeSquad(const std::vector<SquadQuestion>& questions, const BertTokenizer& tokenizer,
                                 int maxLength = 384, int docStride = 128, int maxQueryLength = 64);

// Answer strings from per-feature start/end logits (logit vectors may be padded past the
// feature's length; positions beyond it are ignored). For every question, over all its windows:
// the nBest highest start and end logits, pairs with both tokens in the context, end >= start,
// end - start + 1 <= maxAnswerLength and a max-context start token; the highest
// start + end logit wins (ties: the earlier window, then the earlier candidates). The answer is
// the original context bytes from the start token's begin to the end token's end. Questions
// without a valid span (or without features) get "". Every question has an entry.
std::map<std::string, std::string> squadAnswers(const std::vector<SquadQuestion>& questions,
                                                const std::vector<Feature>& features,
                                                const std::vector<std::vector<float>>& startLogits,
                                                const std::vector<std::vector<float>>& endLogits, int nBest = 20,
                                                int maxAnswerLength = 30);

}  // namespace ax
