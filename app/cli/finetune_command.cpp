#include "cli/command.h"

#include "cli/progress_printer.h"
#include "cli/task_options.h"
#include "common/atomic_file.h"
#include "model/model_folder.h"
#include "train/fine_tuner.h"
#include "train/task_model.h"

#include <torch/torch.h>

#include <ATen/Parallel.h>
#include <nlohmann/json.hpp>

#include <iostream>

namespace ax::cli {

namespace {

using nlohmann::json;

json epochJson(const EpochReport& epoch)
{
    return {{"epoch", epoch.epoch},       {"train_loss", epoch.trainLoss},   {"val_loss", epoch.valLoss},
            {"val", metricsJson(epoch.valMetrics)}, {"seconds", epoch.seconds}, {"best", epoch.best}};
}

int runFinetune(const Arguments& arguments)
{
    const TaskOptions options = readTaskOptions(arguments, 32);
    const TaskSpec& task = *options.task;
    const std::filesystem::path modelFolder = arguments.required("model");
    const std::filesystem::path out = arguments.required("out");
    FineTuneSettings settings;
    settings.epochs = arguments.integer("epochs", 3, 1, 1000);
    settings.batchSize = options.evaluation.batchSize;
    settings.seed = options.seed;
    settings.optimizer.learningRate = arguments.number("lr", 2e-5, 1e-9, 1.0);
    settings.optimizer.warmupFraction = arguments.number("warmup", 0.1, 0.0, 1.0);
    settings.optimizer.weightDecay = arguments.number("weight-decay", 0.01, 0.0, 1.0);
    settings.optimizer.maxGradNorm = arguments.number("max-grad-norm", 1.0, 0.0, 1e6);
    const bool fromScratch = arguments.flag("from-scratch");

    ProgressPrinter printer(arguments.flag("quiet"));
    LoadedModel pretrained = loadModelFolder(modelFolder);
    const BertTokenizer tokenizer = BertTokenizer::fromModelFolder(modelFolder);
    const TaskData data = loadTaskData(task, options.data, options.dataOptions);
    printer.onMessage("data: " + std::to_string(data.train.size()) + " train, " + std::to_string(data.val.size()) +
                      " val (carved from " + data.trainFile + ", seed " + std::to_string(options.seed) + "), " +
                      std::to_string(data.dev.size()) + " dev");

    BertModel model = modelForTask(*pretrained.model, task, options.seed, fromScratch);
    EvaluationSettings evaluation = options.evaluation;
    evaluation.batchSize = std::max(64, settings.batchSize);
    const std::vector<Feature> train = encodeForTask(task, data.train, data.trainQuestions, tokenizer, options.evaluation);
    // --val-fraction 0 trains on all of train (to reproduce recipes that have no val split).
    std::optional<TaskEvaluator> val;
    if (!data.val.empty()) val.emplace(task, data.val, data.valQuestions, tokenizer, evaluation);
    const TaskEvaluator dev(task, data.dev, data.devQuestions, tokenizer, evaluation);

    const FineTuneReport report = fineTune(*model, task, train, val ? &*val : nullptr, settings, &printer, nullptr,
                                           [&](const EpochReport&) { saveModelFolder(*model, out, modelFolder); });
    const EvaluationResult devResult = dev.evaluate(*model, nullptr, nullptr, &printer);

    json epochs = json::array();
    for (const EpochReport& epoch : report.epochs) epochs.push_back(epochJson(epoch));
    const json summary = {{"task", task.name},
                          {"model", modelFolder.string()},
                          {"out", out.string()},
                          {"from_scratch", fromScratch},
                          {"train_examples", data.train.size()},
                          {"val_examples", data.val.size()},
                          {"dev_examples", data.dev.size()},
                          {"epochs", epochs},
                          {"best_epoch", report.bestEpoch},
                          {"steps", report.steps},
                          {"seconds", report.seconds},
                          {"threads", at::get_num_threads()},
                          {"settings", {{"epochs", settings.epochs}, {"batch_size", settings.batchSize},
                                        {"lr", settings.optimizer.learningRate}, {"warmup", settings.optimizer.warmupFraction},
                                        {"weight_decay", settings.optimizer.weightDecay},
                                        {"max_seq_len", options.evaluation.maxSeqLength}, {"seed", options.seed}}},
                          {"dev", {{"split", "dev"}, {"examples", dev.size()}, {"loss", devResult.meanLoss},
                                   {"metrics", metricsJson(devResult.metrics)}}}};
    writeFileAtomically(out / "finetune.json", summary.dump(2) + "\n");
    if (arguments.flag("json")) {
        std::cout << summary.dump() << "\n";
    } else {
        std::cout << "saved the best epoch (" << report.bestEpoch << ") to " << out.string() << "\n"
                  << "dev " << task.name << ": " << metricsJson(devResult.metrics).dump() << "\n";
    }
    return 0;
}

}  // namespace

Command finetuneCommand()
{
    Command command{"finetune", "fine-tune a model on a GLUE task or SQuAD and save the best epoch",
                    "usage: axformer finetune --model DIR --task T --data PATH --out DIR [options]\n\n"
                    "Carves a validation split out of the training data (--val-fraction 0.15, --seed 42), trains\n"
                    "with AdamW (decoupled weight decay), linear warm-up and decay and gradient clipping, evaluates\n"
                    "on val after every epoch, saves the best epoch to OUT (a Hugging Face model folder) and\n"
                    "reports its metrics on the official dev set. OUT/finetune.json holds the whole report.\n\n"
                    "  --task {cola,sst2,mrpc,stsb,qqp,mnli,qnli,rte,wnli,squad}\n"
                    "  --data PATH          GLUE task folder (train.tsv, dev.tsv) or SQuAD folder/JSON\n"
                    "  --epochs N (3)  --batch-size N (32)  --lr X (2e-5)  --warmup F (0.1)\n"
                    "  --weight-decay X (0.01)  --max-grad-norm X (1.0)  --max-seq-len N (128)\n"
                    "  --doc-stride N (max-seq-len/2, SQuAD)  --seed N (42)  --val-fraction F (0.15)\n"
                    "  --max-train N, --max-eval N   use only the first N examples\n"
                    "  --val-fraction 0     no val split: train on all of train, keep the last epoch\n"
                    "  --from-scratch       re-initialise every weight (the random-init baseline)\n"
                    "  --threads N  --quiet  --json\n",
                    {"json", "from-scratch"},
                    {"model", "out", "epochs", "lr", "warmup", "weight-decay", "max-grad-norm"},
                    runFinetune};
    addTaskOptions(command);
    return command;
}

}  // namespace ax::cli
