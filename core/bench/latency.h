// Wall-clock latency of the forward pass, measured the way the house compares speed: repeated runs
// after warm-up, medians, and two models side by side in one run, quoted as a ratio.
#pragma once

#include "model/approximation.h"
#include "model/bert_model.h"

#include <cstdint>
#include <vector>

namespace ax {

struct LatencySettings {
    int batch = 1;
    int sequenceLength = 128;
    int warmupRuns = 3;
    int runs = 20;
    double maxSeconds = 30;   // stop early after this much measuring, with at least 5 runs (or `runs` when fewer)
    uint64_t seed = 0;        // for the random token ids
};

struct LatencyResult {
    int batch = 0, sequenceLength = 0, threads = 0;  // threads: LibTorch's intra-op pool during the runs
    std::vector<double> millis;                      // every measured run, in order
    double median = 0, min = 0, max = 0;             // milliseconds
    int runs = 0;                                    // millis.size(); fewer than asked when maxSeconds hit
};

// Times model.forward (encoder, pooler and task heads; no masked-LM logits) in eval mode under
// torch::InferenceMode, on one fixed input: token ids drawn from [1000, vocab) (from [1, vocab) for
// vocabularies of 1000 or fewer), token types 0, attention mask all ones. Each run is timed with
// steady_clock around forward(). The model's training flag is restored afterwards. Throws ax::Error
// for impossible settings (e.g. a sequence longer than the model's positions).
LatencyResult measureLatency(BertModelImpl& model, const LatencySettings& settings,
                             const Approximation* approximation = nullptr);

// Both models measured in turns (warm-up A B A B ..., then a few timed forwards of A after an
// untimed one, the same of B, and again) so that drift and noise from other processes hit both
// alike while each timed forward finds its own weights in the caches. maxSeconds bounds the two
// models' measuring time together.
struct Comparison {
    LatencyResult base, other;
    double speedup = 0;  // base.median / other.median: > 1 when `other` is faster
};
Comparison compareLatency(BertModelImpl& base, BertModelImpl& other, const LatencySettings& settings);

// Many models timed on one scale: each alternately with `reference` (compareLatency) and quoted
// as referenceMs / speed-up. The machine's drift between one model's timing and the next (medians
// of one binary moved by ±15% between minutes here) then cancels out of their comparison, which is
// what the Pareto front shows. `reference` must outlive this object.
class RelativeLatency {
public:
    RelativeLatency(BertModelImpl& reference, double referenceMs, const LatencySettings& settings);
    // Milliseconds of `model` on the reference's scale.
    double of(BertModelImpl& model) const;

private:
    BertModelImpl& m_reference;
    double m_referenceMs;
    LatencySettings m_settings;
};

// The median of `values` (the mean of the two middle ones for an even count); 0 when empty.
double medianOf(std::vector<double> values);

}  // namespace ax
