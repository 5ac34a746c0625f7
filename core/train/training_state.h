// A fine-tune's state at the end of an epoch, so that a run killed at any moment resumes at its
// last finished epoch and ends exactly as an uninterrupted run would: the current weights, the
// optimiser's moments and schedule, the best epoch's weights and the reports of the epochs so far.
// Written atomically (a kill while writing leaves the previous epoch's state whole).
#pragma once

#include "train/fine_tuner.h"
#include "train/optimization.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <vector>

namespace ax {

// The state file of a fine-tune whose output is `outFolder`: beside it, named after it.
std::filesystem::path trainingStateFile(const std::filesystem::path& outFolder);

struct TrainingProgress {
    FineTuneReport report;            // the finished epochs (bestEpoch, bestValPrimary, steps)
    std::vector<torch::Tensor> best;  // the best epoch's weights, in namedWeights() order
};

// `identity` names what was trained and how (task, data, settings); a resume must match it.
void saveTrainingState(const std::filesystem::path& file, const nlohmann::json& identity, BertModelImpl& model,
                       const Optimization& optimization, const TrainingProgress& progress);

// Restores the model's weights, the optimiser and the progress from `file`. Throws ax::Error
// naming the file when it is unreadable or was written for another identity or model shape.
TrainingProgress loadTrainingState(const std::filesystem::path& file, const nlohmann::json& identity,
                                   const TaskSpec& task, BertModelImpl& model, Optimization& optimization);

}  // namespace ax
