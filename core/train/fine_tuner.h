// Fine-tuning a BERT on a task: AdamW with decoupled weight decay, linear warm-up and decay,
// gradient clipping, dropout, seeds, length-bucketed batches, a validation pass after each epoch,
// and the best epoch (by the task's primary metric on val) kept.
#pragma once

#include "common/progress.h"
#include "data/features.h"
#include "train/distillation.h"
#include "train/optimization.h"
#include "train/task_evaluator.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>

namespace ax {

struct FineTuneSettings {
    int epochs = 3;
    int batchSize = 32;
    OptimizerSettings optimizer;
    uint64_t seed = 42;
    Distillation distillation;  // a teacher: distil it into the model as it trains
};

// Where a fine-tune keeps its state after every epoch (train/training_state.h) so that a killed run
// can be resumed, and whether this run continues from it.
struct EpochCheckpoints {
    std::filesystem::path stateFile;
    nlohmann::json identity;  // what is trained and how; a state written for another is refused
    bool resume = false;      // continue from stateFile when it exists
};

struct EpochReport {
    int epoch = 0;          // 1-based
    double trainLoss = 0;   // mean over the epoch's batches
    double valLoss = 0;
    MetricSet valMetrics;
    double valPrimary = 0;  // the task's primary metric on val
    double seconds = 0;     // wall time of the epoch, validation included
    bool best = false;      // the best epoch so far
};

struct FineTuneReport {
    std::vector<EpochReport> epochs;
    int bestEpoch = 0;
    double bestValPrimary = 0;
    int64_t steps = 0;
    double seconds = 0;    // the epochs' wall time, those of an interrupted earlier run included
    int resumedAfter = 0;  // the epochs an earlier run had finished
};

// Trains `model` in place on `train` and leaves it holding the weights of the best epoch by `val`
// (without a val split, every epoch counts as the best so far and the last one is kept).
// `onImproved` is called after each epoch that beats every earlier one (to save a checkpoint).
// Throws ax::Cancelled when `cancel` is set; the model then holds the best weights so far.
// With `checkpoints` the state is saved after every epoch (after onImproved) and, when asked, a
// run resumes from it; each epoch's shuffling and dropout derive from the seed and the epoch alone,
// so a resumed run ends with the weights of an uninterrupted one.
FineTuneReport fineTune(BertModelImpl& model, const TaskSpec& task, const std::vector<Feature>& train,
                        const TaskEvaluator* val, const FineTuneSettings& settings, ProgressObserver* observer = nullptr,
                        const CancelToken* cancel = nullptr,
                        const std::function<void(const EpochReport&)>& onImproved = {},
                        const EpochCheckpoints* checkpoints = nullptr);

// The primary metric of a result; NaN (undefined correlation) counts as worse than any number.
double primaryMetric(const TaskSpec& task, const MetricSet& metrics);

}  // namespace ax
