#include "train/fine_tuner.h"

#include "common/error.h"
#include "model/bert_model.h"
#include "train/batch_tensors.h"
#include "train/training_state.h"

#include <torch/torch.h>

#include <cmath>
#include <iomanip>
#include <limits>
#include <sstream>

namespace ax {

namespace {

// A copy of every weight, to restore the best epoch at the end.
std::vector<torch::Tensor> snapshot(BertModelImpl& model)
{
    std::vector<torch::Tensor> copies;
    for (const auto& entry : model.namedWeights()) copies.push_back(entry.second.detach().clone());
    return copies;
}

void restore(BertModelImpl& model, const std::vector<torch::Tensor>& copies)
{
    torch::NoGradGuard noGrad;
    const auto weights = model.namedWeights();
    for (size_t i = 0; i < weights.size(); ++i) weights[i].second.copy_(copies[i]);
}

std::string describeStep(int epoch, int epochs, double loss, double rate)
{
    std::ostringstream text;
    text << "epoch " << epoch << "/" << epochs << " loss " << std::fixed << std::setprecision(4) << loss << " lr "
         << std::scientific << std::setprecision(2) << rate;
    return text.str();
}

}  // namespace

double primaryMetric(const TaskSpec& task, const MetricSet& metrics)
{
    const auto found = metrics.values.find(task.primaryMetric);
    if (found == metrics.values.end() || std::isnan(found->second)) return -std::numeric_limits<double>::infinity();
    return found->second;
}

FineTuneReport fineTune(BertModelImpl& model, const TaskSpec& task, const std::vector<Feature>& train,
                        const TaskEvaluator* val, const FineTuneSettings& settings, ProgressObserver* observer,
                        const CancelToken* cancel, const std::function<void(const EpochReport&)>& onImproved,
                        const EpochCheckpoints* checkpoints)
{
    if (train.empty()) throw Error("nothing to train on: the " + task.name + " training split is empty");
    if (settings.epochs < 1) throw Error("fine-tuning needs at least one epoch");
    if (settings.distillation.teacher) {
        checkDistillation(settings.distillation);
        settings.distillation.teacher->eval();
    }

    const int64_t batchesPerEpoch = (static_cast<int64_t>(train.size()) + settings.batchSize - 1) / settings.batchSize;
    const int64_t totalSteps = batchesPerEpoch * settings.epochs;
    Optimization optimization(model, settings.optimizer, totalSteps);
    FineTuneReport report;
    report.bestValPrimary = -std::numeric_limits<double>::infinity();
    std::vector<torch::Tensor> best;
    if (checkpoints && checkpoints->resume && std::filesystem::exists(checkpoints->stateFile)) {
        TrainingProgress progress = loadTrainingState(checkpoints->stateFile, checkpoints->identity, task, model, optimization);
        report = std::move(progress.report);
        best = std::move(progress.best);
        report.resumedAfter = static_cast<int>(report.epochs.size());
        if (observer)
            observer->onMessage("resuming after epoch " + std::to_string(report.resumedAfter) + " of " +
                                std::to_string(settings.epochs) + " from " + checkpoints->stateFile.string());
    }

    const ProgressClock clock(optimization.stepsTaken());
    try {
        for (int epoch = report.resumedAfter + 1; epoch <= settings.epochs; ++epoch) {
            const ProgressClock epochClock;
            model.train();
            model.seedDropout(settings.seed * 1000003 + uint64_t(epoch));
            const std::vector<Batch> batches = makeBatches(train, settings.batchSize, true, settings.seed + uint64_t(epoch));
            double lossSum = 0;
            for (const Batch& batch : batches) {
                throwIfCancelled(cancel);
                const BatchTensors tensors = toTensors(batch);
                const BertOutput output = model.forward(tensors.input);
                torch::Tensor loss = rowLosses(task, output, tensors).mean();
                if (settings.distillation.teacher) {
                    BertOutput taught;
                    {
                        torch::NoGradGuard noGrad;
                        taught = settings.distillation.teacher->forward(tensors.input);
                    }
                    loss = distilledLoss(task, loss, output, taught, tensors, settings.distillation);
                }
                loss.backward();
                const double rate = optimization.step();
                const double value = loss.item<double>();
                if (!std::isfinite(value))
                    throw Error("the training loss became " + std::to_string(value) + " at step " +
                                std::to_string(optimization.stepsTaken()) + "; try a lower learning rate");
                lossSum += value;
                if (observer)
                    observer->onProgress(clock.at("fine-tune", optimization.stepsTaken(), totalSteps,
                                                  describeStep(epoch, settings.epochs, value, rate)));
            }
            EpochReport epochReport;
            epochReport.epoch = epoch;
            epochReport.trainLoss = lossSum / static_cast<double>(batches.size());
            if (val) {
                const EvaluationResult evaluation = val->evaluate(model, nullptr, cancel);
                epochReport.valLoss = evaluation.meanLoss;
                epochReport.valMetrics = evaluation.metrics;
                epochReport.valPrimary = primaryMetric(task, evaluation.metrics);
            }
            epochReport.seconds = epochClock.seconds();
            epochReport.best = !val || report.epochs.empty() || epochReport.valPrimary > report.bestValPrimary;
            if (epochReport.best) {
                report.bestEpoch = epoch;
                report.bestValPrimary = epochReport.valPrimary;
                best = snapshot(model);
            }
            report.epochs.push_back(epochReport);
            if (observer) {
                std::ostringstream line;
                line << "epoch " << epoch << ": train loss " << std::fixed << std::setprecision(4) << epochReport.trainLoss;
                if (val)
                    line << ", val loss " << epochReport.valLoss << ", val " << task.primaryMetric << " "
                         << epochReport.valPrimary << (epochReport.best ? " (best)" : "");
                observer->onMessage(line.str());
            }
            report.steps = optimization.stepsTaken();
            if (epochReport.best && onImproved) onImproved(epochReport);
            // After the improved model is saved: a kill between the two repeats this epoch, exactly.
            if (checkpoints) saveTrainingState(checkpoints->stateFile, checkpoints->identity, model, optimization, {report, best});
        }
    } catch (const Cancelled&) {
        if (!best.empty()) restore(model, best);
        model.eval();
        throw;
    }
    restore(model, best);
    model.eval();
    report.seconds = 0;
    for (const EpochReport& epoch : report.epochs) report.seconds += epoch.seconds;
    return report;
}

}  // namespace ax
