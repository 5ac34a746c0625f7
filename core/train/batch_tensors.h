// A padded Batch (plain vectors) as LibTorch tensors, and the task loss on a model's outputs.
#pragma once

#include "data/batching.h"
#include "data/task.h"
#include "model/bert_model.h"

namespace ax {

struct BatchTensors {
    ModelInput input;
    torch::Tensor labels;          // [B] int64 (classification)
    torch::Tensor scores;          // [B] float (regression)
    torch::Tensor startPositions;  // [B] int64 (span extraction)
    torch::Tensor endPositions;
};

BatchTensors toTensors(const Batch& batch);

// The loss of every row [B] (no reduction): cross-entropy for classification, squared error for
// regression (Hugging Face's MSELoss with one label), the mean of start and end cross-entropies
// for span extraction.
torch::Tensor rowLosses(const TaskSpec& task, const BertOutput& output, const BatchTensors& batch);

}  // namespace ax
