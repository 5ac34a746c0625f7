// A task's data as the method uses it: train minus a carved-out validation split (decisions and
// checkpoint selection), and the official dev set (reporting only).
#pragma once

#include "data/example.h"
#include "data/squad.h"
#include "data/task.h"

#include <filesystem>

namespace ax {

struct DataOptions {
    double valFraction = 0.15;   // the method's 15%
    uint64_t splitSeed = 42;
    size_t maxTrain = 0;         // 0 = all; otherwise the first N training examples (before the split)
    size_t maxEval = 0;          // 0 = all; otherwise the first N of val and of dev
};

struct TaskData {
    const TaskSpec* task = nullptr;
    std::vector<Example> train, val, dev;
    // SQuAD only: the questions behind train/val/dev, in the same order as the examples.
    std::vector<SquadQuestion> trainQuestions, valQuestions, devQuestions;
    std::string trainFile, devFile;
};

// Loads <data>/train.tsv and dev.tsv (GLUE), a custom task's train and dev files or the SQuAD
// JSON files, and carves val from train.
TaskData loadTaskData(const TaskSpec& task, const std::filesystem::path& data, const DataOptions& options);

}  // namespace ax
