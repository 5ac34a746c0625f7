// One whole AxFormer run on a model folder and a task, as the CLI's `search` and the studio's
// worker both do it: load, optionally analyse significance, search, measure the baseline and the
// physically sliced model on dev and in latency, and write the run folder.
#pragma once

#include "bench/latency.h"
#include "distributed/collective.h"
#include "search/axformer_search.h"
#include "search/search_report.h"
#include "search/significance.h"
#include "train/fine_tuner.h"
#include "train/task_data.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ax {

// A further search in the same run with other settings (a tolerance, a k, element kinds left
// out): its configurations join the run's Pareto front; the run's plan stays the main search's.
struct SearchVariant {
    std::string name;               // how the report and pareto.json name it, e.g. "tolerance=0.02"
    SearchSettings settings;
};

struct SearchJob {
    std::filesystem::path model;
    const TaskSpec* task = nullptr;
    std::filesystem::path data;
    DataOptions dataOptions;
    EvaluationSettings evaluation;
    SearchSettings settings;
    std::vector<SearchVariant> variants;  // each with its own journal-variant-N.jsonl and plan-variant-N.json
    std::filesystem::path out;     // the run folder: plan.json, pareto.json, report.md, journal.jsonl
    bool resume = false;           // continue the journal in `out` (else `out` must not hold a search)
    bool significance = false;     // also write significance.json (heatmaps)
    int latencyRuns = 20;
    int candidateLatencyRuns = 5;  // > 0: time every evaluated configuration, sliced (pareto.json); 0: skip
    // Also the baseline and each search's final configuration with int8 encoder projections
    // (model/int8_linear.h), evaluated on val and timed: pareto.json's points of variant "int8".
    bool int8 = false;
    // Also the same configurations with every weight in bfloat16 (search/option_points.h), on val
    // and timed: pareto.json's points of variant "bf16".
    bool bf16 = false;
    // Also each search's final configuration fine-tuned again on train with the model as teacher
    // (these settings: epochs, optimizer, seed, temperature, alpha), evaluated on val and timed:
    // pareto.json's points of variant "distilled".
    std::optional<FineTuneSettings> distill;
    // Several processes, each started with the same job, share the val and dev batches
    // (docs/DISTRIBUTED.md): all take the same decisions; rank 0 alone reads the journal and
    // writes the run folder, and times latency. Null: this process does everything.
    Collective* collective = nullptr;
};

struct SearchJobResult {
    SearchResult search;           // search.plan has baseline/approximated measurements filled in
    std::vector<SearchResult> variants;  // in the order of SearchJob::variants
    std::optional<SearchResult> int8;    // with SearchJob::int8: one candidate per quantized configuration
    std::optional<SearchResult> bf16;    // with SearchJob::bf16: one candidate per converted configuration
    std::optional<SearchResult> distilled;  // with SearchJob::distill: one candidate per distilled configuration
    std::optional<Significance> significance;
    Comparison speed;              // baseline vs sliced, batch 1, sequence 128
    std::filesystem::path out;

    // The int8, bf16 and distilled points that were made, by those names (search_report.h).
    std::vector<NamedSearch> optionPoints() const;
};

// Throws ax::Error for bad input (naming the file), Cancelled when `cancel` was set; the journal
// keeps what was evaluated so a later run with `resume` continues it.
SearchJobResult runSearchJob(const SearchJob& job, SearchObserver* observer = nullptr, const CancelToken* cancel = nullptr);

}  // namespace ax
