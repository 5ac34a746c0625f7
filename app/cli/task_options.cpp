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
    if (const auto fraction = arguments.value("val-fraction")) {
        char* end = nullptr;
        const double value = std::strtod(fraction->c_str(), &end);
        if (end == fraction->c_str() || *end != '\0' || !(value >= 0 && value < 1))
            throw UsageError("--val-fraction must be a number in [0, 1), got \"" + *fraction + "\"");
        options.dataOptions.valFraction = value;
    }
    options.evaluation.maxSeqLength = arguments.integer("max-seq-len", 128, 8, 100000);
    options.evaluation.batchSize = arguments.integer("batch-size", defaultBatchSize, 1, 100000);
    options.evaluation.docStride = arguments.integer("doc-stride", options.evaluation.maxSeqLength / 2, 1, 100000);
    return options;
}

}  // namespace ax::cli
