#include "search/layer_cache.h"

#include "model/bert_model.h"
#include "model/flops.h"
#include "train/batch_tensors.h"

#include <torch/torch.h>

#include <algorithm>
#include <map>

namespace ax {

// Per val batch; only the batches this process evaluates (TaskEvaluator::ownsBatch) are filled.
struct LayerCache::State {
    std::vector<BatchTensors> batches;
    std::vector<torch::Tensor> masks;     // additive attention masks
    std::vector<torch::Tensor> hidden;    // input to m_layer, per batch
    std::vector<torch::Tensor> attended;  // output of m_layer's attention sub-layer, per batch
    std::vector<BertLayerImpl::AttentionWeights> weights;  // m_layer's, when the budget keeps them
    std::vector<torch::Tensor> activations;                // m_layer's FFN activations, likewise
    std::vector<torch::Tensor> outputs;                    // m_layer's output under the last candidate, likewise
    std::vector<size_t> owned;            // the indices of the filled ones

    // Inputs kept of some layers above 0, with the settings of the layers below that made them.
    struct LayerInput {
        std::vector<LayerApproximation> below;
        std::vector<torch::Tensor> hidden;  // empty until the cache first moves up through it
    };
    std::map<size_t, LayerInput> layerInputs;
};

LayerCache::LayerCache(BertModelImpl& model, const TaskEvaluator& evaluator, int64_t memoryBudget, bool accepting)
    : m_model(model), m_evaluator(evaluator), m_state(std::make_unique<State>())
{
    m_model.eval();
    torch::InferenceMode inference;
    const size_t count = evaluator.batches().size();
    m_state->batches.resize(count);
    m_state->masks.resize(count);
    m_state->hidden.resize(count);
    m_state->attended.resize(count);
    m_state->weights.resize(count);
    m_state->activations.resize(count);
    m_state->outputs.resize(count);
    for (size_t b = 0; b < count; ++b) {
        if (!evaluator.ownsBatch(b)) continue;
        m_state->owned.push_back(b);
        const BatchTensors& tensors = m_state->batches[b] = toTensors(evaluator.batches()[b]);
        m_state->hidden[b] = m_model.embed(tensors.input.inputIds, tensors.input.tokenTypeIds);
        m_state->masks[b] = BertModelImpl::additiveMask(tensors.input.attentionMask, m_state->hidden[b]);
    }
    m_below = m_current = Approximation::none(static_cast<int>(model.layerCount()));
    planMemory(memoryBudget, accepting);
}

LayerCache::~LayerCache() = default;

void LayerCache::planMemory(int64_t memoryBudget, bool accepting)
{
    const BertConfig& config = m_model.config();
    int64_t tokens = 0, squares = 0, elementSize = 4;
    for (const size_t b : m_state->owned) {
        const torch::Tensor& hidden = m_state->hidden[b];
        tokens += hidden.size(0) * hidden.size(1);
        squares += hidden.size(0) * hidden.size(1) * hidden.size(1);
        elementSize = int64_t(hidden.element_size());
    }
    int64_t heads = 0, width = 0, ffn = 0;
    for (const LayerShape& shape : config.layers) {
        heads = std::max<int64_t>(heads, shape.hasAttention ? shape.heads() : 0);
        width = std::max<int64_t>(width, shape.hasAttention ? shape.heads() * config.headDim() : 0);
        ffn = std::max<int64_t>(ffn, shape.hasFfn ? shape.intermediateSize : 0);
    }
    // What stays alive: the probabilities [B, heads, S, S] and the value projection [B, S, width].
    const int64_t weightsBytes = elementSize * (squares * heads + tokens * width);
    const int64_t activationBytes = elementSize * tokens * ffn;
    const int64_t layerInputBytes = elementSize * tokens * config.hiddenSize;
    int64_t left = memoryBudget;
    auto fits = [&](int64_t bytes) {
        if (bytes > left) return false;
        left -= bytes;
        return true;
    };
    // Layer inputs save up to a pass per layer below them on every move down, but with less for
    // each added one (BERT-base: 2 kept save 37 of the 55 passes per batch that moves down cost,
    // 11 all of them). The probabilities and the activations save part of a pass per head or
    // group; the last candidate's output a pass per accepted hard-attention candidate. So: layer
    // inputs with half the budget, then the probabilities, the activations and the output, then
    // more layer inputs with what is left.
    const int64_t layers = int64_t(m_model.layerCount());
    const int64_t mostInputs = accepting ? layers - 1 : 0;
    auto layerInputsFitting = [&](int64_t bytes, int64_t most) {
        const int64_t count = std::min<int64_t>(most, layerInputBytes > 0 ? bytes / layerInputBytes : most);
        left -= count * layerInputBytes;
        return count;
    };
    int64_t inputs = layerInputsFitting(left / 2, mostInputs);
    m_keepWeights = fits(weightsBytes);
    m_keepActivations = fits(activationBytes);
    m_keepOutputs = accepting && fits(layerInputBytes);
    inputs += layerInputsFitting(left, mostInputs - inputs);
    // Evenly spaced, so that a move down to any layer starts at most a spacing below it.
    for (int64_t k = 1; k <= inputs; ++k) m_state->layerInputs[size_t(k * layers / (inputs + 1))] = {};
}

void LayerCache::moveTo(size_t layer, const Approximation& approximation, const CancelToken* cancel)
{
    torch::InferenceMode inference;
    const Approximation full = approximation.layers.empty() ? Approximation::none(int(m_model.layerCount())) : approximation;
    m_current = full;
    bool unchangedBelow = layer >= m_layer;
    for (size_t i = 0; unchangedBelow && i < m_layer; ++i) unchangedBelow = full.layers[i] == m_below.layers[i];
    // The last candidate here was accepted: its output is the next layer's input.
    const bool outputReusable = unchangedBelow && layer > m_layer && m_outputBy && *m_outputBy == full.layers[m_layer];
    const std::vector<torch::Tensor> output = outputReusable ? m_state->outputs : std::vector<torch::Tensor>{};
    if (!unchangedBelow || layer != m_layer) forgetLayerState();
    if (!unchangedBelow) {
        if (!restoreKeptInput(0, layer, full)) {
            for (const size_t b : m_state->owned) {
                const BatchTensors& tensors = m_state->batches[b];
                m_state->hidden[b] = m_model.embed(tensors.input.inputIds, tensors.input.tokenTypeIds);
            }
            m_layer = 0;
        }
    } else if (layer > m_layer) {
        if (outputReusable) {
            m_state->hidden = output;
            m_work.reusedLayerOutputs += int64_t(m_state->owned.size());
            stepUp(full);
        }
        restoreKeptInput(m_layer + 1, layer, full);
    }
    while (m_layer < layer) {
        for (const size_t b : m_state->owned) {
            throwIfCancelled(cancel);
            m_state->hidden[b] = m_model.runLayer(m_layer, m_state->hidden[b], m_state->masks[b], &full);
            m_work.passes += 1;
        }
        stepUp(full);
    }
}

// m_state->hidden holds the input to m_layer + 1 under `full`: moves there, keeping it where an
// input of that layer is kept.
void LayerCache::stepUp(const Approximation& full)
{
    m_below.layers[m_layer] = full.layers[m_layer];
    ++m_layer;
    const auto kept = m_state->layerInputs.find(m_layer);
    if (kept != m_state->layerInputs.end())
        kept->second = {{m_below.layers.begin(), m_below.layers.begin() + long(m_layer)}, m_state->hidden};
}

// Starts again from the highest kept input of a layer in [lowest, layer] that `full` agrees with.
bool LayerCache::restoreKeptInput(size_t lowest, size_t layer, const Approximation& full)
{
    for (auto it = m_state->layerInputs.rbegin(); it != m_state->layerInputs.rend(); ++it) {
        const auto& [start, kept] = *it;
        if (start > layer || start < lowest || kept.hidden.empty() ||
            !std::equal(kept.below.begin(), kept.below.end(), full.layers.begin()))
            continue;
        m_state->hidden = kept.hidden;
        std::copy(kept.below.begin(), kept.below.end(), m_below.layers.begin());
        m_layer = start;
        m_work.restoredLayerInputs += int64_t(m_state->owned.size());
        return true;
    }
    return false;
}

void LayerCache::forgetLayerState()
{
    m_attendedBy.reset();
    m_weightsTopK.reset();
    m_activationsKept = false;
    m_outputBy.reset();
    for (torch::Tensor& attended : m_state->attended) attended = torch::Tensor();
    for (BertLayerImpl::AttentionWeights& weights : m_state->weights) weights = {};
    for (torch::Tensor& activation : m_state->activations) activation = torch::Tensor();
    for (torch::Tensor& output : m_state->outputs) output = torch::Tensor();
}

EvaluationResult LayerCache::evaluate(const Approximation& candidate, const CancelToken* cancel, ProgressObserver* observer)
{
    const size_t layers = m_model.layerCount();
    const LayerApproximation here = candidate.layer(m_layer) ? *candidate.layer(m_layer) : LayerApproximation{};
    BertLayerImpl& layer = m_model.encoderLayer(m_layer);
    const bool attentionRemoved = layer.attentionRemoved(&here), ffnRemoved = layer.ffnRemoved(&here);
    const bool reuseAttended = m_attendedBy && m_attendedBy->sameAttention(here);
    const bool reuseWeights = !reuseAttended && !attentionRemoved && m_weightsTopK == here.hardAttentionTopK;
    const bool reuseActivations = reuseAttended && !ffnRemoved && m_activationsKept;
    // Kept tensors are replaced batch by batch below: a cancelled evaluation must not leave a mix
    // that claims to come from one setting.
    if (!reuseAttended) {
        m_attendedBy.reset();
        m_activationsKept = false;
    }
    if (!attentionRemoved && !reuseAttended && !reuseWeights) m_weightsTopK.reset();
    m_outputBy.reset();

    // Kept inputs of the layers above that are stale (computed under settings below them that are
    // no longer the current ones) take the candidate's, which become current if it is accepted.
    const Approximation full = candidate.layers.empty() ? Approximation::none(int(layers)) : candidate;
    std::map<size_t, std::vector<torch::Tensor>> filling;
    for (auto& [start, kept] : m_state->layerInputs) {
        if (start <= m_layer) continue;
        if (!kept.hidden.empty() && std::equal(kept.below.begin(), kept.below.end(), m_current.layers.begin())) continue;
        kept = {};
        filling[start].resize(m_state->hidden.size());
    }

    const BertConfig& config = m_model.config();
    EvaluationResult result = m_evaluator.evaluateWith(
        [&](size_t b, const BatchTensors&) {
            const torch::Tensor& input = m_state->hidden[b];
            const LayerFlopParts parts = layerFlopParts(config, layer.shape(), input.size(0), input.size(1));
            const double whole = double(std::max<int64_t>(1, parts.total()));
            torch::Tensor& attended = m_state->attended[b];
            if (reuseAttended) {
                ++m_work.reusedAttentionOutputs;
            } else if (attentionRemoved) {
                attended = layer.attentionSublayer(input, m_state->masks[b], &here);
                m_work.passes += double(parts.attentionWeights + parts.attentionOutput) / whole;
            } else {
                BertLayerImpl::AttentionWeights weights;
                if (reuseWeights) {
                    weights = m_state->weights[b];
                    ++m_work.reusedAttentionWeights;
                } else {
                    weights = layer.attentionWeights(input, m_state->masks[b], &here);
                    m_work.passes += double(parts.attentionWeights) / whole;
                    if (m_keepWeights) m_state->weights[b] = weights;
                }
                attended = layer.attendWith(weights, input, &here);
                m_work.passes += double(parts.attentionOutput) / whole;
            }

            torch::Tensor hidden;
            if (ffnRemoved) {
                hidden = layer.ffnSublayer(attended, &here);
                m_work.passes += double(parts.ffnActivation + parts.ffnOutput) / whole;
            } else {
                torch::Tensor activation;
                if (reuseActivations) {
                    activation = m_state->activations[b];
                    ++m_work.reusedFfnActivations;
                } else {
                    activation = layer.ffnActivation(attended);
                    m_work.passes += double(parts.ffnActivation) / whole;
                    if (m_keepActivations) m_state->activations[b] = activation;
                }
                hidden = layer.ffnFromActivation(activation, attended, &here);
                m_work.passes += double(parts.ffnOutput) / whole;
            }
            if (m_keepOutputs) m_state->outputs[b] = hidden;
            for (size_t above = m_layer + 1; above < layers; ++above) {
                const auto fill = filling.find(above);
                if (fill != filling.end()) fill->second[b] = hidden;
                hidden = m_model.runLayer(above, hidden, m_state->masks[b], &candidate);
                m_work.passes += 1;
            }
            BertOutput output;
            output.lastHidden = hidden;
            m_model.applyHeads(output, ForwardOptions{});
            return output;
        },
        cancel, observer);
    m_attendedBy = here;
    if (m_keepOutputs) m_outputBy = here;
    for (auto& [start, hidden] : filling)
        m_state->layerInputs[start] = {{full.layers.begin(), full.layers.begin() + long(start)}, std::move(hidden)};
    if (m_keepWeights && !attentionRemoved) m_weightsTopK = here.hardAttentionTopK;
    if (m_keepActivations && !ffnRemoved) m_activationsKept = true;
    return result;
}

}  // namespace ax
