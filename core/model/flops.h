// The arithmetic cost of one forward pass, counted from the layer shapes alone, so that the search,
// `axformer bench` and the Pareto front can compare approximations without running them.
//
// What is counted: 2 FLOPs per multiply-add of every matrix product forward() runs for the
// sequence-classification / question-answering path, with B = batch, S = sequence length,
// H = hidden size, d = head dimension, h = heads kept in the layer, F = FFN width of the layer:
//   attention block (when present): Q, K and V projections 3 * 2*B*S*H*(h*d), scores Q·Kᵀ
//     2*B*h*S*S*d, context P·V 2*B*h*S*S*d, output projection 2*B*S*(h*d)*H;
//   FFN block (when present): 2*B*S*H*F in and 2*B*S*F*H out;
//   pooler 2*B*H*H (first token only); classifier 2*B*H*labels; QA head 2*B*S*H*2.
// Not counted: embeddings (lookups), bias adds, LayerNorms, softmax, GELU, residual adds, scaling,
// and the masked-LM head (forward() computes it only on request; bench does not ask for it).
// A removed block costs 0. Hard top-k attention does not change the count: the dense scores and
// the dense P·V product are still computed (the top-k probabilities are scattered back into a
// dense matrix), so it is not a FLOP saving in this engine.
#pragma once

#include "io/bert_config.h"

#include <cstdint>

namespace ax {

struct ModelHeads;  // model/bert_model.h

// Matrix-product FLOPs of one encoder layer of the given shape.
int64_t layerFlops(const BertConfig& config, const LayerShape& shape, int64_t batch, int64_t sequenceLength);

// The same, by the steps the search's layer cache runs apart (BertLayerImpl::attentionWeights...).
struct LayerFlopParts {
    int64_t attentionWeights = 0;  // Q, K, V projections and Q·Kᵀ
    int64_t attentionOutput = 0;   // P·V and the output projection
    int64_t ffnActivation = 0;     // the FFN's first product
    int64_t ffnOutput = 0;         // its second
    int64_t total() const { return attentionWeights + attentionOutput + ffnActivation + ffnOutput; }
};
LayerFlopParts layerFlopParts(const BertConfig& config, const LayerShape& shape, int64_t batch, int64_t sequenceLength);

// Matrix-product FLOPs of one forward pass over config.layers plus the pooler and task heads.
int64_t forwardFlops(const BertConfig& config, const ModelHeads& heads, int64_t batch, int64_t sequenceLength);

}  // namespace ax
