// Turns a pretrained model into one ready to fine-tune on a task: the same encoder (and pooler),
// the task's head, and the masked-LM head dropped.
#pragma once

#include "data/task.h"
#include "model/bert_model.h"

namespace ax {

// Keeps a head of the right shape if `pretrained` already has one (continuing a fine-tune);
// otherwise the head (and a missing pooler) is new, initialised N(0, 0.02) from `seed`. With
// randomInit every weight is re-initialised: the from-scratch baseline of the same shape.
BertModel modelForTask(BertModelImpl& pretrained, const TaskSpec& task, uint64_t seed, bool randomInit = false);

}  // namespace ax
