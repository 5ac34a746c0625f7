// oneDNN's matmul run on LibTorch tensors in place, for the products of inference (attention's
// batched products, the layers' dense projections). Each call describes the tensors as they lie,
// strides and all, so views need no copies; oneDNN's own primitive cache keeps the compiled
// kernels. A caller falls back to LibTorch's operators where these functions say no.
#pragma once

#include <torch/types.h>

#include <initializer_list>
#include <optional>
#include <string>

namespace ax::onednn {

// Inference on the CPU in float32 or bfloat16, every tensor of one type and none empty (heads
// sliced away leave empty views): what the oneDNN path takes.
bool canRun(std::initializer_list<const torch::Tensor*> tensors);

enum class Eltwise { None, GeluErf, GeluTanh, Relu };

// dst = eltwise(scale * src · weights + bias + addend). bias broadcasts over rows ([1, N]);
// addend is a tensor of dst's rank that broadcasts to it; both optional. oneThread runs the
// product on the calling thread alone, for products too small to pay for waking the others.
struct MatmulExtras {
    float scale = 1.0f;
    const torch::Tensor* bias = nullptr;
    const torch::Tensor* addend = nullptr;
    Eltwise eltwise = Eltwise::None;
    bool oneThread = false;
};

// Runs the product into dst; false, leaving dst untouched, where oneDNN has no kernel for these
// shapes, strides and type or only its reference kernels, which are slower than LibTorch's path.
bool matmul(const torch::Tensor& src, const torch::Tensor& weights, const torch::Tensor& dst, const MatmulExtras& extras);

// The kernel `matmul` would run ("brg:avx512_core", ...), or none where it would say no.
std::optional<std::string> matmulKernel(const torch::Tensor& src, const torch::Tensor& weights, const torch::Tensor& dst,
                                        const MatmulExtras& extras);

}  // namespace ax::onednn
