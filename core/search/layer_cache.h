// Incremental evaluation for the search: a change at layer l leaves the input to layer l as it
// was, so the hidden states entering layer l are kept for every val batch and only layers l..L-1
// are recomputed per candidate (DESIGN.md §1, "Cost").
#pragma once

#include "model/approximation.h"
#include "train/task_evaluator.h"

#include <memory>

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
    // layers from the cached one up.
    EvaluationResult evaluate(const Approximation& candidate, const CancelToken* cancel, ProgressObserver* observer);

    size_t layer() const { return m_layer; }
    // Work done, in (batch, layer) passes, to compare with full passes.
    int64_t layerPasses() const { return m_layerPasses; }

private:
    struct State;
    BertModelImpl& m_model;
    const TaskEvaluator& m_evaluator;
    std::unique_ptr<State> m_state;
    size_t m_layer = 0;
    Approximation m_below;  // the settings the cached states were computed with
    int64_t m_layerPasses = 0;
};

}  // namespace ax
