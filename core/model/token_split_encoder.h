// The encoder at inference with its tokens shared out over the threads: each thread carries its
// own rows through every layer (projections, its queries' attention, LayerNorms, FFN), and the
// threads meet once per layer, when every row's keys and values are written. The layer-by-layer
// path splits each product and operator over the threads instead, waking and parking them around
// each of ~30 per layer; sharing out the tokens ran BERT-Mini 1.4x faster at batch 1 and 1.1x at
// batch 32, BERT-base 1.06x at batch 1 and 1.05x at 32, and their sliced models more
// (docs/BENCHMARKS.md, "Tokens shared out over the threads"). A row's results agree with the
// layer-by-layer path to float rounding, not to the bit.
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
    int hardAttentionTopK = 0;  // > 0: each query keeps its k largest probabilities (LayerShape)
    Activation activation = Activation::GeluErf;
};

// How many threads this forward's encoder may share its tokens over: the products' thread count
// (model/inference_threads.h) at inference, for the float types oneDNN runs, at most one per row;
// 1 means run it layer by layer.
int tokenSplitThreads(const torch::Tensor& hidden);

// hidden [B, S, H], additiveMask [B, 1, 1, S] -> the last layer's hidden states [B, S, H].
torch::Tensor encoderSplitOverTokens(const torch::Tensor& hidden, const torch::Tensor& additiveMask,
                                     const std::vector<EncoderLayerWeights>& layers, int threads);

}  // namespace ax
