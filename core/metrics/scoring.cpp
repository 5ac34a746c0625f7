#include "metrics/scoring.h"

#include "common/error.h"
#include "data/task_split.h"
#include "data/predictions.h"
#include "data/squad.h"

#include <charconv>
#include <cmath>
#include <set>

namespace ax {

namespace {

std::string countOf(size_t count, const std::string& noun)
{
    return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

}  // namespace

MetricSet scoreGluePredictions(const TaskSpec& task, const Dataset& gold,
                               const std::map<std::string, std::string>& predictions, const std::string& predictionsName)
{
    if (task.kind == TaskKind::SpanExtraction) throw Error("task " + task.name + " is not a GLUE task");
    std::vector<int> predictedLabels, goldLabels;
    std::vector<double> predictedScores, goldScores;
    std::set<std::string> goldIds;
    size_t missing = 0;
    std::string firstMissing;
    for (const Example& example : gold.examples) {
        goldIds.insert(example.id);
        if (task.kind == TaskKind::Classification && example.label < 0)
            failIn(gold.file, "example " + example.id + " has no gold label (a test split?): nothing to score against");
        const auto it = predictions.find(example.id);
        if (it == predictions.end()) {
            if (missing++ == 0) firstMissing = example.id;
            continue;
        }
        const std::string& text = it->second;
        if (task.kind == TaskKind::Classification) {
            const auto id = task.labelId(text);
            if (!id) {
                std::string valid;
                for (const auto& label : task.labels) valid += (valid.empty() ? "\"" : ", \"") + label + "\"";
                failIn(predictionsName, "index " + example.id + ": \"" + text + "\" is not a " + task.name +
                                            " label (expected " + valid + ")");
            }
            predictedLabels.push_back(*id);
            goldLabels.push_back(example.label);
        } else {
            double value = 0;
            const auto [end, status] = std::from_chars(text.data(), text.data() + text.size(), value);
            if (text.empty() || status != std::errc() || end != text.data() + text.size() || !std::isfinite(value))
                failIn(predictionsName, "index " + example.id + ": \"" + text + "\" is not a number");
            predictedScores.push_back(value);
            goldScores.push_back(example.score);
        }
    }
    if (missing > 0)
        failIn(predictionsName, countOf(missing, "example") + " of " + std::to_string(gold.examples.size()) + " in " +
                                    gold.file + " have no prediction (first: index " + firstMissing + ")");
    for (const auto& [id, text] : predictions)
        if (!goldIds.count(id))
            failIn(predictionsName, "index " + id + " is not in " + gold.file + " (predictions for another split?)");
    return task.kind == TaskKind::Classification ? classificationMetrics(task, predictedLabels, goldLabels)
                                                 : regressionMetrics(predictedScores, goldScores);
}

ScoreReport scorePredictionsFile(const TaskSpec& task, const std::filesystem::path& data,
                                 const std::filesystem::path& predictionsFile, const std::string& split)
{
    ScoreReport report;
    report.task = task.name;
    report.split = split;
    if (task.kind == TaskKind::SpanExtraction) {
        const auto questions = loadSquad(data, split);
        report.examples = questions.size();
        report.metrics = squadMetrics(questions, readSquadPredictions(predictionsFile));
    } else {
        const Dataset gold = loadTaskSplit(task, data, split);
        report.examples = gold.examples.size();
        report.metrics = scoreGluePredictions(task, gold, readGluePredictions(predictionsFile), predictionsFile.string());
    }
    return report;
}

nlohmann::json scoreReportJson(const ScoreReport& report)
{
    nlohmann::json out = {{"task", report.task},
                          {"split", report.split},
                          {"examples", report.examples},
                          {"metrics", metricsJson(report.metrics)}};
    if (report.task == "squad") out["missing_predictions"] = report.metrics.missing;
    return out;
}

}  // namespace ax
