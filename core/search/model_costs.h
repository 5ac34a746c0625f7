// Size of a model shaped by a config (after slicing), without building it.
#pragma once

#include "io/bert_config.h"
#include "model/bert_model.h"

namespace ax {

// Parameters of a model with these per-layer shapes and heads (equals BertModelImpl::parameterCount
// of the model sliced to them).
int64_t parameterCountFor(const BertConfig& config, const ModelHeads& heads);

}  // namespace ax
