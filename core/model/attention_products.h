// The two batched matrix products of self-attention (scores, then context), through oneDNN's
// matmul when no gradient is needed. LibTorch's bmm on Debian's build copies the per-head views
// into contiguous blocks and hands OpenBLAS one small product at a time, on one thread; oneDNN
// reads the heads in place from the projections' [B, S, heads*d] layout, spreads batch x heads
// over the intra-op threads and folds the scaling and the mask into the product: at BERT-Mini
// width and batch 32 the two products ran 4-5x faster (docs/BENCHMARKS.md). Training, and any
// shape or type oneDNN would only run with its reference kernels, keep LibTorch's operators.
#pragma once

#include <torch/types.h>

#include <string>

namespace ax {

// scale * query · keyᵀ + additiveMask, as a new contiguous [B, heads, S, S] tensor.
// query, key: [B, heads, S, d] of any strides; additiveMask broadcasts to the result ([B, 1, 1, S]).
torch::Tensor attentionScores(const torch::Tensor& query, const torch::Tensor& key, const torch::Tensor& additiveMask,
                              double scale);

// probs · value with the heads put back side by side: [B, Q, heads*d].
// probs: [B, heads, Q, S] (Q queries, S keys); value: [B, heads, S, d] of any strides.
torch::Tensor attentionContext(const torch::Tensor& probs, const torch::Tensor& value);

// The same into `context` [B, Q, heads*d], whose rows may lie inside a wider buffer.
void attentionContextInto(const torch::Tensor& probs, const torch::Tensor& value, const torch::Tensor& context);

// What runs these products at inference in `type` on this CPU: "oneDNN (<its kernel>)", or
// "LibTorch" where oneDNN would fall back to its reference kernels. For `--version` and `bench`.
std::string attentionProductsEngine(torch::ScalarType type);

}  // namespace ax
