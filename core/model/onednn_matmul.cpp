#include "model/onednn_matmul.h"

#include "common/error.h"
#include "model/inference_threads.h"

#include <oneapi/dnnl/dnnl.hpp>
#include <torch/torch.h>

#include <unordered_map>

namespace ax::onednn {

namespace {

std::optional<dnnl::memory::data_type> oneDnnType(const torch::Tensor& tensor)
{
    if (tensor.scalar_type() == torch::kFloat32) return dnnl::memory::data_type::f32;
    if (tensor.scalar_type() == torch::kBFloat16) return dnnl::memory::data_type::bf16;
    return std::nullopt;
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

// oneDNN sizes its work split by the OpenMP thread count when a primitive is made (the count is
// part of its cache key) and runs it on that many: both see the count chosen here, one thread for
// a product too small to pay for waking the others, else every thread the caller may use (also
// where a small forward has set its other operators to the calling thread alone,
// model/inference_threads.h).
int productThreadsFor(bool oneThread)
{
    return oneThread ? 1 : productThreads();
}

dnnl::algorithm algorithmOf(Eltwise eltwise)
{
    switch (eltwise) {
    case Eltwise::GeluErf: return dnnl::algorithm::eltwise_gelu_erf;
    case Eltwise::GeluTanh: return dnnl::algorithm::eltwise_gelu_tanh;
    case Eltwise::Relu: return dnnl::algorithm::eltwise_relu;
    case Eltwise::None: break;
    }
    throw Error("oneDNN: no element-wise operation to fuse");
}

std::optional<dnnl::matmul::primitive_desc> fastMatmul(const torch::Tensor& src, const torch::Tensor& weights,
                                                       const torch::Tensor& dst, const MatmulExtras& extras)
{
    dnnl::primitive_attr attributes;
    if (extras.scale != 1.0f) attributes.set_output_scales(0, {extras.scale});
    dnnl::post_ops postOps;
    if (extras.addend) postOps.append_binary(dnnl::algorithm::binary_add, describe(*extras.addend));
    if (extras.eltwise != Eltwise::None) postOps.append_eltwise(1.0f, algorithmOf(extras.eltwise), 0.0f, 0.0f);
    attributes.set_post_ops(postOps);
    try {
        const dnnl::matmul::desc operation = extras.bias
                                                 ? dnnl::matmul::desc(describe(src), describe(weights), describe(*extras.bias), describe(dst))
                                                 : dnnl::matmul::desc(describe(src), describe(weights), describe(dst));
        dnnl::matmul::primitive_desc description(operation, attributes, cpuEngine());
        if (std::string(description.impl_info_str()).rfind("ref", 0) == 0) return std::nullopt;
        return description;
    } catch (const dnnl::error&) {
        return std::nullopt;  // a combination this oneDNN does not implement
    }
}

}  // namespace

bool canRun(std::initializer_list<const torch::Tensor*> tensors)
{
    if (at::GradMode::is_enabled()) return false;
    const torch::Tensor& first = **tensors.begin();
    if (!oneDnnType(first)) return false;
    for (const torch::Tensor* tensor : tensors)
        if (!tensor->device().is_cpu() || tensor->scalar_type() != first.scalar_type() || tensor->numel() == 0)
            return false;
    return true;
}

bool matmul(const torch::Tensor& src, const torch::Tensor& weights, const torch::Tensor& dst, const MatmulExtras& extras)
{
    const ThreadCountScope threads(productThreadsFor(extras.oneThread));
    const std::optional<dnnl::matmul::primitive_desc> description = fastMatmul(src, weights, dst, extras);
    if (!description) return false;
    const dnnl::engine& engine = cpuEngine();
    std::unordered_map<int, dnnl::memory> arguments{
        {DNNL_ARG_SRC, wrap(src, engine)}, {DNNL_ARG_WEIGHTS, wrap(weights, engine)}, {DNNL_ARG_DST, wrap(dst, engine)}};
    if (extras.bias) arguments.emplace(DNNL_ARG_BIAS, wrap(*extras.bias, engine));
    if (extras.addend) arguments.emplace(DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1, wrap(*extras.addend, engine));
    try {
        dnnl::stream& stream = threadStream();
        dnnl::matmul(*description).execute(stream, arguments);
        stream.wait();
    } catch (const dnnl::error& error) {
        throw Error(std::string("oneDNN's matrix product failed: ") + error.what());
    }
    return true;
}

std::optional<std::string> matmulKernel(const torch::Tensor& src, const torch::Tensor& weights, const torch::Tensor& dst,
                                        const MatmulExtras& extras)
{
    if (!oneDnnType(src)) return std::nullopt;
    const ThreadCountScope threads(productThreadsFor(extras.oneThread));
    const std::optional<dnnl::matmul::primitive_desc> description = fastMatmul(src, weights, dst, extras);
    if (!description) return std::nullopt;
    return std::string(description->impl_info_str());
}

}  // namespace ax::onednn
