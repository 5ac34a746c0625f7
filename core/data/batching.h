// Dynamic padding and length-bucketed batches: each batch is padded only to its own longest
// feature, so short-sentence tasks don't pay for 128 tokens.
#pragma once

#include "data/features.h"

#include <cstdint>
#include <vector>

namespace ax {

struct Batch {
    std::vector<size_t> features;   // indices into the feature vector, in row order
    int64_t size = 0, length = 0;   // rows, and the longest feature's length
    // Row-major [size, length]; padding is padId / type 0 / mask 0.
    std::vector<int64_t> inputIds, tokenTypeIds, attentionMask;
    // One entry per row, always filled (use what the task needs): the feature's label (-1 when
    // unlabelled), score, and SQuAD start/end positions.
    std::vector<int64_t> labels;
    std::vector<float> scores;
    std::vector<int64_t> startPositions, endPositions;
};

// Chunks of batchSize features (the last may be smaller).
// shuffle = false: features in order, each batch padded to its own longest.
// shuffle = true (training): a seeded permutation of all features, cut into pools of 50 batches;
// each pool is sorted by length (so batches hold similar lengths and little padding) and cut into
// batches; then the order of all batches is shuffled. Deterministic for a seed on every platform.
// Throws ax::Error when batchSize < 1 or a feature is empty or inconsistent.
std::vector<Batch> makeBatches(const std::vector<Feature>& features, int batchSize, bool shuffle, uint64_t seed,
                               int64_t padId = 0);

// The pool size of the bucketing above, in batches.
constexpr size_t kBucketPoolBatches = 50;

}  // namespace ax
