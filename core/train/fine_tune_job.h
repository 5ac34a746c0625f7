// One whole fine-tuning run, as `axformer finetune`, the studio and the demo do it: load the
// pretrained folder and the task's data (val carved from train), train keeping the best epoch on
// val (saved to `out` as each improves), score it on dev and write out/finetune.json.
#pragma once

#include "train/fine_tuner.h"
#include "train/task_data.h"

#include <nlohmann/json.hpp>

#include <filesystem>

namespace ax {

struct FineTuneJob {
    std::filesystem::path model;   // pretrained (or already fine-tuned) model folder
    const TaskSpec* task = nullptr;
    std::filesystem::path data;
    DataOptions dataOptions;
    EvaluationSettings evaluation;
    FineTuneSettings settings;
    std::filesystem::path out;     // the fine-tuned model folder
    bool fromScratch = false;      // re-initialise every weight: the random-init baseline
    // A fine-tuned model of the same task to distil from (settings.distillation's temperature and
    // weights; its teacher pointer is set here): typically the model `model` was sliced from.
    std::filesystem::path teacher;
    // Continue a killed or cancelled run from its state (trainingStateFile(out)) when there is one;
    // otherwise a leftover state is discarded and training starts over.
    bool resume = false;
};

struct FineTuneJobResult {
    FineTuneReport report;
    EvaluationResult dev;
    nlohmann::json summary;        // what out/finetune.json holds
};

// Throws ax::Error naming the file for bad input, ax::Cancelled when `cancel` is set (the best
// epoch so far is then already saved in `out`, and the run can be resumed). After every epoch the
// state is saved beside `out` (train/training_state.h); a finished run removes it.
FineTuneJobResult runFineTuneJob(const FineTuneJob& job, ProgressObserver* observer = nullptr, const CancelToken* cancel = nullptr);

}  // namespace ax
