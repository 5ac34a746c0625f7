#include "search/layer_cache.h"

#include "model/bert_model.h"
#include "train/batch_tensors.h"

#include <torch/torch.h>

namespace ax {

// Per val batch; only the batches this process evaluates (TaskEvaluator::ownsBatch) are filled.
struct LayerCache::State {
    std::vector<BatchTensors> batches;
    std::vector<torch::Tensor> masks;     // additive attention masks
    std::vector<torch::Tensor> hidden;    // input to m_layer, per batch
    std::vector<torch::Tensor> attended;  // output of m_layer's attention sub-layer, per batch
    std::vector<size_t> owned;            // the indices of the filled ones
};

LayerCache::LayerCache(BertModelImpl& model, const TaskEvaluator& evaluator)
    : m_model(model), m_evaluator(evaluator), m_state(std::make_unique<State>())
{
    m_model.eval();
    torch::InferenceMode inference;
    const size_t count = evaluator.batches().size();
    m_state->batches.resize(count);
    m_state->masks.resize(count);
    m_state->hidden.resize(count);
    m_state->attended.resize(count);
    for (size_t b = 0; b < count; ++b) {
        if (!evaluator.ownsBatch(b)) continue;
        m_state->owned.push_back(b);
        const BatchTensors& tensors = m_state->batches[b] = toTensors(evaluator.batches()[b]);
        m_state->hidden[b] = m_model.embed(tensors.input.inputIds, tensors.input.tokenTypeIds);
        m_state->masks[b] = BertModelImpl::additiveMask(tensors.input.attentionMask, m_state->hidden[b]);
    }
    m_below = Approximation::none(static_cast<int>(model.layerCount()));
}

LayerCache::~LayerCache() = default;

void LayerCache::moveTo(size_t layer, const Approximation& approximation, const CancelToken* cancel)
{
    torch::InferenceMode inference;
    const Approximation full = approximation.layers.empty() ? Approximation::none(int(m_model.layerCount())) : approximation;
    bool unchangedBelow = layer >= m_layer;
    for (size_t i = 0; unchangedBelow && i < m_layer; ++i) unchangedBelow = full.layers[i] == m_below.layers[i];
    if (!unchangedBelow || layer != m_layer) forgetAttended();
    if (!unchangedBelow) {
        for (const size_t b : m_state->owned) {
            const BatchTensors& tensors = m_state->batches[b];
            m_state->hidden[b] = m_model.embed(tensors.input.inputIds, tensors.input.tokenTypeIds);
        }
        m_layer = 0;
    }
    for (; m_layer < layer; ++m_layer) {
        for (const size_t b : m_state->owned) {
            throwIfCancelled(cancel);
            m_state->hidden[b] = m_model.runLayer(m_layer, m_state->hidden[b], m_state->masks[b], &full);
            ++m_layerPasses;
        }
        m_below.layers[m_layer] = full.layers[m_layer];
    }
}

void LayerCache::forgetAttended()
{
    m_attendedBy.reset();
    for (torch::Tensor& attended : m_state->attended) attended = torch::Tensor();
}

EvaluationResult LayerCache::evaluate(const Approximation& candidate, const CancelToken* cancel, ProgressObserver* observer)
{
    const size_t layers = m_model.layerCount();
    const LayerApproximation here = candidate.layer(m_layer) ? *candidate.layer(m_layer) : LayerApproximation{};
    const bool reuse = m_attendedBy && m_attendedBy->sameAttention(here);
    // Kept outputs are replaced batch by batch below: a cancelled evaluation must not leave a mix
    // that claims to come from one setting.
    if (!reuse) m_attendedBy.reset();
    EvaluationResult result = m_evaluator.evaluateWith(
        [&](size_t b, const BatchTensors&) {
            BertOutput output;
            torch::Tensor& attended = m_state->attended[b];
            if (reuse) {
                ++m_ffnOnlyPasses;
            } else {
                attended = m_model.runAttentionSublayer(m_layer, m_state->hidden[b], m_state->masks[b], &candidate);
                ++m_layerPasses;
            }
            torch::Tensor hidden = m_model.runFfnSublayer(m_layer, attended, &candidate);
            for (size_t layer = m_layer + 1; layer < layers; ++layer) {
                hidden = m_model.runLayer(layer, hidden, m_state->masks[b], &candidate);
                ++m_layerPasses;
            }
            output.lastHidden = hidden;
            m_model.applyHeads(output, ForwardOptions{});
            return output;
        },
        cancel, observer);
    m_attendedBy = here;
    return result;
}

}  // namespace ax
