// Grading a predictions file in an official format against gold data, as the official evaluation
// scripts do: the core of `axformer score` and of `axformer eval --predictions`.
#pragma once

#include "data/example.h"
#include "data/task.h"
#include "metrics/metrics.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <string>

namespace ax {

struct ScoreReport {
    std::string task, split;
    size_t examples = 0;   // gold examples (SQuAD: questions) graded
    MetricSet metrics;
};

// GLUE: every gold example needs exactly one prediction (as the GLUE server demands): throws
// ax::Error naming `predictionsName` and the first index when some are missing, unknown to the
// gold data, not a label string of the task or (STS-B) not a number.
MetricSet scoreGluePredictions(const TaskSpec& task, const Dataset& gold,
                               const std::map<std::string, std::string>& predictions, const std::string& predictionsName);

// Loads the gold split (`data`: a GLUE task folder, or a SQuAD file or folder) and the predictions
// (GLUE: index<TAB>prediction TSV; SQuAD: {id: answer} JSON) and grades them. SQuAD follows the
// official v1.1 script: missing answers score 0 and are counted in metrics.missing.
ScoreReport scorePredictionsFile(const TaskSpec& task, const std::filesystem::path& data,
                                 const std::filesystem::path& predictionsFile, const std::string& split = "dev");

// {"task", "split", "examples", "metrics": {...}} (+ "missing_predictions" for SQuAD), the JSON of
// `axformer eval` and `axformer score`.
nlohmann::json scoreReportJson(const ScoreReport& report);

}  // namespace ax
