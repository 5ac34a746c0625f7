// The options every task command shares (--task, --data, --max-seq-len, --max-train, --max-eval,
// --val-fraction, --seed, --batch-size, --doc-stride), read into engine settings.
#pragma once

#include "cli/command.h"
#include "train/task_data.h"
#include "train/task_evaluator.h"

#include <filesystem>

namespace ax::cli {

struct TaskOptions {
    const TaskSpec* task = nullptr;
    std::filesystem::path data;
    DataOptions dataOptions;
    EvaluationSettings evaluation;
    uint64_t seed = 42;
};

void addTaskOptions(Command& command);
TaskOptions readTaskOptions(const Arguments& arguments, int defaultBatchSize);

}  // namespace ax::cli
