#include "train/distillation.h"

#include "common/error.h"

#include <torch/torch.h>

#include <cmath>

namespace ax {

namespace {

// KL(teacher || student) of the two distributions over the last dimension at temperature T,
// averaged over rows, times T^2.
torch::Tensor softTargetLoss(const torch::Tensor& student, const torch::Tensor& teacher, double temperature)
{
    const torch::Tensor logStudent = torch::log_softmax(student / temperature, -1);
    const torch::Tensor logTeacher = torch::log_softmax(teacher / temperature, -1);
    return (logTeacher.exp() * (logTeacher - logStudent)).sum(-1).mean() * (temperature * temperature);
}

}  // namespace

void checkDistillation(const Distillation& distillation)
{
    if (!(distillation.temperature > 0) || !std::isfinite(distillation.temperature))
        throw Error("the distillation temperature must be a positive number, got " + std::to_string(distillation.temperature));
    if (!(distillation.alpha >= 0 && distillation.alpha <= 1))
        throw Error("the distillation weight alpha must be in [0, 1], got " + std::to_string(distillation.alpha));
    if (!(distillation.hiddenWeight >= 0) || !std::isfinite(distillation.hiddenWeight))
        throw Error("the hidden-state loss weight must be 0 or more, got " + std::to_string(distillation.hiddenWeight));
}

torch::Tensor distilledLoss(const TaskSpec& task, const torch::Tensor& taskLoss, const BertOutput& student,
                            const BertOutput& teacher, const BatchTensors& batch, const Distillation& distillation)
{
    const double temperature = distillation.temperature;
    torch::Tensor soft;
    switch (task.kind) {
    case TaskKind::Classification: soft = softTargetLoss(student.logits, teacher.logits, temperature); break;
    case TaskKind::Regression: soft = (student.logits - teacher.logits).pow(2).mean(); break;
    case TaskKind::SpanExtraction:
        soft = (softTargetLoss(student.startLogits, teacher.startLogits, temperature) +
                softTargetLoss(student.endLogits, teacher.endLogits, temperature)) /
               2;
        break;
    }
    torch::Tensor loss = distillation.alpha * soft + (1 - distillation.alpha) * taskLoss;
    if (distillation.hiddenWeight > 0) {
        if (student.lastHidden.sizes() != teacher.lastHidden.sizes())
            throw Error("the hidden-state loss needs the teacher's hidden size: the student's last hidden states are " +
                        c10::str(student.lastHidden.sizes()) + ", the teacher's " + c10::str(teacher.lastHidden.sizes()));
        const torch::Tensor real = batch.input.attentionMask.defined()
                                       ? batch.input.attentionMask.to(torch::kFloat32).unsqueeze(-1)
                                       : torch::ones({student.lastHidden.size(0), student.lastHidden.size(1), 1});
        const torch::Tensor squared = (student.lastHidden - teacher.lastHidden).pow(2) * real;
        loss = loss + distillation.hiddenWeight * squared.sum() / (real.sum() * student.lastHidden.size(-1));
    }
    return loss;
}

}  // namespace ax
