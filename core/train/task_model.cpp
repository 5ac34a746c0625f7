#include "train/task_model.h"

#include <torch/torch.h>

#include <map>

namespace ax {

BertModel modelForTask(BertModelImpl& pretrained, const TaskSpec& task, uint64_t seed, bool randomInit)
{
    BertConfig config = pretrained.config();
    ModelHeads heads;
    heads.pooler = true;
    config.id2label.clear();
    if (task.kind == TaskKind::SpanExtraction) {
        heads.questionAnswering = true;
        config.architectures = {"BertForQuestionAnswering"};
    } else {
        heads.numLabels = task.kind == TaskKind::Regression ? 1 : static_cast<int>(task.numLabels());
        for (int i = 0; i < heads.numLabels; ++i)
            config.id2label[i] = task.kind == TaskKind::Regression ? "LABEL_0" : task.labels[static_cast<size_t>(i)];
        config.architectures = {"BertForSequenceClassification"};
    }
    config.extraFields["finetuning_task"] = task.name;

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

}  // namespace ax
