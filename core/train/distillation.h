// Knowledge distillation (Hinton, Vinyals, Dean 2015), as DistilBERT and the AxFormer paper use
// it: the student's loss mixes the task loss with the teacher's soft targets at a temperature,
// and optionally the teacher's last hidden states.
#pragma once

#include "data/task.h"
#include "model/bert_model.h"
#include "train/batch_tensors.h"

namespace ax {

struct Distillation {
    BertModelImpl* teacher = nullptr;  // null: no distillation; run in eval mode, without gradients
    double temperature = 2.0;
    double alpha = 0.5;                // weight of the soft-target loss; the task loss gets 1 - alpha
    double hiddenWeight = 0;           // weight of the mean squared error between last hidden states
};

// alpha * soft + (1 - alpha) * taskLoss (+ hiddenWeight * hidden MSE over real tokens), where soft
// is KL(teacher || student) of the softmaxes at `temperature`, times temperature^2 (so that its
// gradients keep their scale as the temperature changes); for span extraction the mean of the start
// and end distributions'; for regression the squared difference of the two scores. The settings
// are checked once by the caller (checkDistillation; fineTune does); throws ax::Error for hidden
// sizes that differ.
torch::Tensor distilledLoss(const TaskSpec& task, const torch::Tensor& taskLoss, const BertOutput& student,
                            const BertOutput& teacher, const BatchTensors& batch, const Distillation& distillation);

// Throws ax::Error naming the setting when the temperature is not positive, alpha is outside [0, 1]
// or the hidden weight is negative.
void checkDistillation(const Distillation& distillation);

}  // namespace ax
