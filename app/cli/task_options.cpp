#include "cli/task_options.h"

#include "common/error.h"
#include "data/custom_task.h"

#include <cmath>
#include <limits>

namespace ax::cli {

namespace {

const char* const kCustomTaskHelp =
    "\nYour own task: --task custom --data DIR, where DIR holds train.* and dev.* (or validation.*)\n"
    "as .tsv (no quoting), .csv or .jsonl (one object per line), read by column name or key:\n"
    "  --text-column C (text)   --text-pair-column C (none: single text)   --label-column C (label)\n"
    "  --id-column C (none: row numbers)   --regression (scores, not labels)\n"
    "  --labels A,B,...         label order (default: the train file's labels, sorted)\n"
    "  --metric M               accuracy (default), f1 (two labels), mcc; regression: pearson, spearman\n";

const char* const kCustomTaskOptions[] = {"text-column", "text-pair-column", "label-column", "id-column", "labels", "metric"};

std::vector<std::string> splitList(const std::string& list)
{
    std::vector<std::string> items;
    size_t start = 0;
    while (true) {
        const size_t comma = list.find(',', start);
        items.push_back(list.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return items;
}

}  // namespace

void addTaskSpecOptions(Command& command)
{
    command.options.insert("task");
    command.options.insert("data");
    for (const char* option : kCustomTaskOptions) command.options.insert(option);
    command.flags.insert("regression");
    command.usage += kCustomTaskHelp;
}

void addTaskOptions(Command& command)
{
    addTaskSpecOptions(command);
    for (const char* option : {"max-seq-len", "max-train", "max-eval", "val-fraction", "seed", "batch-size", "doc-stride"})
        command.options.insert(option);
}

std::shared_ptr<const TaskSpec> readTaskSpec(const Arguments& arguments, const std::filesystem::path& data)
{
    const std::string name = arguments.required("task");
    if (name != "custom") {
        for (const char* option : kCustomTaskOptions)
            if (arguments.value(option)) throw UsageError(std::string("--") + option + " describes a custom task: use it with --task custom");
        if (arguments.flag("regression")) throw UsageError("--regression describes a custom task: use it with --task custom");
        try {
            // The built-in tasks live as long as the program: nothing to free.
            return std::shared_ptr<const TaskSpec>(&taskSpec(name), [](const TaskSpec*) {});
        } catch (const Error& error) {
            throw UsageError(std::string(error.what()) + ", or custom");
        }
    }
    CustomTaskSettings settings;
    settings.columns.text = arguments.value("text-column").value_or(settings.columns.text);
    settings.columns.textPair = arguments.value("text-pair-column").value_or("");
    settings.columns.label = arguments.value("label-column").value_or(settings.columns.label);
    settings.columns.id = arguments.value("id-column").value_or("");
    if (const auto labels = arguments.value("labels")) settings.labels = splitList(*labels);
    settings.regression = arguments.flag("regression");
    settings.metric = arguments.value("metric").value_or("");
    return std::make_shared<const TaskSpec>(customTaskSpec(settings, data));
}

TaskOptions readTaskOptions(const Arguments& arguments, int defaultBatchSize)
{
    TaskOptions options;
    options.data = arguments.required("data");
    options.task = readTaskSpec(arguments, options.data);
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
