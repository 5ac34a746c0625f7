// Top-k hard attention as the AxFormer method applies it, for showing beside the softmax.
#pragma once

#include <QVector>

namespace ax::widgets {

// `values` is an n x n row-major attention map (row = query). Per row, keeps the k largest
// probabilities and zeroes the rest, without renormalising, exactly as the engine does. Exactly k
// entries stay per row; among equal values at the boundary the earlier keys are kept. k <= 0 (soft
// attention) or k >= n leaves the map unchanged.
QVector<float> hardenTopK(const QVector<float>& values, int n, int k);

}  // namespace ax::widgets
