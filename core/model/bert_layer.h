// One post-LayerNorm BERT encoder layer with any number of heads and any FFN width, and the
// AxFormer controls applied on the fly (head mask, FFN groups, removed blocks, top-k attention).
#pragma once

#include "io/bert_config.h"
#include "model/approximation.h"
#include "model/dropout.h"
#include "model/int8_linear.h"
#include "model/token_split_encoder.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/normalization.h>

#include <optional>

namespace ax {

class BertLayerImpl : public torch::nn::Module {
public:
    // Dropout masks come from `dropout`, which the model shares with all its layers.
    BertLayerImpl(const BertConfig& config, const LayerShape& shape, SharedDropoutRandom dropout);

    // hidden [B, S, H]; additiveMask [B, 1, 1, S] (0 for real tokens, -10000 for padding).
    // When attentionProbs is given it receives the (masked, hardened) probabilities [B, heads, S, S].
    torch::Tensor forward(const torch::Tensor& hidden, const torch::Tensor& additiveMask,
                          const LayerApproximation* approximation, torch::Tensor* attentionProbs);

    // forward() is attentionSublayer() then ffnSublayer(); callers that cache the attention
    // sub-layer's output (the search's layer cache) run them apart.
    torch::Tensor attentionSublayer(const torch::Tensor& hidden, const torch::Tensor& additiveMask,
                                    const LayerApproximation* approximation, torch::Tensor* attentionProbs = nullptr);
    torch::Tensor ffnSublayer(const torch::Tensor& hidden, const LayerApproximation* approximation);

    // Each sub-layer splits once more where the search's candidates differ: the head mask acts only
    // after the attention probabilities, the FFN groups only after the activation. The layer cache
    // keeps the first half and runs the second per candidate; the sub-layers above run the same two
    // halves, so both ways give the same bits. Both need the block present and not removed.
    struct AttentionWeights {
        torch::Tensor probs;  // [B, heads, S, S], hardened when top-k applies, before the head mask
        torch::Tensor value;  // [B, heads, S, d]
    };
    AttentionWeights attentionWeights(const torch::Tensor& hidden, const torch::Tensor& additiveMask,
                                      const LayerApproximation* approximation);
    torch::Tensor attendWith(const AttentionWeights& weights, const torch::Tensor& hidden,
                             const LayerApproximation* approximation, torch::Tensor* attentionProbs = nullptr);
    torch::Tensor ffnActivation(const torch::Tensor& hidden);  // [B, S, F], before the group mask
    torch::Tensor ffnFromActivation(const torch::Tensor& activation, const torch::Tensor& hidden,
                                    const LayerApproximation* approximation);
    bool attentionRemoved(const LayerApproximation* approximation) const;
    bool ffnRemoved(const LayerApproximation* approximation) const;

    const LayerShape& shape() const { return m_shape; }

    // This layer's tensors for a forward that shares its tokens out over the threads
    // (model/token_split_encoder.h), or none where that forward cannot run it as forward() would:
    // training, int8, a block sliced to nothing. The layer's own hard attention (a sliced
    // model's) it runs.
    std::optional<EncoderLayerWeights> tokenSplitWeights() const;

    // Weights, by their Hugging Face names relative to "encoder.layer.N.".
    std::vector<std::pair<std::string, torch::Tensor>> namedWeights() const;

    // Every dense projection to dynamic int8 (model/int8_linear.h); the float weights become what
    // the int8 ones hold, so that saving and slicing see the quantized model. Inference only: in
    // training mode the float weights run.
    void quantizeInt8();
    // The int8 weight of each quantized projection, by its name in namedWeights().
    std::vector<std::pair<std::string, const Int8Weight*>> int8Weights() const;

private:
    LayerShape m_shape;
    int64_t m_headDim;
    Activation m_activation;
    double m_hiddenDropout;
    double m_attentionDropout;
    SharedDropoutRandom m_dropout;

    // A dense projection as plain parameters: torch::nn::Linear cannot be built with zero inputs,
    // which is what a layer whose heads or FFN neurons were all sliced away has.
    struct Dense {
        torch::Tensor weight;  // [out, in]
        torch::Tensor bias;    // [out]
        std::optional<Int8Linear> int8;
    };
    Dense addDense(const std::string& name, int64_t in, int64_t out);
    torch::Tensor apply(const Dense& dense, const torch::Tensor& x) const;

    Dense m_query, m_key, m_value, m_attentionOutput;
    torch::nn::LayerNorm m_attentionNorm{nullptr};
    Dense m_intermediate, m_output;
    torch::nn::LayerNorm m_outputNorm{nullptr};
};
TORCH_MODULE(BertLayer);

// The activation named by config.json's hidden_act.
torch::Tensor applyActivation(Activation activation, const torch::Tensor& x);

}  // namespace ax
