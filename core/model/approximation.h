// The approximations a forward pass applies by masking, without changing the weights: the
// AxFormer controls (DESIGN.md §1). Slicing (slicing.h) turns the same description into a
// physically smaller model that computes the same outputs.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace ax {

struct LayerApproximation {
    bool removeAttention = false;          // skip the attention sub-layer, keep its LayerNorm
    bool removeFfn = false;                // skip the FFN sub-layer, keep its LayerNorm
    std::vector<float> headMask;           // empty, or one factor per head of the layer (1 keeps, 0 removes)
    std::vector<bool> ffnGroupRemoved;     // empty, or one flag per FFN neuron group
    int hardAttentionTopK = 0;             // > 0: top-k attention in this layer (overrides the model's own k)

    bool isIdentity() const;
    bool operator==(const LayerApproximation& other) const;
    // Equal in what the attention sub-layer does (block, heads, hard attention): the same input
    // then gives the same attention output, whatever the FFN settings.
    bool sameAttention(const LayerApproximation& other) const;
    bool operator!=(const LayerApproximation& other) const { return !(*this == other); }
};

struct Approximation {
    std::vector<LayerApproximation> layers;  // empty, or one entry per layer

    static Approximation none(int layerCount) { return {std::vector<LayerApproximation>(static_cast<size_t>(layerCount))}; }
    const LayerApproximation* layer(size_t index) const { return index < layers.size() ? &layers[index] : nullptr; }
};

// Neurons [begin, end) of FFN group `group` when `width` neurons are split into `groups` groups
// as evenly as possible (the first `width % groups` groups get one more neuron).
std::pair<int, int> ffnGroupRange(int width, int groups, int group);

}  // namespace ax
