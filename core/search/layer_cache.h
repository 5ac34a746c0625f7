// Incremental evaluation for the search: a change at layer l leaves the input to layer l as it
// was, so the hidden states entering layer l are kept for every val batch and only layers l..L-1
// are recomputed per candidate (DESIGN.md §1, "Cost"). Within layer l the candidates differ only
// in part of the work, so more is kept, from the last candidate at l whose settings allow it:
// - an FFN candidate leaves the attention sub-layer's output as it was: only l's FFN runs;
// - an FFN group candidate also leaves the FFN's activation as it was (the groups only mask it):
//   only the FFN's second product runs;
// - a head candidate leaves the attention probabilities and values as they were (the head mask
//   acts after them): the context, the output projection and the FFN run.
// The search moves down from layer to layer; the inputs of some layers are kept as it moves up, so
// that a move down starts from the nearest kept input instead of from the embeddings. Candidates
// pass through those layers too, and fill the ones whose settings below are no longer the current
// ones: the baseline fills them all, so hard attention's upward moves (tried bottom-up) start from
// them while its candidates are rejected, and from the last candidate's output when one is accepted.
// What runs is what a full pass runs, on the same inputs: the results are the same bits.
#pragma once

#include "model/approximation.h"
#include "search/layer_work.h"
#include "train/task_evaluator.h"

#include <memory>
#include <optional>

namespace ax {

class BertModelImpl;

class LayerCache {
public:
    // The cache always holds, per val batch, the input to the current layer and its attention
    // output. `memoryBudget` bytes bound the rest: inputs of other layers (with up to half of
    // it), the attention probabilities and values, the FFN activations, the last candidate's
    // output of the current layer, then more layer inputs; each kept only when it fits whole for
    // every batch (the batch shapes give the sizes). Layer inputs and outputs serve a caller that
    // accepts candidates and moves down; one that never does (the significance analysis: every
    // candidate against the unchanged model, layer by layer upwards) says so with !accepting.
    LayerCache(BertModelImpl& model, const TaskEvaluator& evaluator, int64_t memoryBudget, bool accepting = true);
    ~LayerCache();

    // Holds the inputs to `layer` computed under `approximation`'s settings for the layers below.
    // Starts from the highest kept layer input that those settings agree with (or the last
    // candidate's output, or the embeddings), and runs the layers from there.
    void moveTo(size_t layer, const Approximation& approximation, const CancelToken* cancel);

    // Evaluates `candidate` (which must agree with the cache below its layer) running only the
    // layers from the cached one up, and in the cached one only what the candidate changes.
    EvaluationResult evaluate(const Approximation& candidate, const CancelToken* cancel, ProgressObserver* observer);

    size_t layer() const { return m_layer; }
    // What ran so far (naivePasses is the caller's: it knows how many candidates were evaluated).
    const LayerWork& work() const { return m_work; }

private:
    void planMemory(int64_t memoryBudget, bool accepting);
    void forgetLayerState();
    bool restoreKeptInput(size_t lowest, size_t layer, const Approximation& full);
    void stepUp(const Approximation& full);

    struct State;
    BertModelImpl& m_model;
    const TaskEvaluator& m_evaluator;
    std::unique_ptr<State> m_state;
    size_t m_layer = 0;
    Approximation m_below;    // the settings the cached states were computed with
    Approximation m_current;  // the settings of the last moveTo: kept layer inputs that disagree are stale
    bool m_keepWeights = false, m_keepActivations = false, m_keepOutputs = false;
    // The settings of m_layer that made each kept thing; none while there is none.
    std::optional<LayerApproximation> m_attendedBy;
    std::optional<int> m_weightsTopK;  // the probabilities' hard-attention setting
    bool m_activationsKept = false;    // made from the kept attention outputs
    std::optional<LayerApproximation> m_outputBy;  // the settings of the kept output of m_layer
    LayerWork m_work;
};

}  // namespace ax
