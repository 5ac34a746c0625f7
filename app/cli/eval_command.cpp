#include "cli/command.h"

#include "cli/distributed_options.h"
#include "cli/progress_printer.h"
#include "cli/task_options.h"
#include "data/task_split.h"
#include "data/predictions.h"
#include "model/model_folder.h"
#include "search/plan.h"
#include "train/task_model.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <iostream>

namespace ax::cli {

namespace {

using nlohmann::json;

int runEval(const Arguments& arguments)
{
    const TaskOptions options = readTaskOptions(arguments, 64);
    const TaskSpec& task = *options.task;
    const std::string split = arguments.value("split").value_or("dev");
    if (split != "dev" && split != "val") throw UsageError("--split must be dev or val, got \"" + split + "\"");
    const std::filesystem::path modelFolder = arguments.required("model");

    const std::unique_ptr<Collective> collective = joinFromArguments(arguments);
    ProgressPrinter printer(arguments.flag("quiet") || !isLead(collective.get()));
    LoadedModel loaded = loadModelFolder(modelFolder);
    const BertTokenizer tokenizer = BertTokenizer::fromModelFolder(modelFolder);
    checkInputsFit(loaded, tokenizer.vocab(), options.evaluation.maxSeqLength);
    requireHeadFor(*loaded.model, task, modelFolder);
    std::vector<Example> examples;
    std::vector<SquadQuestion> questions;
    if (split == "val") {
        TaskData data = loadTaskData(task, options.data, options.dataOptions);
        examples = std::move(data.val);
        questions = std::move(data.valQuestions);
    } else if (task.kind == TaskKind::SpanExtraction) {
        questions = loadSquad(options.data, "dev");
        if (options.dataOptions.maxEval > 0 && questions.size() > options.dataOptions.maxEval) questions.resize(options.dataOptions.maxEval);
    } else {
        examples = loadTaskSplit(task, options.data, "dev").examples;
        if (options.dataOptions.maxEval > 0 && examples.size() > options.dataOptions.maxEval) examples.resize(options.dataOptions.maxEval);
    }
    TaskEvaluator evaluator(task, examples, questions, tokenizer, options.evaluation);
    evaluator.shardAcross(collective.get());
    if (collective)  // hashing the weights takes a moment: only when there are others to agree with
        requireSameEverywhere(collective.get(), weightsHash(modelFolder) + " " + std::to_string(evaluator.contentHash()),
                              "model weights or " + split + " data");
    const EvaluationResult result = evaluator.evaluate(*loaded.model, nullptr, nullptr, &printer);
    if (!isLead(collective.get())) {  // rank 0 reports and writes the predictions
        std::cout << "rank " << collective->rank() << " of " << collective->size() << ": done\n";
        return 0;
    }

    if (const auto predictions = arguments.value("predictions")) {
        if (task.kind == TaskKind::Classification) writeGluePredictions(*predictions, task, examples, result.predictedLabels);
        else if (task.kind == TaskKind::Regression) writeGluePredictions(*predictions, task, examples, result.predictedScores);
        else writeSquadPredictions(*predictions, result.answers);
    }
    const json report = {{"task", task.name},
                         {"split", split},
                         {"examples", evaluator.size()},
                         {"loss", result.meanLoss},
                         {"metrics", metricsJson(result.metrics)}};
    if (arguments.flag("json")) {
        std::cout << report.dump() << "\n";
    } else {
        std::cout << task.name << " " << split << " (" << evaluator.size() << " examples): loss " << result.meanLoss;
        for (const auto& [name, value] : report["metrics"].items()) std::cout << ", " << name << " " << value.dump();
        std::cout << "\n";
    }
    return 0;
}

}  // namespace

Command evalCommand()
{
    Command command{"eval", "evaluate a fine-tuned model on a task's dev set (or the val split)",
                    "usage: axformer eval --model DIR --task T --data PATH [--split dev|val] [--predictions FILE] [--json]\n\n"
                    "Prints the task's official metrics (fractions in [0,1]; SQuAD exact_match and squad_f1 in\n"
                    "0-100) and the mean loss. --predictions writes the predictions in the official format:\n"
                    "GLUE TSV `index<TAB>prediction`, SQuAD JSON {question_id: answer}.\n"
                    "  --split val      the validation split carved from train (--val-fraction, --seed)\n"
                    "  --max-eval N     only the first N examples;  --max-seq-len N (128);  --batch-size N (64)\n",
                    {"json"},
                    {"model", "split", "predictions"},
                    runEval};
    addTaskOptions(command);
    addDistributedOptions(command);
    return command;
}

}  // namespace ax::cli
