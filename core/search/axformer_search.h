// The AxFormer search (DESIGN.md §1): reference losses on val, the two-part acceptance test,
// selective hard attention bottom-up, then accuracy-driven pruning top-down (FFN block, else its
// groups when close; attention block, else its heads when close). Every evaluated configuration is
// recorded; user overrides force decisions; a journal makes a stopped search resume identically.
#pragma once

#include "common/progress.h"
#include "search/layer_work.h"
#include "search/plan.h"
#include "search/search_journal.h"
#include "train/task_evaluator.h"

#include <functional>
#include <map>

namespace ax {

class BertModelImpl;

struct SearchSettings {
    int topK = 30;                  // hard attention keeps this many probabilities per query
    int ffnGroups = 0;              // groups per layer; 0 = the number of heads
    double groupSlack = 1.1;        // try groups/heads when a rejected block's loss < slack * min loss
    // > 0 trades accuracy for size: accept when loss < min loss * (1 + tolerance) and most examples'
    // losses are <= their reference * (1 + tolerance). 0 is the method exactly.
    double tolerance = 0.0;
    bool hardAttention = true, ffnBlocks = true, ffnGroupsAllowed = true, attentionBlocks = true, heads = true;
    std::map<Element, bool> overrides;  // forced on (applied) or off (rejected) by the user
    // How, not what: false evaluates every candidate with a full val pass instead of running only
    // the layers from its own up (search/layer_cache.h). The results are the same; the search keeps
    // no hidden states (two per val token and layer width: less memory on a large val split) and
    // its wall time is what the cache saves, measured (bench/search_depth.sh).
    bool layerCache = true;
    // Bytes the layer cache may keep beyond those two: inputs of other layers, attention
    // probabilities, FFN activations (layer_cache.h). Less memory, more recomputation; same results.
    int64_t layerCacheMemory = kDefaultLayerCacheMemory;
};

// One evaluated configuration: the applied decisions so far plus the candidate element.
struct CandidateRecord {
    size_t sequence = 0;            // 0 = the unapproximated baseline
    std::optional<Element> element;
    bool accepted = false;
    bool forced = false;
    double valLoss = 0, valMetric = 0;
    int64_t agreeCount = 0;
    int64_t parameters = 0, flops = 0;
    std::optional<double> latencyMs; // of the sliced configuration, when measured (search_job.h)
    std::vector<Element> applied;   // the configuration: every element applied in it
};

class SearchObserver : public ProgressObserver {
public:
    virtual void onCandidate(const CandidateRecord& /*candidate*/) {}
    virtual void onDecision(const Decision& /*decision*/) {}
};

struct SearchResult {
    Plan plan;
    std::vector<CandidateRecord> candidates;
    EvaluationResult baselineVal;
    Approximation approximation;     // the final one
    double seconds = 0;
    // This process's batches only, when the val batches are shared among processes.
    LayerWork work;                  // what ran against full passes for every candidate evaluated
    size_t replayedCandidates = 0;   // taken from the journal of an earlier run, not evaluated
};

// The configuration a search ended with: its last accepted candidate, or the baseline.
const CandidateRecord& lastAccepted(const SearchResult& result);

// Identity of a search for its journal: what must match for a resume to be valid.
nlohmann::json searchIdentity(const Plan& header, const SearchSettings& settings);

// `header` carries the plan's identity fields (model, task, val split); the result's plan adds the
// decisions. Costs of each configuration (parameters, FLOPs) come from `costs`.
using CostFunction = std::function<std::pair<int64_t, int64_t>(const Approximation&)>;
SearchResult runSearch(BertModelImpl& model, const TaskEvaluator& val, const Plan& header, const SearchSettings& settings,
                       const CostFunction& costs, SearchJournal* journal = nullptr, SearchObserver* observer = nullptr,
                       const CancelToken* cancel = nullptr);

}  // namespace ax
