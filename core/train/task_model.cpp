#include "train/task_model.h"

#include "common/error.h"

#include <torch/torch.h>

#include <map>

namespace ax {

BertModel modelForTask(BertModelImpl& pretrained, const TaskSpec& task, uint64_t seed, bool randomInit)
{
    BertConfig config = pretrained.config();
    ModelHeads heads;
    // DistilBERT's and ELECTRA's question answering models have no stand-in for the pooler.
    heads.pooler = !((config.isDistilBert() || config.isElectra()) && task.kind == TaskKind::SpanExtraction);
    config.id2label.clear();
    if (task.kind == TaskKind::SpanExtraction) {
        heads.questionAnswering = true;
        config.architectures = {config.architecturePrefix() + "ForQuestionAnswering"};
    } else {
        heads.numLabels = task.kind == TaskKind::Regression ? 1 : static_cast<int>(task.numLabels());
        for (int i = 0; i < heads.numLabels; ++i)
            config.id2label[i] = task.kind == TaskKind::Regression ? "LABEL_0" : task.labels[static_cast<size_t>(i)];
        config.architectures = {config.architecturePrefix() + "ForSequenceClassification"};
    }
    config.extraFields["finetuning_task"] = task.name;
    // Training changes the float weights: the result is a float32 model (convert it again to run in
    // int8 or bfloat16).
    config.extraFields.erase(kInt8ConfigField);
    config.extraFields.erase(kPrecisionConfigField);
    if (config.extraFields.contains("torch_dtype")) config.extraFields["torch_dtype"] = "float32";

    BertModel model(config, heads);
    model->initialiseWeights(seed);
    if (!randomInit) {
        torch::NoGradGuard noGrad;
        std::map<std::string, torch::Tensor> source;
        for (const auto& [name, tensor] : pretrained.namedWeights()) source[name] = tensor;
        for (auto& [name, tensor] : model->namedWeights()) {
            const auto found = source.find(name);
            if (found != source.end() && found->second.sizes() == tensor.sizes()) tensor.copy_(found->second);
        }
    }
    model->train();
    return model;
}

void requireHeadFor(BertModelImpl& model, const TaskSpec& task, const std::filesystem::path& folder)
{
    const ModelHeads& heads = model.heads();
    const std::string fineTuneFirst = "; fine-tune it for the task first (axformer finetune)";
    switch (task.kind) {
    case TaskKind::Classification:
        if (heads.numLabels == 0) failIn(folder.string(), "the model has no classification head for task " + task.name + fineTuneFirst);
        if (heads.numLabels != static_cast<int>(task.numLabels()))
            failIn(folder.string(), "the model's classifier has " + std::to_string(heads.numLabels) + " outputs but task " +
                                        task.name + " has " + std::to_string(task.numLabels()) +
                                        " labels: it was fine-tuned for another task");
        // A custom task's label ids come from its files (sorted) or the user's list: fine-tuned
        // under another order, every prediction would be graded against the wrong label.
        if (task.columns && !model.config().id2label.empty()) {
            std::vector<std::string> named;
            for (const auto& [id, label] : model.config().id2label) named.push_back(label);
            if (named != task.labels) {
                std::string given, expected;
                for (const auto& label : named) given += (given.empty() ? "" : ", ") + label;
                for (const auto& label : task.labels) expected += (expected.empty() ? "" : ", ") + label;
                failIn(folder.string(), "the model's labels are (" + given + ") in its config.json, the task's are (" + expected +
                                            "): give them in the model's order (--labels)");
            }
        }
        break;
    case TaskKind::Regression:
        if (heads.numLabels != 1)
            failIn(folder.string(), "task " + task.name + " needs a regression head (a classifier with one output), the model has " +
                                        (heads.numLabels == 0 ? std::string("none") : std::to_string(heads.numLabels) + " outputs") +
                                        fineTuneFirst);
        break;
    case TaskKind::SpanExtraction:
        if (!heads.questionAnswering) failIn(folder.string(), "the model has no question-answering head (qa_outputs)" + fineTuneFirst);
        break;
    }
}

}  // namespace ax
