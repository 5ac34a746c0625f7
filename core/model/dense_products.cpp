#include "model/dense_products.h"

#include "model/onednn_matmul.h"

#include <torch/torch.h>

#include <vector>

namespace ax {

namespace {

// Below this many multiply-adds a projection runs on one thread. Measured at 2 threads on the
// AVX-512 machine (docs/BENCHMARKS.md): BERT-Mini with half its heads at batch 1 (128 × 256 × 128,
// 4 M) took 72-85 µs on one thread and 95-110 µs on two; at 128 × 256 × 256 (8 M) the two were
// even, and every larger product gained from the second thread.
constexpr int64_t kOneThreadBelowMultiplyAdds = int64_t(1) << 23;

onednn::Eltwise eltwiseOf(std::optional<Activation> activation)
{
    if (!activation) return onednn::Eltwise::None;
    switch (*activation) {
    case Activation::GeluErf: return onednn::Eltwise::GeluErf;
    case Activation::GeluTanh: return onednn::Eltwise::GeluTanh;
    case Activation::Relu: return onednn::Eltwise::Relu;
    }
    return onednn::Eltwise::None;
}

}  // namespace

std::optional<torch::Tensor> denseProduct(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                                          std::optional<Activation> activation)
{
    if (!onednn::canRun({&x, &weight, &bias})) return std::nullopt;
    const torch::Tensor rows = x.reshape({-1, x.size(-1)});
    const torch::Tensor biasRow = bias.view({1, -1});
    torch::Tensor out = torch::empty({rows.size(0), weight.size(0)}, x.options());
    const bool oneThread = rows.size(0) * weight.size(0) * weight.size(1) < kOneThreadBelowMultiplyAdds;
    // weightᵀ as a view: oneDNN reads the [out, in] layout in place.
    if (!onednn::matmul(rows, weight.t(), out, {1.0f, &biasRow, nullptr, eltwiseOf(activation), oneThread}))
        return std::nullopt;
    std::vector<int64_t> shape = x.sizes().vec();
    shape.back() = weight.size(0);
    return out.view(shape);
}

std::string denseProductsEngine(torch::ScalarType type)
{
    // BERT-base's FFN input projection at a typical sequence.
    const auto options = torch::TensorOptions().dtype(type);
    const torch::Tensor rows = torch::empty({128, 768}, options);
    const torch::Tensor weight = torch::empty({3072, 768}, options);
    const torch::Tensor bias = torch::empty({1, 3072}, options);
    const torch::Tensor out = torch::empty({128, 3072}, options);
    const auto kernel = onednn::matmulKernel(rows, weight.t(), out, {1.0f, &bias, nullptr, onednn::Eltwise::GeluErf});
    return kernel ? "oneDNN (" + *kernel + ")" : "LibTorch";
}

}  // namespace ax
