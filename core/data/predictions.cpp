#include "data/predictions.h"

#include "common/atomic_file.h"
#include "common/error.h"
#include "data/tsv_reader.h"
#include "io/json_file.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>

namespace ax {

namespace {

const char* const kGlueHeader = "index\tprediction\n";

std::string formatScore(double value)
{
    char buffer[64];
    const auto [end, status] = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, 3);
    if (status != std::errc()) throw Error("cannot format the score " + std::to_string(value));
    std::string text(buffer, end);
    if (text == "-0.000") text = "0.000";
    return text;
}

void checkCount(const std::filesystem::path& file, size_t predictions, size_t examples)
{
    if (predictions != examples)
        failIn(file.string(), "cannot write " + std::to_string(predictions) + " predictions for " +
                                  std::to_string(examples) + " examples");
}

}  // namespace

void writeGluePredictions(const std::filesystem::path& file, const TaskSpec& task, const std::vector<Example>& examples,
                          const std::vector<int>& predictedLabels)
{
    if (task.kind != TaskKind::Classification) failIn(file.string(), "task " + task.name + " does not predict labels");
    checkCount(file, predictedLabels.size(), examples.size());
    std::string content = kGlueHeader;
    for (size_t i = 0; i < examples.size(); ++i) {
        const int label = predictedLabels[i];
        if (label < 0 || static_cast<size_t>(label) >= task.labels.size())
            failIn(file.string(), "prediction " + std::to_string(label) + " for example " + examples[i].id +
                                      " is not a label id of " + task.name);
        content += examples[i].id + "\t" + task.labels[static_cast<size_t>(label)] + "\n";
    }
    writeFileAtomically(file, content);
}

void writeGluePredictions(const std::filesystem::path& file, const TaskSpec& task, const std::vector<Example>& examples,
                          const std::vector<double>& predictedScores)
{
    if (task.kind != TaskKind::Regression) failIn(file.string(), "task " + task.name + " does not predict scores");
    checkCount(file, predictedScores.size(), examples.size());
    std::string content = kGlueHeader;
    for (size_t i = 0; i < examples.size(); ++i) {
        if (!std::isfinite(predictedScores[i]))
            failIn(file.string(), "the score for example " + examples[i].id + " is not a finite number");
        content += examples[i].id + "\t" + formatScore(predictedScores[i]) + "\n";
    }
    writeFileAtomically(file, content);
}

std::map<std::string, std::string> readGluePredictions(const std::filesystem::path& file)
{
    TsvReader reader(file);
    std::vector<std::string_view> fields;
    if (!reader.next(fields)) failIn(file.string(), "empty file, expected the header \"index<TAB>prediction\"");
    if (fields.size() != 2 || fields[0] != "index" || fields[1] != "prediction")
        throw Error(reader.where() + ": expected the header \"index<TAB>prediction\"");
    std::map<std::string, std::string> predictions;
    std::map<std::string, size_t> lineOf;
    while (reader.next(fields)) {
        if (fields.size() != 2)
            throw Error(reader.where() + ": " + std::to_string(fields.size()) + " columns, expected 2 (index, prediction)");
        const std::string index(fields[0]);
        if (index.empty()) throw Error(reader.where() + ": empty index");
        if (const auto [it, inserted] = lineOf.emplace(index, reader.lineNumber()); !inserted)
            throw Error(reader.where() + ": index " + index + " repeats line " + std::to_string(it->second));
        predictions[index] = std::string(fields[1]);
    }
    return predictions;
}

void writeSquadPredictions(const std::filesystem::path& file, const std::map<std::string, std::string>& answers)
{
    nlohmann::json object = nlohmann::json::object();
    for (const auto& [id, answer] : answers) object[id] = answer;
    writeFileAtomically(file, object.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

std::map<std::string, std::string> readSquadPredictions(const std::filesystem::path& file)
{
    if (!std::filesystem::exists(file)) failIn(file.string(), "no such file");
    const nlohmann::json object = readJsonFile(file);
    if (!object.is_object()) failIn(file.string(), "expected a JSON object {\"question id\": \"answer\", ...}");
    std::map<std::string, std::string> predictions;
    for (const auto& [id, answer] : object.items()) {
        if (!answer.is_string()) failIn(file.string(), "the prediction for question " + id + " is not a string");
        predictions[id] = answer.get<std::string>();
    }
    return predictions;
}

}  // namespace ax
