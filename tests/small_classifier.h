// A small random BERT classifier, one batch for it, and how far two sets of its logits lie apart:
// what the precision tests (int8, bf16) convert and compare.
#pragma once

#include "model/bert_model.h"

#include <torch/torch.h>

namespace ax::test {

// 3 layers, hidden 64, 4 heads, FFN 128, 120 tokens, 64 positions, 3 labels; seeded.
inline BertModel smallClassifier()
{
    torch::manual_seed(3);
    BertConfig config = BertConfig::standard(120, 64, 3, 4, 128);
    config.maxPositions = 64;
    ModelHeads heads;
    heads.numLabels = 3;
    BertModel model(config, heads);
    model->initialiseWeights(5, 0.05);
    model->eval();
    return model;
}

// 16 sequences of 24 tokens; the fourth is padded after 10.
inline ModelInput smallClassifierBatch()
{
    torch::manual_seed(11);
    ModelInput input;
    input.inputIds = torch::randint(1, 120, {16, 24}, torch::kInt64);
    input.attentionMask = torch::ones({16, 24}, torch::kInt64);
    input.attentionMask.index_put_({3, torch::indexing::Slice(10, torch::indexing::None)}, 0);
    return input;
}

// The logits in float32, whatever precision the model runs in.
inline torch::Tensor logitsOf(BertModelImpl& model, const ModelInput& input)
{
    torch::InferenceMode inference;
    return model.forward(input).logits.to(torch::kFloat32).clone();
}

inline double relativeError(const torch::Tensor& approximate, const torch::Tensor& exact)
{
    return ((approximate - exact).norm() / exact.norm()).item<double>();
}

}  // namespace ax::test
