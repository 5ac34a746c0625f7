#include "train/training_state.h"

#include "common/atomic_file.h"
#include "common/error.h"
#include "model/bert_model.h"

#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>
#include <torch/torch.h>

#include <cmath>
#include <limits>

namespace ax {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const char* const kFormat = "axformer-training-state-1";

// JSON has no NaN: an undefined metric (a correlation of constant predictions) is written as null.
json number(double value) { return std::isfinite(value) ? json(value) : json(nullptr); }
double numberFrom(const json& value) { return value.is_number() ? value.get<double>() : std::numeric_limits<double>::quiet_NaN(); }

json epochsJson(const FineTuneReport& report)
{
    json epochs = json::array();
    for (const EpochReport& e : report.epochs) {
        json metrics = json::object();
        for (const auto& [name, value] : e.valMetrics.values) metrics[name] = number(value);
        epochs.push_back({{"epoch", e.epoch}, {"train_loss", number(e.trainLoss)}, {"val_loss", number(e.valLoss)},
                          {"metrics", metrics}, {"seconds", e.seconds}, {"best", e.best}});
    }
    return {{"epochs", epochs}, {"best_epoch", report.bestEpoch}, {"steps", report.steps}};
}

FineTuneReport reportFrom(const json& object, const TaskSpec& task)
{
    FineTuneReport report;
    for (const json& e : object.at("epochs")) {
        EpochReport epoch;
        epoch.epoch = e.at("epoch").get<int>();
        epoch.trainLoss = numberFrom(e.at("train_loss"));
        epoch.valLoss = numberFrom(e.at("val_loss"));
        for (const auto& [name, value] : e.at("metrics").items()) epoch.valMetrics.values[name] = numberFrom(value);
        epoch.valPrimary = epoch.valMetrics.values.empty() ? 0 : primaryMetric(task, epoch.valMetrics);
        epoch.seconds = e.at("seconds").get<double>();
        epoch.best = e.at("best").get<bool>();
        report.epochs.push_back(epoch);
    }
    report.bestEpoch = object.at("best_epoch").get<int>();
    report.steps = object.at("steps").get<int64_t>();
    report.bestValPrimary = -std::numeric_limits<double>::infinity();
    for (const EpochReport& epoch : report.epochs)
        if (epoch.epoch == report.bestEpoch) report.bestValPrimary = epoch.valPrimary;
    return report;
}

std::string stringIn(torch::serialize::InputArchive& archive, const std::string& key)
{
    c10::IValue value;
    archive.read(key, value);
    return value.toStringRef();
}

}  // namespace

fs::path trainingStateFile(const fs::path& outFolder)
{
    const fs::path folder = fs::absolute(outFolder).lexically_normal();
    const std::string name = folder.has_filename() ? folder.filename().string() : folder.parent_path().filename().string();
    return (folder.has_filename() ? folder.parent_path() : folder.parent_path().parent_path()) / (name + ".training-state.pt");
}

void saveTrainingState(const fs::path& file, const json& identity, BertModelImpl& model, const Optimization& optimization,
                       const TrainingProgress& progress)
{
    torch::serialize::OutputArchive archive;
    archive.write("format", c10::IValue(std::string(kFormat)));
    archive.write("identity", c10::IValue(identity.dump()));
    archive.write("progress", c10::IValue(epochsJson(progress.report).dump()));
    const auto weights = model.namedWeights();
    for (size_t i = 0; i < weights.size(); ++i) {
        archive.write("model/" + weights[i].first, weights[i].second.detach());
        archive.write("best/" + weights[i].first, progress.best.at(i));
    }
    torch::serialize::OutputArchive optimizer(archive.compilation_unit());
    optimization.save(optimizer);
    archive.write("optimizer", optimizer);
    writeFileAtomicallyStreamed(file, [&](const ChunkWriter& write) {
        archive.save_to([&](const void* data, size_t size) {
            write(data, size);
            return size;
        });
    });
}

TrainingProgress loadTrainingState(const fs::path& file, const json& identity, const TaskSpec& task, BertModelImpl& model,
                                   Optimization& optimization)
{
    TrainingProgress progress;
    try {
        torch::serialize::InputArchive archive;
        archive.load_from(file.string());
        if (stringIn(archive, "format") != kFormat) failIn(file.string(), "is not an AxFormer training state");
        const json recorded = json::parse(stringIn(archive, "identity"));
        if (recorded != identity)
            failIn(file.string(), "was written for another fine-tune (" + recorded.dump() + "); resume with the same model, " +
                                      "task, data and settings, or delete it to start over");
        progress.report = reportFrom(json::parse(stringIn(archive, "progress")), task);
        torch::NoGradGuard noGrad;
        for (const auto& [name, tensor] : model.namedWeights()) {
            torch::Tensor saved, best;
            archive.read("model/" + name, saved);
            archive.read("best/" + name, best);
            if (saved.sizes() != tensor.sizes() || best.sizes() != tensor.sizes())
                failIn(file.string(), "holds " + name + " in another shape than the model's");
            tensor.copy_(saved);
            progress.best.push_back(best);
        }
        torch::serialize::InputArchive optimizer;
        archive.read("optimizer", optimizer);
        optimization.load(optimizer);
    } catch (const Error&) {
        throw;
    } catch (const c10::Error& error) {  // a truncated or foreign file, a missing entry
        failIn(file.string(), std::string("cannot be read as a training state: ") + error.what_without_backtrace());
    } catch (const std::exception& error) {  // malformed JSON inside
        failIn(file.string(), std::string("cannot be read as a training state: ") + error.what());
    }
    return progress;
}

}  // namespace ax
