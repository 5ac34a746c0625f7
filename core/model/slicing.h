// Physical slicing: turns a masked approximation into a smaller model whose removed heads, FFN
// neurons and blocks are gone from the weights, so it is really faster. The sliced model computes
// what the masked one does (DESIGN.md §1 gives the equivalences).
#pragma once

#include "model/approximation.h"
#include "model/bert_model.h"

namespace ax {

// Head-mask entries must be exactly 0 or 1 (a fractional factor has no sliced equivalent).
// Hard-attention settings carry over into the layer shapes of the result.
BertModel sliceModel(BertModelImpl& model, const Approximation& approximation);

// The per-layer shapes sliceModel would produce, without touching weights.
std::vector<LayerShape> slicedShapes(const BertConfig& config, const Approximation& approximation);

}  // namespace ax
