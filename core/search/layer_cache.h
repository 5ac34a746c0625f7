// Incremental evaluation for the search: a change at layer l leaves the input to layer l as it
// was, so the hidden states entering layer l are kept for every val batch and only layers l..L-1
// are recomputed per candidate (DESIGN.md §1, "Cost"). Within layer l, a change to its FFN alone
// leaves the attention sub-layer's output as it was: that output is kept too, from the last
// candidate whose attention settings were the same, so such a candidate runs only the FFN of l.
#pragma once

#include "model/approximation.h"
#include "train/task_evaluator.h"

#include <memory>
#include <optional>

namespace ax {

class BertModelImpl;

class LayerCache {
public:
    LayerCache(BertModelImpl& model, const TaskEvaluator& evaluator);
    ~LayerCache();

    // Holds the inputs to `layer` computed under `approximation`'s settings for the layers below.
    // Moves up incrementally when those settings are unchanged, else recomputes from the embeddings.
    void moveTo(size_t layer, const Approximation& approximation, const CancelToken* cancel);

    // Evaluates `candidate` (which must agree with the cache below its layer) running only the
    // layers from the cached one up, and only the FFN of the cached one when the kept attention
    // output was made with the candidate's attention settings there.
    EvaluationResult evaluate(const Approximation& candidate, const CancelToken* cancel, ProgressObserver* observer);

    size_t layer() const { return m_layer; }
    // Work done, to compare with full passes: (batch, layer) passes run whole, and those that
    // reused the kept attention output and ran only the FFN sub-layer.
    int64_t layerPasses() const { return m_layerPasses; }
    int64_t ffnOnlyPasses() const { return m_ffnOnlyPasses; }

private:
    void forgetAttended();

    struct State;
    BertModelImpl& m_model;
    const TaskEvaluator& m_evaluator;
    std::unique_ptr<State> m_state;
    size_t m_layer = 0;
    Approximation m_below;  // the settings the cached states were computed with
    // The settings of m_layer that made the kept attention outputs; none while there are none.
    std::optional<LayerApproximation> m_attendedBy;
    int64_t m_layerPasses = 0;
    int64_t m_ffnOnlyPasses = 0;
};

}  // namespace ax
