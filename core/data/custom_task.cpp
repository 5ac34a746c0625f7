#include "data/custom_task.h"

#include "common/error.h"
#include "data/table_file.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>
#include <unordered_map>

namespace ax {

namespace fs = std::filesystem;

namespace {

std::string shown(const std::string& text)
{
    return "\"" + text + "\"";
}

std::string joined(const std::vector<std::string>& items)
{
    std::string list;
    for (const auto& item : items) list += (list.empty() ? "" : ", ") + shown(item);
    return list;
}

bool isBlank(const std::string& text)
{
    return text.find_first_not_of(" \t\r\n\v\f") == std::string::npos;
}

std::optional<long long> asInteger(const std::string& text)
{
    long long value = 0;
    const auto [end, status] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || status != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

// The requested columns of a split, in this order: text, [pair], label, [id].
struct ColumnOrder {
    std::vector<std::string> names;
    size_t pair = 0, label = 0, id = 0;  // 0 = absent (text is always 0)
};

ColumnOrder columnOrder(const ColumnMapping& columns)
{
    ColumnOrder order;
    order.names.push_back(columns.text);
    if (!columns.textPair.empty()) {
        order.pair = order.names.size();
        order.names.push_back(columns.textPair);
    }
    order.label = order.names.size();
    order.names.push_back(columns.label);
    if (!columns.id.empty()) {
        order.id = order.names.size();
        order.names.push_back(columns.id);
    }
    return order;
}

// Every label of the train file, sorted: numerically when all are integers ("2" before "10").
std::vector<std::string> labelsOfTrainFile(const ColumnMapping& columns, const fs::path& data)
{
    const fs::path file = customSplitFile(data, "train");
    std::set<std::string> seen;
    for (const TableRecord& record : readTable(file, {columns.label})) seen.insert(record.values[0]);
    std::vector<std::string> labels(seen.begin(), seen.end());
    const bool integers = std::all_of(labels.begin(), labels.end(), [](const std::string& label) { return asInteger(label).has_value(); });
    if (integers)
        std::sort(labels.begin(), labels.end(), [](const std::string& a, const std::string& b) { return *asInteger(a) < *asInteger(b); });
    if (labels.size() < 2)
        failIn(file.string(), "column " + shown(columns.label) + " holds " + (labels.empty() ? "no label" : "only the label " + shown(labels[0])) +
                                  ": a classification task needs at least two (or is it a regression task?)");
    return labels;
}

}  // namespace

TaskSpec customTaskSpec(const CustomTaskSettings& settings, const fs::path& data)
{
    const ColumnMapping& columns = settings.columns;
    if (columns.text.empty()) throw Error("a custom task needs the name of its text column");
    if (columns.label.empty()) throw Error("a custom task needs the name of its label column");
    const ColumnOrder order = columnOrder(columns);
    for (size_t i = 0; i < order.names.size(); ++i)
        if (std::find(order.names.begin() + static_cast<std::ptrdiff_t>(i) + 1, order.names.end(), order.names[i]) != order.names.end())
            throw Error("a custom task's columns must differ: " + shown(order.names[i]) + " is named twice");

    TaskSpec task;
    task.name = "custom";
    task.columns = columns;
    task.pair = !columns.textPair.empty();
    if (settings.regression) {
        if (!settings.labels.empty()) throw Error("a regression task has scores, not labels: drop the label list");
        task.kind = TaskKind::Regression;
        task.metrics = {"pearson", "spearman"};
    } else {
        task.kind = TaskKind::Classification;
        task.labels = settings.labels.empty() ? labelsOfTrainFile(columns, data) : settings.labels;
        if (task.labels.size() < 2) throw Error("a classification task needs at least two labels, got " + joined(task.labels));
        for (const std::string& label : task.labels)
            if (label.empty()) throw Error("the label list " + joined(task.labels) + " has an empty name (two commas in a row?)");
        for (size_t i = 0; i < task.labels.size(); ++i)
            if (std::find(task.labels.begin() + static_cast<std::ptrdiff_t>(i) + 1, task.labels.end(), task.labels[i]) != task.labels.end())
                throw Error("the label " + shown(task.labels[i]) + " is listed twice");
        task.metrics = {"accuracy", "mcc"};
        if (task.labels.size() == 2) task.metrics.insert(task.metrics.begin() + 1, "f1");
    }
    task.primaryMetric = settings.metric.empty() ? task.metrics.front() : settings.metric;
    if (std::find(task.metrics.begin(), task.metrics.end(), task.primaryMetric) == task.metrics.end())
        throw Error("the metric " + shown(task.primaryMetric) + " does not fit this task: expected one of " + joined(task.metrics) +
                    (task.primaryMetric == "f1" ? " (f1 needs exactly two labels)" : ""));
    return task;
}

fs::path customSplitFile(const fs::path& data, const std::string& split)
{
    if (split != "train" && split != "dev") throw Error("a custom task has the splits train and dev, not \"" + split + "\"");
    if (!fs::is_directory(data))
        failIn(data.string(), fs::exists(data) ? "is a file: give the folder that holds train and dev files" : "no such folder");
    std::vector<fs::path> found;
    for (const char* stem : {"train", "dev", "validation"}) {
        if ((split == "train") != (std::string(stem) == "train")) continue;
        for (const char* extension : {".tsv", ".csv", ".jsonl", ".ndjson"})
            if (fs::exists(data / (std::string(stem) + extension))) found.push_back(data / (std::string(stem) + extension));
    }
    const std::string expected = split == "train" ? "train.tsv, train.csv or train.jsonl" : "dev.tsv, dev.csv, dev.jsonl or validation.*";
    if (found.empty()) failIn(data.string(), "no " + split + " file (expected " + expected + ")");
    if (found.size() > 1)
        failIn(data.string(), "more than one " + split + " file (" + found[0].filename().string() + ", " + found[1].filename().string() +
                                  "): keep one");
    return found.front();
}

Dataset loadCustomSplit(const TaskSpec& task, const fs::path& data, const std::string& split)
{
    if (!task.columns) throw Error("task " + task.name + " is not a custom task");
    const ColumnMapping& columns = *task.columns;
    const ColumnOrder order = columnOrder(columns);
    Dataset dataset;
    dataset.task = task.name;
    const fs::path file = customSplitFile(data, split);
    dataset.file = file.string();
    const std::vector<TableRecord> records = readTable(file, order.names);
    if (records.empty()) failIn(dataset.file, "no examples");

    std::unordered_map<std::string, std::string> firstPlaceOfId;
    for (size_t row = 0; row < records.size(); ++row) {
        const TableRecord& record = records[row];
        Example example;
        example.source = record.where;
        example.id = order.id ? record.values[order.id] : std::to_string(row);
        example.textA = record.values[0];
        if (isBlank(example.textA)) throw Error(record.where + ": empty text in column " + shown(columns.text));
        if (order.pair) {
            example.textB = record.values[order.pair];
            example.hasTextB = true;
            if (isBlank(example.textB)) throw Error(record.where + ": empty text in column " + shown(columns.textPair));
        }
        const std::string& gold = record.values[order.label];
        if (task.kind == TaskKind::Regression) {
            double value = 0;
            const auto [end, status] = std::from_chars(gold.data(), gold.data() + gold.size(), value);
            if (gold.empty() || status != std::errc() || end != gold.data() + gold.size() || !std::isfinite(value))
                throw Error(record.where + ": the score " + shown(gold) + " in column " + shown(columns.label) + " is not a number");
            example.score = static_cast<float>(value);
        } else {
            const auto id = task.labelId(gold);
            if (!id)
                throw Error(record.where + ": unknown label " + shown(gold) + " in column " + shown(columns.label) +
                            ", expected one of " + joined(task.labels) + " (the labels of the train file, or those you listed)");
            example.label = *id;
        }
        const auto [it, inserted] = firstPlaceOfId.emplace(example.id, record.where);
        if (!inserted) throw Error(record.where + ": id " + shown(example.id) + " repeats " + it->second);
        dataset.examples.push_back(std::move(example));
    }
    return dataset;
}

nlohmann::json customTaskJson(const TaskSpec& task)
{
    if (!task.columns) return nullptr;
    const ColumnMapping& columns = *task.columns;
    return {{"columns", {{"text", columns.text}, {"text_pair", columns.textPair}, {"label", columns.label}, {"id", columns.id}}},
            {"kind", task.kind == TaskKind::Regression ? "regression" : "classification"},
            {"labels", task.labels},
            {"metric", task.primaryMetric}};
}

}  // namespace ax
