#include "data/task.h"

#include "common/error.h"

#include <algorithm>
#include <cctype>

namespace ax {

namespace {

const std::vector<TaskSpec>& allTasks()
{
    static const std::vector<TaskSpec> tasks = {
        {"cola", TaskKind::Classification, {"0", "1"}, false, {"mcc"}, "mcc", std::nullopt},
        {"sst2", TaskKind::Classification, {"0", "1"}, false, {"accuracy"}, "accuracy", std::nullopt},
        {"mrpc", TaskKind::Classification, {"0", "1"}, true, {"accuracy", "f1"}, "f1", std::nullopt},
        {"stsb", TaskKind::Regression, {}, true, {"pearson", "spearman"}, "pearson", std::nullopt},
        {"qqp", TaskKind::Classification, {"0", "1"}, true, {"accuracy", "f1"}, "f1", std::nullopt},
        {"mnli", TaskKind::Classification, {"contradiction", "entailment", "neutral"}, true, {"accuracy"}, "accuracy", std::nullopt},
        {"qnli", TaskKind::Classification, {"entailment", "not_entailment"}, true, {"accuracy"}, "accuracy", std::nullopt},
        {"rte", TaskKind::Classification, {"entailment", "not_entailment"}, true, {"accuracy"}, "accuracy", std::nullopt},
        {"wnli", TaskKind::Classification, {"0", "1"}, true, {"accuracy"}, "accuracy", std::nullopt},
        {"squad", TaskKind::SpanExtraction, {}, true, {"exact_match", "squad_f1"}, "squad_f1", std::nullopt},
    };
    return tasks;
}

}  // namespace

std::optional<int> TaskSpec::labelId(const std::string& label) const
{
    const auto it = std::find(labels.begin(), labels.end(), label);
    if (it == labels.end()) return std::nullopt;
    return static_cast<int>(it - labels.begin());
}

const TaskSpec& taskSpec(const std::string& name)
{
    std::string key;
    for (const char c : name)
        if (c != '-' && c != '_') key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const auto& task : allTasks())
        if (task.name == key) return task;
    std::string valid;
    for (const auto& task : allTasks()) valid += (valid.empty() ? "" : " ") + task.name;
    throw Error("unknown task \"" + name + "\": expected one of " + valid);
}

const std::vector<std::string>& taskNames()
{
    static const std::vector<std::string> names = [] {
        std::vector<std::string> list;
        for (const auto& task : allTasks()) list.push_back(task.name);
        return list;
    }();
    return names;
}

}  // namespace ax
