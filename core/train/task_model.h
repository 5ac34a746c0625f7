// Turns a pretrained model into one ready to fine-tune on a task: the same encoder (and pooler),
// the task's head, and the masked-LM head dropped.
#pragma once

#include "data/task.h"
#include "model/bert_model.h"

#include <filesystem>

namespace ax {

// Keeps a head of the right shape if `pretrained` already has one (continuing a fine-tune);
// otherwise the head (and a missing pooler) is new, initialised N(0, 0.02) from `seed`. With
// randomInit every weight is re-initialised: the from-scratch baseline of the same shape.
BertModel modelForTask(BertModelImpl& pretrained, const TaskSpec& task, uint64_t seed, bool randomInit = false);

// Refuses, naming the folder, a model whose head cannot serve `task` (a pretrained model without
// a classifier, an MNLI model on SST-2) before it is evaluated or searched; the losses' own check
// cannot say which folder the model came from.
void requireHeadFor(BertModelImpl& model, const TaskSpec& task, const std::filesystem::path& folder);

}  // namespace ax
