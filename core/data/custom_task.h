// A user's own task: single-text or text-pair classification, or regression, on files in a folder
// that hold train.* and dev.* (or validation.*, Hugging Face datasets' name) as TSV, CSV or JSONL.
#pragma once

#include "data/example.h"
#include "data/task.h"

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace ax {

struct CustomTaskSettings {
    ColumnMapping columns;
    // Classification label strings in id order; empty: every label of the train file, sorted
    // (numerically when all are integers), as Hugging Face's run_glue orders a CSV task's labels.
    std::vector<std::string> labels;
    bool regression = false;
    // accuracy, f1 (two labels: of the second label) or mcc; pearson or spearman for regression.
    // Empty: accuracy, pearson.
    std::string metric;
};

// The task the settings describe for the files in `data` (reads the train file when the labels
// are to come from it). Throws ax::Error for an impossible setting (a metric the task does not
// have, fewer than two labels, a label listed twice) and for the train file's problems.
TaskSpec customTaskSpec(const CustomTaskSettings& settings, const std::filesystem::path& data);

// <data>/<split>.{tsv,csv,jsonl}; "dev" is also found as validation.*. Throws ax::Error naming the
// folder when there is none or more than one, and for splits other than train and dev.
std::filesystem::path customSplitFile(const std::filesystem::path& data, const std::string& split);

// One split of a custom task (task.columns set). Throws ax::Error with file:line for an empty
// text, a label the task does not have, a score that is not a finite number or a repeated id.
Dataset loadCustomSplit(const TaskSpec& task, const std::filesystem::path& data, const std::string& split);

// The task's settings as plan.json and the search journal record them.
nlohmann::json customTaskJson(const TaskSpec& task);

}  // namespace ax
