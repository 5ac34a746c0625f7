#include "model/attention_products.h"

#include "common/error.h"

#include <oneapi/dnnl/dnnl.hpp>
#include <torch/torch.h>

#include <optional>
#include <string>
#include <unordered_map>

namespace ax {

namespace {

std::optional<dnnl::memory::data_type> oneDnnType(const torch::Tensor& tensor)
{
    if (tensor.scalar_type() == torch::kFloat32) return dnnl::memory::data_type::f32;
    if (tensor.scalar_type() == torch::kBFloat16) return dnnl::memory::data_type::bf16;
    return std::nullopt;
}

// Inference on the CPU, in one supported type, nothing empty (heads sliced away leave empty views).
bool oneDnnCanRun(std::initializer_list<const torch::Tensor*> tensors)
{
    if (at::GradMode::is_enabled()) return false;
    const torch::Tensor& first = **tensors.begin();
    if (!oneDnnType(first)) return false;
    for (const torch::Tensor* tensor : tensors)
        if (!tensor->device().is_cpu() || tensor->scalar_type() != first.scalar_type() || tensor->numel() == 0)
            return false;
    return true;
}

dnnl::memory::desc describe(const torch::Tensor& tensor)
{
    const dnnl::memory::dims dims(tensor.sizes().begin(), tensor.sizes().end());
    const dnnl::memory::dims strides(tensor.strides().begin(), tensor.strides().end());
    return {dims, *oneDnnType(tensor), strides};
}

dnnl::memory wrap(const torch::Tensor& tensor, const dnnl::engine& engine)
{
    return {describe(tensor), engine, tensor.data_ptr()};
}

const dnnl::engine& cpuEngine()
{
    static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
    return engine;
}

// A oneDNN stream must not be used by two threads at once; the studio's worker and the GUI thread
// may both run a model.
dnnl::stream& threadStream()
{
    thread_local dnnl::stream stream(cpuEngine());
    return stream;
}

// The primitive for dst = scale * src · weights (+ postOpAdd), or none when oneDNN has only its
// reference kernels for these shapes, strides and type on this CPU: those are slower than
// LibTorch's path.
std::optional<dnnl::matmul::primitive_desc> fastMatmul(const torch::Tensor& src, const torch::Tensor& weights,
                                                       const torch::Tensor& dst, float scale, const torch::Tensor* postOpAdd)
{
    dnnl::primitive_attr attributes;
    if (scale != 1.0f) attributes.set_output_scales(0, {scale});
    if (postOpAdd) {
        dnnl::post_ops postOps;
        postOps.append_binary(dnnl::algorithm::binary_add, describe(*postOpAdd));
        attributes.set_post_ops(postOps);
    }
    try {
        dnnl::matmul::primitive_desc description(dnnl::matmul::desc(describe(src), describe(weights), describe(dst)),
                                                 attributes, cpuEngine());
        if (std::string(description.impl_info_str()).rfind("ref", 0) == 0) return std::nullopt;
        return description;
    } catch (const dnnl::error&) {
        return std::nullopt;  // a combination this oneDNN does not implement
    }
}

// Runs the product fastMatmul chose; false when it chose none.
bool runMatmul(const torch::Tensor& src, const torch::Tensor& weights, const torch::Tensor& dst, float scale,
               const torch::Tensor* postOpAdd)
{
    const std::optional<dnnl::matmul::primitive_desc> description = fastMatmul(src, weights, dst, scale, postOpAdd);
    if (!description) return false;
    const dnnl::engine& engine = cpuEngine();
    std::unordered_map<int, dnnl::memory> arguments{
        {DNNL_ARG_SRC, wrap(src, engine)}, {DNNL_ARG_WEIGHTS, wrap(weights, engine)}, {DNNL_ARG_DST, wrap(dst, engine)}};
    if (postOpAdd) arguments.emplace(DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1, wrap(*postOpAdd, engine));
    try {
        dnnl::stream& stream = threadStream();
        dnnl::matmul(*description).execute(stream, arguments);
        stream.wait();
    } catch (const dnnl::error& error) {
        throw Error(std::string("attention: oneDNN's matrix product failed: ") + error.what());
    }
    return true;
}

}  // namespace

torch::Tensor attentionScores(const torch::Tensor& query, const torch::Tensor& key, const torch::Tensor& additiveMask,
                              double scale)
{
    const torch::Tensor keyT = key.transpose(-1, -2);
    if (oneDnnCanRun({&query, &key, &additiveMask})) {
        const torch::Tensor mask = additiveMask.contiguous();  // oneDNN takes no zero (broadcast) strides
        torch::Tensor scores = torch::empty({query.size(0), query.size(1), query.size(2), key.size(2)}, query.options());
        if (runMatmul(query, keyT, scores, static_cast<float>(scale), &mask)) return scores;
    }
    // Scaled and masked in place: at batch 32 each [B, heads, S, S] temporary costs as much as a
    // small matrix product.
    torch::Tensor scores = torch::matmul(query, keyT);
    scores.mul_(scale).add_(additiveMask);
    return scores;
}

torch::Tensor attentionContext(const torch::Tensor& probs, const torch::Tensor& value)
{
    const int64_t batch = value.size(0), heads = value.size(1), length = value.size(2), headDim = value.size(3);
    if (oneDnnCanRun({&probs, &value})) {
        torch::Tensor context = torch::empty({batch, length, heads * headDim}, value.options());
        // Written through a [B, heads, S, d] view of the [B, S, heads*d] result: no transpose copy.
        const torch::Tensor perHead = context.view({batch, length, heads, headDim}).transpose(1, 2);
        if (runMatmul(probs, value, perHead, 1.0f, nullptr)) return context;
    }
    return torch::matmul(probs, value).transpose(1, 2).reshape({batch, length, heads * headDim});
}

std::string attentionProductsEngine(torch::ScalarType type)
{
    // BERT-base's head width and a typical sequence, laid out as the layers lay them out.
    const int64_t heads = 12, length = 128, headDim = 64;
    const auto options = torch::TensorOptions().dtype(type);
    const torch::Tensor projected = torch::empty({1, length, heads * headDim}, options);
    const torch::Tensor perHead = projected.view({1, length, heads, headDim}).transpose(1, 2);
    const torch::Tensor scores = torch::empty({1, heads, length, length}, options);
    const torch::Tensor mask = torch::empty({1, 1, 1, length}, options);
    if (!oneDnnType(scores)) return "LibTorch";
    const auto description = fastMatmul(perHead, perHead.transpose(-1, -2), scores, 0.125f, &mask);
    return description ? std::string("oneDNN (") + description->impl_info_str() + ")" : "LibTorch";
}

}  // namespace ax
