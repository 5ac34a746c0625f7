#include "model/onednn_matmul.h"

#include "common/error.h"
#include "common/fnv_hash.h"
#include "model/inference_threads.h"

#include <oneapi/dnnl/dnnl.hpp>
#include <torch/torch.h>

#include <omp.h>

#include <cstring>
#include <unordered_map>
#include <vector>

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

// A product ready to run: its primitive, and the memory objects of its arguments, which each call
// points at that call's tensors.
struct PreparedProduct {
    dnnl::matmul primitive;
    std::unordered_map<int, dnnl::memory> arguments;

    void point(int argument, const torch::Tensor& tensor) { arguments.at(argument).set_data_handle(tensor.data_ptr()); }
};

// What a product's primitive depends on: each tensor's type, sizes and strides, the extras, and
// the thread count. Not the data: the same shapes at other addresses run the same primitive.
class ProductKey {
public:
    ProductKey(const torch::Tensor& src, const torch::Tensor& weights, const torch::Tensor& dst, const MatmulExtras& extras)
    {
        for (const torch::Tensor* tensor : {&src, &weights, &dst, extras.bias, extras.addend}) {
            if (!tensor) {
                m_values.push_back(-1);
                continue;
            }
            m_values.push_back(static_cast<int64_t>(tensor->scalar_type()));
            m_values.push_back(tensor->dim());
            m_values.insert(m_values.end(), tensor->sizes().begin(), tensor->sizes().end());
            m_values.insert(m_values.end(), tensor->strides().begin(), tensor->strides().end());
        }
        float scale = extras.scale;
        int32_t scaleBits = 0;
        std::memcpy(&scaleBits, &scale, sizeof scaleBits);
        m_values.push_back(scaleBits);
        m_values.push_back(static_cast<int64_t>(extras.eltwise));
        m_values.push_back(omp_get_max_threads());
    }
    bool operator==(const ProductKey& other) const { return m_values == other.m_values; }
    size_t hash() const
    {
        FnvHash hash;
        hash.addBytes(m_values.data(), m_values.size() * sizeof(int64_t));
        return static_cast<size_t>(hash.value());
    }

private:
    std::vector<int64_t> m_values;
};

struct ProductKeyHash {
    size_t operator()(const ProductKey& key) const { return key.hash(); }
};

// The calling thread's product for these tensors, prepared on first use and kept; none where
// oneDNN has no fast kernel for them (also kept). Making oneDNN's primitive descriptor took 4-6 µs
// per call, as much as a fifth of a BERT-Mini product at batch 1 (docs/BENCHMARKS.md, "Prepared
// products"), and the forward makes dozens per layer; oneDNN's own primitive cache only begins
// after it. Per thread, so no lock: each thread's products also run on its own stream.
PreparedProduct* preparedProduct(const torch::Tensor& src, const torch::Tensor& weights, const torch::Tensor& dst,
                                 const MatmulExtras& extras)
{
    // Enough for every shape of several models and sequence lengths; past it, start again rather
    // than grow without bound over a long session of varied inputs.
    constexpr size_t kMostKept = 512;
    thread_local std::unordered_map<ProductKey, std::optional<PreparedProduct>, ProductKeyHash> kept;
    ProductKey key(src, weights, dst, extras);
    if (const auto found = kept.find(key); found != kept.end()) return found->second ? &*found->second : nullptr;
    if (kept.size() >= kMostKept) kept.clear();
    std::optional<PreparedProduct> product;
    if (const std::optional<dnnl::matmul::primitive_desc> description = fastMatmul(src, weights, dst, extras)) {
        const dnnl::engine& engine = cpuEngine();
        product.emplace();
        product->primitive = dnnl::matmul(*description);
        auto add = [&](int argument, const torch::Tensor& tensor) { product->arguments.emplace(argument, wrap(tensor, engine)); };
        add(DNNL_ARG_SRC, src);
        add(DNNL_ARG_WEIGHTS, weights);
        add(DNNL_ARG_DST, dst);
        if (extras.bias) add(DNNL_ARG_BIAS, *extras.bias);
        if (extras.addend) add(DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1, *extras.addend);
    }
    auto& entry = kept.emplace(std::move(key), std::move(product)).first->second;
    return entry ? &*entry : nullptr;
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
    PreparedProduct* product = preparedProduct(src, weights, dst, extras);
    if (!product) return false;
    product->point(DNNL_ARG_SRC, src);
    product->point(DNNL_ARG_WEIGHTS, weights);
    product->point(DNNL_ARG_DST, dst);
    if (extras.bias) product->point(DNNL_ARG_BIAS, *extras.bias);
    if (extras.addend) product->point(DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1, *extras.addend);
    try {
        dnnl::stream& stream = threadStream();
        product->primitive.execute(stream, product->arguments);
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
