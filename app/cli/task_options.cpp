#include "cli/task_options.h"

#include "common/error.h"

#include <cmath>
#include <limits>

namespace ax::cli {

void addTaskOptions(Command& command)
{
    for (const char* option : {"task", "data", "max-seq-len", "max-train", "max-eval", "val-fraction", "seed",
                               "batch-size", "doc-stride"})
        command.options.insert(option);
}

TaskOptions readTaskOptions(const Arguments& arguments, int defaultBatchSize)
{
    TaskOptions options;
    try {
        options.task = &taskSpec(arguments.required("task"));
    } catch (const Error& error) {
        throw UsageError(error.what());
    }
    options.data = arguments.required("data");
    options.seed = static_cast<uint64_t>(arguments.integer("seed", 42, 0, std::numeric_limits<int>::max()));
    options.dataOptions.splitSeed = options.seed;
    options.dataOptions.maxTrain = static_cast<size_t>(arguments.integer("max-train", 0, 0, std::numeric_limits<int>::max()));
    options.dataOptions.maxEval = static_cast<size_t>(arguments.integer("max-eval", 0, 0, std::numeric_limits<int>::max()));
    // 0 is allowed (no val split); 1 would leave nothing to train on.
    options.dataOptions.valFraction = arguments.number("val-fraction", options.dataOptions.valFraction, 0.0, 0.99);
    options.evaluation.maxSeqLength = arguments.integer("max-seq-len", 128, 8, 100000);
    options.evaluation.batchSize = arguments.integer("batch-size", defaultBatchSize, 1, 100000);
    options.evaluation.docStride = arguments.integer("doc-stride", options.evaluation.maxSeqLength / 2, 1, 100000);
    return options;
}

}  // namespace ax::cli
