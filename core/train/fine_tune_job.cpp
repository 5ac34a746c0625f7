#include "train/fine_tune_job.h"

#include "common/atomic_file.h"
#include "common/error.h"
#include "model/model_folder.h"
#include "train/task_model.h"

#include <torch/torch.h>

#include <ATen/Parallel.h>

#include <optional>

namespace ax {

using nlohmann::json;

namespace {

json epochJson(const EpochReport& epoch)
{
    return {{"epoch", epoch.epoch},       {"train_loss", epoch.trainLoss},   {"val_loss", epoch.valLoss},
            {"val", metricsJson(epoch.valMetrics)}, {"seconds", epoch.seconds}, {"best", epoch.best}};
}

}  // namespace

FineTuneJobResult runFineTuneJob(const FineTuneJob& job, ProgressObserver* observer, const CancelToken* cancel)
{
    if (!job.task) throw Error("fine-tuning needs a task");
    const TaskSpec& task = *job.task;
    LoadedModel pretrained = loadModelFolder(job.model);
    const BertTokenizer tokenizer = BertTokenizer::fromModelFolder(job.model);
    checkInputsFit(pretrained, tokenizer.vocab(), job.evaluation.maxSeqLength);
    const TaskData data = loadTaskData(task, job.data, job.dataOptions);
    if (observer)
        observer->onMessage("data: " + std::to_string(data.train.size()) + " train, " + std::to_string(data.val.size()) +
                            " val (carved from " + data.trainFile + ", seed " + std::to_string(job.dataOptions.splitSeed) + "), " +
                            std::to_string(data.dev.size()) + " dev");

    BertModel model = modelForTask(*pretrained.model, task, job.settings.seed, job.fromScratch);
    EvaluationSettings evaluation = job.evaluation;
    evaluation.batchSize = std::max(64, job.settings.batchSize);
    const std::vector<Feature> train = encodeForTask(task, data.train, data.trainQuestions, tokenizer, job.evaluation);
    // A val fraction of 0 trains on all of train (to reproduce recipes that have no val split).
    std::optional<TaskEvaluator> val;
    if (!data.val.empty()) val.emplace(task, data.val, data.valQuestions, tokenizer, evaluation);
    const TaskEvaluator dev(task, data.dev, data.devQuestions, tokenizer, evaluation);

    FineTuneJobResult result;
    result.report = fineTune(*model, task, train, val ? &*val : nullptr, job.settings, observer, cancel,
                             [&](const EpochReport&) { saveModelFolder(*model, job.out, job.model); });
    result.dev = dev.evaluate(*model, nullptr, cancel, observer);

    json epochs = json::array();
    for (const EpochReport& epoch : result.report.epochs) epochs.push_back(epochJson(epoch));
    const FineTuneSettings& s = job.settings;
    result.summary = {{"task", task.name},
                      {"model", job.model.string()},
                      {"out", job.out.string()},
                      {"from_scratch", job.fromScratch},
                      {"train_examples", data.train.size()},
                      {"val_examples", data.val.size()},
                      {"dev_examples", data.dev.size()},
                      {"epochs", epochs},
                      {"best_epoch", result.report.bestEpoch},
                      {"steps", result.report.steps},
                      {"seconds", result.report.seconds},
                      {"threads", at::get_num_threads()},
                      {"settings", {{"epochs", s.epochs}, {"batch_size", s.batchSize}, {"lr", s.optimizer.learningRate},
                                    {"warmup", s.optimizer.warmupFraction}, {"weight_decay", s.optimizer.weightDecay},
                                    {"max_seq_len", job.evaluation.maxSeqLength}, {"seed", s.seed}}},
                      {"dev", {{"split", "dev"}, {"examples", dev.size()}, {"loss", result.dev.meanLoss},
                               {"metrics", metricsJson(result.dev.metrics)}}}};
    writeFileAtomically(job.out / "finetune.json", result.summary.dump(2) + "\n");
    return result;
}

}  // namespace ax
