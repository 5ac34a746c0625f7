#include "train/fine_tune_job.h"

#include "common/atomic_file.h"
#include "common/error.h"
#include "data/custom_task.h"
#include "model/model_folder.h"
#include "train/task_model.h"
#include "train/training_state.h"

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

json distillationJson(const FineTuneJob& job)
{
    const Distillation& d = job.settings.distillation;
    return {{"teacher", std::filesystem::weakly_canonical(job.teacher).string()},
            {"temperature", d.temperature},
            {"alpha", d.alpha},
            {"hidden_weight", d.hiddenWeight}};
}

// Everything that shapes the trained weights: a state saved under another identity cannot be resumed.
json trainingIdentity(const FineTuneJob& job, const TaskData& data)
{
    const FineTuneSettings& s = job.settings;
    json identity = {{"task", job.task->name},
                     {"model", std::filesystem::weakly_canonical(job.model).string()},
                     {"data", std::filesystem::weakly_canonical(job.data).string()},
                     {"train_examples", data.train.size()},
                     {"val_examples", data.val.size()},
                     {"from_scratch", job.fromScratch},
                     {"split", {{"val_fraction", job.dataOptions.valFraction}, {"seed", job.dataOptions.splitSeed},
                                {"max_train", job.dataOptions.maxTrain}}},
                     {"max_seq_len", job.evaluation.maxSeqLength},
                     {"doc_stride", job.evaluation.docStride},
                     {"settings", {{"epochs", s.epochs}, {"batch_size", s.batchSize}, {"lr", s.optimizer.learningRate},
                                   {"warmup", s.optimizer.warmupFraction}, {"weight_decay", s.optimizer.weightDecay},
                                   {"max_grad_norm", s.optimizer.maxGradNorm}, {"seed", s.seed}}}};
    // Only custom tasks add their settings, so that the built-in tasks' saved states still resume.
    if (job.task->columns) identity["task_settings"] = customTaskJson(*job.task);
    if (!job.teacher.empty()) identity["distillation"] = distillationJson(job);
    return identity;
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

    FineTuneSettings settings = job.settings;
    std::optional<LoadedModel> teacher;
    if (!job.teacher.empty()) {
        teacher = loadModelFolder(job.teacher);
        checkInputsFit(*teacher, tokenizer.vocab(), job.evaluation.maxSeqLength);
        requireHeadFor(*teacher->model, task, job.teacher);
        settings.distillation.teacher = teacher->model.get();
        if (observer) observer->onMessage("distilling from " + job.teacher.string());
    }

    BertModel model = modelForTask(*pretrained.model, task, job.settings.seed, job.fromScratch);
    EvaluationSettings evaluation = job.evaluation;
    evaluation.batchSize = std::max(64, job.settings.batchSize);
    const std::vector<Feature> train = encodeForTask(task, data.train, data.trainQuestions, tokenizer, job.evaluation);
    // A val fraction of 0 trains on all of train (to reproduce recipes that have no val split).
    std::optional<TaskEvaluator> val;
    if (!data.val.empty()) val.emplace(task, data.val, data.valQuestions, tokenizer, evaluation);
    const TaskEvaluator dev(task, data.dev, data.devQuestions, tokenizer, evaluation);

    EpochCheckpoints checkpoints{trainingStateFile(job.out), trainingIdentity(job, data), job.resume};
    removeLeftoverTemporaries(checkpoints.stateFile);  // of a run killed while saving its state
    if (!job.resume) std::filesystem::remove(checkpoints.stateFile);
    FineTuneJobResult result;
    result.report = fineTune(*model, task, train, val ? &*val : nullptr, settings, observer, cancel,
                             [&](const EpochReport&) { saveModelFolder(*model, job.out, job.model); }, &checkpoints);
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
                      {"resumed_after_epoch", result.report.resumedAfter},
                      {"threads", at::get_num_threads()},
                      {"settings", {{"epochs", s.epochs}, {"batch_size", s.batchSize}, {"lr", s.optimizer.learningRate},
                                    {"warmup", s.optimizer.warmupFraction}, {"weight_decay", s.optimizer.weightDecay},
                                    {"max_seq_len", job.evaluation.maxSeqLength}, {"seed", s.seed}}},
                      {"dev", {{"split", "dev"}, {"examples", dev.size()}, {"loss", result.dev.meanLoss},
                               {"metrics", metricsJson(result.dev.metrics)}}}};
    if (task.columns) result.summary["task_settings"] = customTaskJson(task);
    if (teacher) result.summary["distillation"] = distillationJson(job);
    writeFileAtomically(job.out / "finetune.json", result.summary.dump(2) + "\n");
    std::filesystem::remove(checkpoints.stateFile);  // finished: nothing left to resume
    return result;
}

}  // namespace ax
