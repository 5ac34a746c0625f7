// Model inputs for examples: token ids per example (GLUE) or per context window (SQuAD), unpadded;
// batching pads them.
#pragma once

#include "data/example.h"
#include "text/bert_tokenizer.h"

#include <cstdint>
#include <vector>

namespace ax {

struct Feature {
    std::vector<int64_t> inputIds, tokenTypeIds;   // unpadded; the attention mask is all ones
    int label = -1;            // classification gold, -1 when unlabelled
    float score = 0;           // regression gold
    size_t exampleIndex = 0;   // index of the example (SQuAD: question) it came from

    // SQuAD only.
    int startPosition = 0, endPosition = 0;   // answer token positions; 0 ([CLS]) when the answer
                                              // is not wholly inside this window or not known
    std::vector<int> tokenToContextChar;      // per token: begin byte of the context, -1 for
                                              // [CLS], question and [SEP] tokens
    std::vector<int> tokenToContextCharEnd;   // per token: end byte (exclusive), -1 likewise
    // Per token: 1 when this window gives the token the most context of all windows that hold it
    // (HF's token_is_max_context); spans are only taken from such tokens.
    std::vector<uint8_t> tokenIsMaxContext;

    int64_t length() const { return static_cast<int64_t>(inputIds.size()); }
};

// Classification/regression: [CLS] a [SEP] (b [SEP]) with the reference's longest-first
// truncation to maxLength (BertTokenizer::encode); label and score copied from the example.
std::vector<Feature> encodeExamples(const std::vector<Example>& examples, const BertTokenizer& tokenizer, int maxLength);

}  // namespace ax
