// The options every task command shares (--task, --data, --max-seq-len, --max-train, --max-eval,
// --val-fraction, --seed, --batch-size, --doc-stride; a custom task's --text-column and the rest),
// read into engine settings.
#pragma once

#include "cli/command.h"
#include "train/task_data.h"
#include "train/task_evaluator.h"

#include <filesystem>
#include <memory>

namespace ax::cli {

struct TaskOptions {
    std::shared_ptr<const TaskSpec> task;
    std::filesystem::path data;
    DataOptions dataOptions;
    EvaluationSettings evaluation;
    uint64_t seed = 42;
};

// --task and --data, the custom task's options, and their help paragraph.
void addTaskSpecOptions(Command& command);
// The above, and the data and evaluation options.
void addTaskOptions(Command& command);

// --task NAME, or --task custom described by its options (labels read from `data`'s train file
// unless --labels lists them). Throws UsageError for an unknown task or a custom task's option
// given with a built-in task.
std::shared_ptr<const TaskSpec> readTaskSpec(const Arguments& arguments, const std::filesystem::path& data);
TaskOptions readTaskOptions(const Arguments& arguments, int defaultBatchSize);

}  // namespace ax::cli
