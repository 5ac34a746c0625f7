// What the search's incremental evaluation (search/layer_cache.h) ran, against evaluating every
// candidate with a full val pass (docs/SEARCH.md, "Cost").
#pragma once

#include <cstdint>

namespace ax {

// What the layer cache may keep by default beyond the current layer's input and attention output.
inline constexpr int64_t kDefaultLayerCacheMemory = int64_t{2} << 30;

struct LayerWork {
    // (batch, layer) passes that full passes of every evaluated candidate need.
    int64_t naivePasses = 0;
    // (batch, layer) passes run, a partial one counted by its share of the layer's matrix-product
    // FLOPs (model/flops.h): what ran from a kept attention output, probabilities or activation.
    double passes = 0;
    // (batch, layer) steps that reused what the cache kept instead of computing it again.
    int64_t reusedAttentionOutputs = 0;  // an FFN candidate: the attention sub-layer's output
    int64_t reusedAttentionWeights = 0;  // a head candidate: the probabilities and values
    int64_t reusedFfnActivations = 0;    // an FFN group candidate: the activation before the groups
    int64_t restoredLayerInputs = 0;     // a move: a kept layer input instead of passes from below it
    int64_t reusedLayerOutputs = 0;      // a move up after an accepted candidate: its output instead of a pass

    double savedShare() const { return naivePasses > 0 ? 1.0 - passes / double(naivePasses) : 0.0; }
};

}  // namespace ax
