#include "train/task_data.h"

#include "common/error.h"
#include "data/task_split.h"
#include "data/split.h"

#include <map>

namespace ax {

namespace {

template <typename T>
void keepFirst(std::vector<T>& items, size_t count)
{
    if (count > 0 && items.size() > count) items.resize(count);
}

// The questions whose ids are in `examples`, in the examples' order.
std::vector<SquadQuestion> questionsFor(const std::vector<Example>& examples, const std::map<std::string, const SquadQuestion*>& byId)
{
    std::vector<SquadQuestion> questions;
    for (const Example& example : examples) questions.push_back(*byId.at(example.id));
    return questions;
}

}  // namespace

TaskData loadTaskData(const TaskSpec& task, const std::filesystem::path& data, const DataOptions& options)
{
    TaskData result;
    result.task = &task;
    if (task.kind == TaskKind::SpanExtraction) {
        std::vector<SquadQuestion> train = loadSquad(data, "train");
        keepFirst(train, options.maxTrain);
        result.trainFile = squadFile(data, "train").string();
        result.devFile = squadFile(data, "dev").string();
        std::map<std::string, const SquadQuestion*> byId;
        for (const SquadQuestion& question : train) byId[question.id] = &question;
        const TrainValSplit split = carveValidation(squadExamples(train), options.valFraction, options.splitSeed);
        result.train = split.train;
        result.val = split.val;
        keepFirst(result.val, options.maxEval);
        result.trainQuestions = questionsFor(result.train, byId);
        result.valQuestions = questionsFor(result.val, byId);
        result.devQuestions = loadSquad(data, "dev");
        keepFirst(result.devQuestions, options.maxEval);
        result.dev = squadExamples(result.devQuestions);
        return result;
    }
    Dataset train = loadTaskSplit(task, data, "train");
    keepFirst(train.examples, options.maxTrain);
    const TrainValSplit split = carveValidation(train.examples, options.valFraction, options.splitSeed);
    result.train = split.train;
    result.val = split.val;
    keepFirst(result.val, options.maxEval);
    Dataset dev = loadTaskSplit(task, data, "dev");
    result.dev = std::move(dev.examples);
    keepFirst(result.dev, options.maxEval);
    result.trainFile = train.file;
    result.devFile = dev.file;
    return result;
}

}  // namespace ax
