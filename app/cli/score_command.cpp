#include "cli/command.h"

#include "cli/task_options.h"
#include "common/error.h"
#include "data/task_split.h"
#include "metrics/scoring.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <iostream>

namespace ax::cli {

namespace {

int runScore(const Arguments& arguments)
{
    const std::filesystem::path data = arguments.required("data");
    const std::shared_ptr<const TaskSpec> task = readTaskSpec(arguments, data);
    const std::filesystem::path predictions = arguments.required("predictions");
    const std::string split = arguments.value("split").value_or("dev");
    if (task->kind != TaskKind::SpanExtraction) {
        const auto names = taskSplitNames(*task);
        if (std::find(names.begin(), names.end(), split) == names.end()) {
            std::string valid;
            for (const auto& name : names) valid += (valid.empty() ? "" : ", ") + name;
            throw UsageError("--split must be one of " + valid + " for " + task->name + ", got \"" + split + "\"");
        }
    }

    const ScoreReport report = scorePredictionsFile(*task, data, predictions, split);
    if (report.metrics.missing > 0)
        std::cerr << "axformer score: " << report.metrics.missing << " of " << report.examples
                  << " questions have no prediction and score 0\n";
    const nlohmann::json json = scoreReportJson(report);
    if (arguments.flag("json")) {
        std::cout << json.dump() << "\n";
    } else {
        std::cout << report.task << " " << report.split << " (" << report.examples << " examples):";
        bool first = true;
        for (const auto& [name, value] : json["metrics"].items()) {
            std::cout << (first ? " " : ", ") << name << " " << value.dump();
            first = false;
        }
        std::cout << "\n";
    }
    return 0;
}

}  // namespace

Command scoreCommand()
{
    Command command{"score", "grade a predictions file against gold data, like the official evaluation scripts",
                    "usage: axformer score --task T --data PATH --predictions FILE [--split dev] [--json]\n\n"
                    "Reads predictions in the official formats and prints the task's official metrics (fractions\n"
                    "in [0,1]; SQuAD exact_match and squad_f1 in 0-100, as the official v1.1 script).\n"
                    "  --task T          cola sst2 mrpc stsb qqp mnli qnli rte wnli squad custom\n"
                    "  --data PATH       a GLUE task folder (train.tsv, dev.tsv), a SQuAD JSON file or folder, or\n"
                    "                    a custom task's folder (below)\n"
                    "  --predictions F   GLUE: TSV with the header `index<TAB>prediction` and one row per example\n"
                    "                    (label strings as in the data; STS-B scores), every example exactly once;\n"
                    "                    SQuAD: JSON {question_id: answer}; a missing answer scores 0 (counted)\n"
                    "  --split S         the gold split (default dev; MNLI: dev_matched, dev_mismatched)\n"
                    "  --json            one JSON object {\"task\", \"split\", \"examples\", \"metrics\": {...}}\n",
                    {"json"},
                    {"predictions", "split"},
                    runScore};
    addTaskSpecOptions(command);
    return command;
}

}  // namespace ax::cli
