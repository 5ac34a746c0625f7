// Masked-LM pretraining from a plain-text corpus (BERT's recipe without next-sentence prediction):
// lines packed into [CLS] ... [SEP] sequences, 15% of the tokens chosen for prediction (80% [MASK],
// 10% a random token, 10% unchanged), cross-entropy on the chosen positions only, and a held-out
// tail of the corpus scored with fixed masks before and after training.
#pragma once

#include "common/progress.h"
#include "model/bert_model.h"
#include "text/bert_tokenizer.h"
#include "train/optimization.h"

#include <cstdint>
#include <filesystem>
#include <random>
#include <vector>

namespace ax {

struct PretrainSettings {
    int maxSeqLength = 128;          // tokens per packed sequence, [CLS] and [SEP] included
    int batchSize = 32;
    int64_t steps = 0;               // optimiser steps; 0: epochs x batches per epoch
    int epochs = 1;
    OptimizerSettings optimizer{1e-4, 0.01, 1e-6, 0.1, 1.0};
    double maskProbability = 0.15;   // of the non-special tokens of each sequence
    double heldOutFraction = 0.05;   // the last sequences of the corpus, never trained on
    uint64_t seed = 42;              // dropout, shuffling and masking
    bool evaluateBeforeTraining = true;
};

struct PretrainReport {
    int64_t steps = 0;
    int64_t tokensSeen = 0;          // real (not padding) tokens of the training batches
    double trainLoss = 0;            // mean masked-LM loss over the last 10% of the steps
    double initialHeldOutLoss = 0;   // NaN when not evaluated (no held-out part, or not asked)
    double initialHeldOutAccuracy = 0;
    double heldOutLoss = 0;          // mean cross-entropy (nats) per masked held-out token; NaN without held-out
    double heldOutAccuracy = 0;      // argmax == original token, over the same positions
    int64_t heldOutMaskedTokens = 0;
    double seconds = 0;
    size_t sequences = 0;            // all sequences given
    size_t trainSequences = 0;
    size_t heldOutSequences = 0;
};

// Reads a UTF-8 text file line by line, tokenizes each line and packs the tokens in corpus order
// into sequences `[CLS] tokens [SEP]` of at most maxSeqLength tokens. A line goes whole into one
// sequence; only a line longer than a sequence is cut, and its last piece is then continued by the
// following lines. Blank lines (and lines that yield no tokens) are skipped. Throws ax::Error naming
// the file when it is missing, unreadable, empty or yields no tokens, and when maxSeqLength < 3.
std::vector<std::vector<int64_t>> packCorpus(const std::filesystem::path& corpus, const BertTokenizer& tokenizer,
                                             int maxSeqLength);

// Which tokens a masker leaves alone and what it may put in their place.
struct MaskingScheme {
    int64_t maskId = 0;
    int64_t padId = 0;
    std::vector<bool> special;            // by id: [PAD] [UNK] [CLS] [SEP] [MASK]; never chosen
    std::vector<int64_t> replacements;    // random substitutes: every id except those and "[...]" tokens
                                          // such as [unused0] (for BERT's uncased vocab: 999 onwards)
    static MaskingScheme fromVocab(const Vocab& vocab);
};

// Model inputs and targets for one batch, padded to its longest sequence.
struct MaskedBatch {
    torch::Tensor inputIds;       // [B, S] int64, after masking, [PAD] beyond each sequence
    torch::Tensor labels;         // [B, S] int64: the original id where a token was chosen, -100 elsewhere
    torch::Tensor attentionMask;  // [B, S] int64: 1 real token, 0 padding
    int64_t realTokens = 0;
    int64_t maskedTokens = 0;
};

// Chooses max(1, round(probability x n)) of the n non-special tokens of each sequence (none when a
// sequence has no such token), uniformly without replacement; each chosen token becomes [MASK] with
// probability 0.8, a random substitute with 0.1, and stays itself with 0.1. Draws only from `rng`
// with arithmetic of our own, so a seed gives the same masks on every platform.
MaskedBatch maskTokens(const std::vector<std::vector<int64_t>>& sequences, const MaskingScheme& scheme,
                       double probability, std::mt19937_64& rng);

// The masked-LM logits [M, V] of the positions where `select` ([B, S] bool) is true, computed from
// the encoder output [B, S, H] by the model's own head weights; the same numbers as
// forward(..., {maskedLm = true}) at those positions, without the cost of the other positions.
torch::Tensor maskedLmLogitsAt(BertModelImpl& model, const torch::Tensor& lastHidden, const torch::Tensor& select);

struct MaskedLmScore {
    double loss = 0;        // mean cross-entropy per masked token (nats)
    double accuracy = 0;
    int64_t maskedTokens = 0;
};

// Scores fixed masked batches in eval mode without gradients; restores the model's mode.
MaskedLmScore evaluateMaskedLm(BertModelImpl& model, const std::vector<MaskedBatch>& batches,
                               const CancelToken* cancel = nullptr, ProgressObserver* observer = nullptr);

// Trains `model` (which needs a masked-LM head, and vocab_size equal to the vocabulary's size) on
// the first (1 - heldOutFraction) of `sequences` with fresh masks every batch, dropout on, AdamW with
// linear warm-up and decay. Reports every step to `observer` (stage "pretrain") and checks `cancel`
// once per batch (throws ax::Cancelled). Leaves the model in eval mode.
PretrainReport pretrain(BertModelImpl& model, const std::vector<std::vector<int64_t>>& sequences, const Vocab& vocab,
                        const PretrainSettings& settings, ProgressObserver* observer = nullptr,
                        const CancelToken* cancel = nullptr);

}  // namespace ax
