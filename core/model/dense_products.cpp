#include "model/dense_products.h"

#include "model/onednn_matmul.h"

#include <torch/torch.h>

#include <vector>

namespace ax {

namespace {

// Below this many multiply-adds a projection runs on one thread. Set from whole forwards at 2
// threads on the AVX-512 machine (docs/BENCHMARKS.md, "Small operators on the calling thread"):
// BERT-Mini with half its heads and FFN groups, batch 1, ran its sequence-128 forward (products of
// 4 M and 8 M) in 3.8 ms with every product on two threads against 4.2-4.3 ms with those under 8 M
// on one, and its sequence-32 forward (1-2 M) in 2.0 ms on one thread against 2.2 ms on two. Timed
// alone, a 4 M product was the faster on one thread; inside a forward it is not.
constexpr int64_t kOneThreadBelowMultiplyAdds = int64_t(1) << 22;

}  // namespace

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
