// A small forward's encoder with its tokens shared out over the threads: each thread carries its
// own rows through every layer (projections, its queries' attention, LayerNorms, FFN), and the
// threads meet once per layer, when every row's keys and values are written. The usual path
// splits each product and operator over the threads instead, and at BERT-Mini width and batch 1
// the wake-up of the parked second thread at each of those ~30 splits cost more than the split
// saved (docs/BENCHMARKS.md, "Tokens shared out over the threads"). Inference only; a row's
// results agree with the usual path to float rounding, not to the bit.
#pragma once

#include "io/bert_config.h"

#include <torch/types.h>

#include <vector>

namespace ax {

// One encoder layer as the split forward reads it. A removed block leaves its tensors undefined
// (and keeps its LayerNorm).
struct EncoderLayerWeights {
    struct Dense {
        torch::Tensor weight;  // [out, in]
        torch::Tensor bias;    // [out]
    };
    struct Norm {
        torch::Tensor weight, bias;
        double eps = 1e-12;
    };
    Dense query, key, value, attentionOutput;
    Norm attentionNorm;
    Dense intermediate, output;
    Norm outputNorm;
    int64_t headDim = 64;
    Activation activation = Activation::GeluErf;
};

// How many threads this forward's encoder may share its tokens over: more than one only at
// inference inside a small forward's calling-thread scope (model/inference_threads.h), for the
// float types oneDNN runs and at least one row per thread; 1 means run it the usual way.
int tokenSplitThreads(const torch::Tensor& hidden);

// hidden [B, S, H], additiveMask [B, 1, 1, S] -> the last layer's hidden states [B, S, H].
torch::Tensor encoderSplitOverTokens(const torch::Tensor& hidden, const torch::Tensor& additiveMask,
                                     const std::vector<EncoderLayerWeights>& layers, int threads);

}  // namespace ax
