// The layers' dense projections (x · weightᵀ + bias, and the FFN's activation folded in) through
// oneDNN's matmul when no gradient is needed. Debian's LibTorch hands them to OpenBLAS; on the
// AVX-512 machine at 2 threads oneDNN took 0.70-1.00 of its time on every BERT-Mini and BERT-base
// shape, whole or sliced (bench/dense_products.cpp), least where the GELU is applied in the
// product's own pass, and the whole BERT-Mini forward ran 5-16% faster (docs/BENCHMARKS.md,
// "Dense projections on oneDNN"). Training, int8, and any type or shape oneDNN would only run
// with its reference kernels keep LibTorch's operators.
#pragma once

#include "io/bert_config.h"
#include "model/onednn_matmul.h"

#include <torch/types.h>

#include <optional>
#include <string>

namespace ax {

// x · weightᵀ + bias, then `activation` where given: x [..., in], weight [out, in], bias [out]
// -> [..., out]. None where oneDNN does not run it; the caller then uses LibTorch.
std::optional<torch::Tensor> denseProduct(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                                          std::optional<Activation> activation = std::nullopt);

// The oneDNN post-op that applies `activation` in a product's own pass (None for none).
onednn::Eltwise eltwiseOf(std::optional<Activation> activation);

// What runs these projections at inference in `type` on this CPU: "oneDNN (<its kernel>)", or
// "LibTorch". For `--version` and `bench`.
std::string denseProductsEngine(torch::ScalarType type);

}  // namespace ax
