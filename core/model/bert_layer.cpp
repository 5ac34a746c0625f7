#include "model/bert_layer.h"

#include "common/error.h"
#include "model/attention_products.h"
#include "model/dense_products.h"
#include "model/inference_threads.h"

#include <torch/torch.h>

#include <cmath>
#include <optional>
#include <utility>
#include <vector>

namespace ax {

torch::Tensor applyActivation(Activation activation, const torch::Tensor& x)
{
    switch (activation) {
    case Activation::GeluErf: return torch::gelu(x);
    case Activation::GeluTanh: return torch::gelu(x, "tanh");
    case Activation::Relu: return torch::relu(x);
    }
    throw Error("unknown activation");
}

namespace {

// Out of autograd the activation overwrites the projection it is given, which nothing else holds:
// out of place, BERT-base's FFN at batch 32 would take a second 50 MB buffer in every layer.
torch::Tensor activateProjection(Activation activation, torch::Tensor projection)
{
    if (at::GradMode::is_enabled()) return applyActivation(activation, projection);
    switch (activation) {
    case Activation::GeluErf: return torch::gelu_(projection);
    case Activation::GeluTanh: return torch::gelu_(projection, "tanh");
    case Activation::Relu: return torch::relu_(projection);
    }
    throw Error("unknown activation");
}

using ColumnRanges = std::vector<std::pair<int64_t, int64_t>>;  // [begin, end) pairs

// The runs of 1 in per-column factors, or none when a factor is neither 0 nor 1.
std::optional<ColumnRanges> keptRanges(const std::vector<float>& factors, int64_t columnsPerFactor)
{
    ColumnRanges ranges;
    for (size_t i = 0; i < factors.size(); ++i) {
        if (factors[i] != 0.0f && factors[i] != 1.0f) return std::nullopt;
        if (factors[i] == 0.0f) continue;
        const int64_t begin = int64_t(i) * columnsPerFactor;
        if (!ranges.empty() && ranges.back().second == begin) ranges.back().second = begin + columnsPerFactor;
        else ranges.emplace_back(begin, begin + columnsPerFactor);
    }
    return ranges;
}

// x · weightᵀ + bias over only the input columns in `ranges`, as if the others were zero: a product
// per range on views of x and of the weight. Multiplying x by a 0/1 mask first would write a copy
// of x (the whole FFN activation, or the attention probabilities) and multiply the removed
// columns too. The search and full passes both come here, so their results stay the same bits.
torch::Tensor linearOverColumns(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                                const ColumnRanges& ranges)
{
    const torch::Tensor rows = x.reshape({-1, x.size(-1)});
    std::vector<int64_t> shape = x.sizes().vec();
    shape.back() = weight.size(0);
    if (ranges.empty()) return bias.expand({rows.size(0), weight.size(0)}).clone().view(shape);
    auto columns = [](const torch::Tensor& t, const std::pair<int64_t, int64_t>& range) {
        return t.narrow(1, range.first, range.second - range.first);
    };
    torch::Tensor out = torch::addmm(bias, columns(rows, ranges.front()), columns(weight, ranges.front()).t());
    for (size_t i = 1; i < ranges.size(); ++i) out.addmm_(columns(rows, ranges[i]), columns(weight, ranges[i]).t());
    return out.view(shape);
}

}  // namespace

BertLayerImpl::BertLayerImpl(const BertConfig& config, const LayerShape& shape, SharedDropoutRandom dropout)
    : m_shape(shape),
      m_headDim(config.headDim()),
      m_activation(config.activation),
      m_hiddenDropout(config.hiddenDropout),
      m_attentionDropout(config.attentionDropout),
      m_dropout(std::move(dropout))
{
    const int64_t hidden = config.hiddenSize;
    const auto normOptions = torch::nn::LayerNormOptions({hidden}).eps(config.layerNormEps);
    if (shape.hasAttention) {
        const int64_t width = shape.heads() * m_headDim;
        m_query = addDense("query", hidden, width);
        m_key = addDense("key", hidden, width);
        m_value = addDense("value", hidden, width);
        m_attentionOutput = addDense("attention_output", width, hidden);
    }
    // The LayerNorms stay when a block is removed: out = LayerNorm(x) (DESIGN.md §1).
    m_attentionNorm = register_module("attention_norm", torch::nn::LayerNorm(normOptions));
    if (shape.hasFfn) {
        m_intermediate = addDense("intermediate", hidden, shape.intermediateSize);
        m_output = addDense("output", shape.intermediateSize, hidden);
    }
    m_outputNorm = register_module("output_norm", torch::nn::LayerNorm(normOptions));
}

BertLayerImpl::Dense BertLayerImpl::addDense(const std::string& name, int64_t in, int64_t out)
{
    // Zeros until a checkpoint or initialiseWeights() fills them.
    return {register_parameter(name + "_weight", torch::zeros({out, in})), register_parameter(name + "_bias", torch::zeros({out})), std::nullopt};
}

torch::Tensor BertLayerImpl::apply(const Dense& dense, const torch::Tensor& x) const
{
    if (dense.int8 && !is_training()) return dense.int8->forward(x);
    if (std::optional<torch::Tensor> product = denseProduct(x, dense.weight, dense.bias)) return *std::move(product);
    return torch::nn::functional::linear(x, dense.weight, dense.bias);
}

void BertLayerImpl::quantizeInt8()
{
    torch::NoGradGuard noGrad;
    for (Dense* dense : {&m_query, &m_key, &m_value, &m_attentionOutput, &m_intermediate, &m_output}) {
        // A projection sliced to nothing (all heads or FFN neurons removed) has nothing to pack.
        if (!dense->weight.defined() || dense->weight.numel() == 0) continue;
        Int8Weight weight = quantizePerChannel(dense->weight);
        dense->weight.copy_(weight.dequantized());
        dense->int8.emplace(std::move(weight), dense->bias);
    }
}

std::vector<std::pair<std::string, const Int8Weight*>> BertLayerImpl::int8Weights() const
{
    std::vector<std::pair<std::string, const Int8Weight*>> weights;
    auto add = [&](const std::string& name, const Dense& dense) {
        if (dense.int8) weights.emplace_back(name + ".weight", &dense.int8->weight());
    };
    add("attention.self.query", m_query);
    add("attention.self.key", m_key);
    add("attention.self.value", m_value);
    add("attention.output.dense", m_attentionOutput);
    add("intermediate.dense", m_intermediate);
    add("output.dense", m_output);
    return weights;
}

torch::Tensor BertLayerImpl::forward(const torch::Tensor& hidden, const torch::Tensor& additiveMask,
                                     const LayerApproximation* approximation, torch::Tensor* attentionProbs)
{
    const torch::Tensor attended = attentionSublayer(hidden, additiveMask, approximation, attentionProbs);
    return ffnSublayer(attended, approximation);
}

bool BertLayerImpl::attentionRemoved(const LayerApproximation* approximation) const
{
    return !m_shape.hasAttention || (approximation && approximation->removeAttention);
}

bool BertLayerImpl::ffnRemoved(const LayerApproximation* approximation) const
{
    return !m_shape.hasFfn || (approximation && approximation->removeFfn);
}

torch::Tensor BertLayerImpl::attentionSublayer(const torch::Tensor& hidden, const torch::Tensor& additiveMask,
                                               const LayerApproximation* approximation, torch::Tensor* attentionProbs)
{
    if (attentionRemoved(approximation)) {
        if (attentionProbs) *attentionProbs = torch::zeros({hidden.size(0), 0, hidden.size(1), hidden.size(1)}, hidden.options());
        return m_attentionNorm(hidden);
    }
    return attendWith(attentionWeights(hidden, additiveMask, approximation), hidden, approximation, attentionProbs);
}

BertLayerImpl::AttentionWeights BertLayerImpl::attentionWeights(const torch::Tensor& hidden, const torch::Tensor& additiveMask,
                                                                const LayerApproximation* approximation)
{
    const int64_t batch = hidden.size(0), length = hidden.size(1);
    const int64_t heads = m_shape.heads();
    // [B, S, heads*d] -> [B, heads, S, d]
    auto split = [&](const torch::Tensor& x) { return x.view({batch, length, heads, m_headDim}).transpose(1, 2); };
    const torch::Tensor query = split(apply(m_query, hidden));
    const torch::Tensor key = split(apply(m_key, hidden));
    AttentionWeights weights{{}, split(apply(m_value, hidden))};

    const torch::Tensor scores = attentionScores(query, key, additiveMask, 1.0 / std::sqrt(static_cast<double>(m_headDim)));
    weights.probs = m_dropout->apply(torch::softmax(scores, -1), m_attentionDropout, is_training());

    const int topK = approximation && approximation->hardAttentionTopK > 0 ? approximation->hardAttentionTopK
                                                                            : m_shape.hardAttentionTopK;
    if (topK > 0 && topK < length) {
        // Keep the k largest probabilities of each query row, zero the rest, no renormalisation.
        const ThreadCountScope everyThread(productThreads());  // worth waking the others for
        const auto [kept, indices] = weights.probs.topk(topK, -1);
        weights.probs = torch::zeros_like(weights.probs).scatter(-1, indices, kept);
    }
    return weights;
}

torch::Tensor BertLayerImpl::attendWith(const AttentionWeights& weights, const torch::Tensor& hidden,
                                        const LayerApproximation* approximation, torch::Tensor* attentionProbs)
{
    const int64_t heads = m_shape.heads();
    torch::Tensor probs = weights.probs;
    std::optional<ColumnRanges> keptHeads;  // when the removed heads drop out of the output projection
    if (approximation && !approximation->headMask.empty()) {
        const std::vector<float>& factors = approximation->headMask;
        if (static_cast<int64_t>(factors.size()) != heads)
            throw Error("head mask has " + std::to_string(factors.size()) + " entries for a layer with " +
                        std::to_string(heads) + " heads");
        if (!(m_attentionOutput.int8 && !is_training())) keptHeads = keptRanges(factors, m_headDim);
        // The probabilities are scaled where the projection cannot skip heads (int8, or factors
        // other than 0 and 1, which `inspect --approximation` allows), and for whoever looks at them.
        if (!keptHeads || attentionProbs) probs = probs * torch::tensor(factors, hidden.options()).view({1, heads, 1, 1});
    }
    if (attentionProbs) *attentionProbs = probs;

    const torch::Tensor context = attentionContext(probs, weights.value);
    torch::Tensor projected = keptHeads ? linearOverColumns(context, m_attentionOutput.weight, m_attentionOutput.bias, *keptHeads)
                                        : apply(m_attentionOutput, context);
    projected = m_dropout->apply(projected, m_hiddenDropout, is_training());
    return m_attentionNorm(projected + hidden);
}

torch::Tensor BertLayerImpl::ffnSublayer(const torch::Tensor& hidden, const LayerApproximation* approximation)
{
    if (ffnRemoved(approximation)) return m_outputNorm(hidden);
    return ffnFromActivation(ffnActivation(hidden), hidden, approximation);
}

torch::Tensor BertLayerImpl::ffnActivation(const torch::Tensor& hidden)
{
    // An int8 projection runs its own kernel (apply); any other gets its activation applied in the
    // product's own pass where oneDNN runs it.
    if (!(m_intermediate.int8 && !is_training()))
        if (std::optional<torch::Tensor> activated = denseProduct(hidden, m_intermediate.weight, m_intermediate.bias, m_activation))
            return *std::move(activated);
    return activateProjection(m_activation, apply(m_intermediate, hidden));
}

torch::Tensor BertLayerImpl::ffnFromActivation(const torch::Tensor& activation, const torch::Tensor& hidden,
                                               const LayerApproximation* approximation)
{
    torch::Tensor projected;
    if (approximation && !approximation->ffnGroupRemoved.empty()) {
        const auto& removedGroups = approximation->ffnGroupRemoved;
        const int groups = static_cast<int>(removedGroups.size());
        if (groups > m_shape.intermediateSize && m_shape.intermediateSize > 0)
            throw Error("cannot split " + std::to_string(m_shape.intermediateSize) + " FFN neurons into " +
                        std::to_string(groups) + " groups");
        std::vector<float> keep(static_cast<size_t>(m_shape.intermediateSize), 1.0f);
        for (int g = 0; g < groups; ++g) {
            if (!removedGroups[static_cast<size_t>(g)]) continue;
            const auto [begin, end] = ffnGroupRange(m_shape.intermediateSize, groups, g);
            std::fill(keep.begin() + begin, keep.begin() + end, 0.0f);
        }
        // Out of place where int8 needs the mask: the layer cache may hold `activation` for the next candidate.
        projected = m_output.int8 && !is_training()
                        ? apply(m_output, activation * torch::tensor(keep, hidden.options()))
                        : linearOverColumns(activation, m_output.weight, m_output.bias, *keptRanges(keep, 1));
    } else {
        projected = apply(m_output, activation);
    }
    projected = m_dropout->apply(projected, m_hiddenDropout, is_training());
    return m_outputNorm(projected + hidden);
}

std::optional<EncoderLayerWeights> BertLayerImpl::tokenSplitWeights() const
{
    if (is_training()) return std::nullopt;
    EncoderLayerWeights weights;
    auto take = [](const Dense& dense, EncoderLayerWeights::Dense& into) {
        if (dense.int8 || dense.weight.numel() == 0) return false;
        into = {dense.weight, dense.bias};
        return true;
    };
    if (m_shape.hasAttention && !(take(m_query, weights.query) && take(m_key, weights.key) &&
                                  take(m_value, weights.value) && take(m_attentionOutput, weights.attentionOutput)))
        return std::nullopt;
    if (m_shape.hasFfn && !(take(m_intermediate, weights.intermediate) && take(m_output, weights.output))) return std::nullopt;
    weights.attentionNorm = {m_attentionNorm->weight, m_attentionNorm->bias, m_attentionNorm->options.eps()};
    weights.outputNorm = {m_outputNorm->weight, m_outputNorm->bias, m_outputNorm->options.eps()};
    weights.headDim = m_headDim;
    weights.hardAttentionTopK = m_shape.hardAttentionTopK;
    weights.activation = m_activation;
    return weights;
}

std::vector<std::pair<std::string, torch::Tensor>> BertLayerImpl::namedWeights() const
{
    std::vector<std::pair<std::string, torch::Tensor>> weights;
    auto linear = [&](const std::string& name, const Dense& dense) {
        weights.emplace_back(name + ".weight", dense.weight);
        weights.emplace_back(name + ".bias", dense.bias);
    };
    auto norm = [&](const std::string& name, const torch::nn::LayerNorm& module) {
        weights.emplace_back(name + ".weight", module->weight);
        weights.emplace_back(name + ".bias", module->bias);
    };
    if (m_shape.hasAttention) {
        linear("attention.self.query", m_query);
        linear("attention.self.key", m_key);
        linear("attention.self.value", m_value);
        linear("attention.output.dense", m_attentionOutput);
    }
    norm("attention.output.LayerNorm", m_attentionNorm);
    if (m_shape.hasFfn) {
        linear("intermediate.dense", m_intermediate);
        linear("output.dense", m_output);
    }
    norm("output.LayerNorm", m_outputNorm);
    return weights;
}

}  // namespace ax
