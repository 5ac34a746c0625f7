#include "train/batch_tensors.h"

#include "common/error.h"

#include <torch/torch.h>

namespace ax {

namespace {

torch::Tensor matrix(const std::vector<int64_t>& values, int64_t rows, int64_t columns)
{
    return torch::tensor(values, torch::kInt64).view({rows, columns});
}

}  // namespace

BatchTensors toTensors(const Batch& batch)
{
    BatchTensors tensors;
    tensors.input.inputIds = matrix(batch.inputIds, batch.size, batch.length);
    tensors.input.tokenTypeIds = matrix(batch.tokenTypeIds, batch.size, batch.length);
    tensors.input.attentionMask = matrix(batch.attentionMask, batch.size, batch.length);
    tensors.labels = torch::tensor(batch.labels, torch::kInt64);
    tensors.scores = torch::tensor(batch.scores, torch::kFloat32);
    tensors.startPositions = torch::tensor(batch.startPositions, torch::kInt64);
    tensors.endPositions = torch::tensor(batch.endPositions, torch::kInt64);
    return tensors;
}

torch::Tensor rowLosses(const TaskSpec& task, const BertOutput& output, const BatchTensors& batch)
{
    namespace F = torch::nn::functional;
    const auto none = F::CrossEntropyFuncOptions().reduction(torch::kNone);
    switch (task.kind) {
    case TaskKind::Classification:
        if (!output.logits.defined()) throw Error("the model has no classification head for task " + task.name);
        if (output.logits.size(1) != static_cast<int64_t>(task.numLabels()))
            throw Error("the model's classifier has " + std::to_string(output.logits.size(1)) + " outputs but task " +
                        task.name + " has " + std::to_string(task.numLabels()) + " labels");
        return F::cross_entropy(output.logits, batch.labels, none);
    case TaskKind::Regression:
        if (!output.logits.defined() || output.logits.size(1) != 1)
            throw Error("task " + task.name + " needs a regression head (a classifier with one output)");
        return (output.logits.squeeze(1) - batch.scores).pow(2);
    case TaskKind::SpanExtraction:
        if (!output.startLogits.defined()) throw Error("the model has no question-answering head (qa_outputs)");
        return (F::cross_entropy(output.startLogits, batch.startPositions, none) +
                F::cross_entropy(output.endLogits, batch.endPositions, none)) /
               2;
    }
    throw Error("unknown task kind");
}

}  // namespace ax
