// BERT with Hugging Face semantics (post-LayerNorm, erf GELU, 1/sqrt(d) scaling, additive -10000
// padding mask, tanh pooler) and the task heads a checkpoint may carry: sequence classification or
// regression (`classifier.*`), question answering (`qa_outputs.*`) and masked LM (`cls.predictions.*`,
// decoder tied to the word embeddings). A DistilBERT checkpoint is the same network without token
// types, with ReLU in place of the pooler's tanh (its pre_classifier) and its own tensor names,
// which io/weight_names.h translates when a folder is read or written. An ELECTRA discriminator is
// BERT's encoder under other names, with GELU in its classification head's dense layer.
#pragma once

#include "io/bert_config.h"
#include "model/approximation.h"
#include "model/bert_layer.h"
#include "model/precision.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>

#include <map>

#include <optional>

namespace ax {

// Which parts beyond the encoder a model has.
struct ModelHeads {
    bool pooler = true;
    int numLabels = 0;               // > 0: a classifier (1 = regression)
    bool questionAnswering = false;
    bool maskedLm = false;
};

struct ModelInput {
    torch::Tensor inputIds;          // [B, S] int64
    torch::Tensor tokenTypeIds;      // [B, S] int64, or undefined (all zeros)
    torch::Tensor attentionMask;     // [B, S] 1 = real token, 0 = padding, or undefined (all ones)
};

struct ForwardOptions {
    bool hiddenStates = false;       // keep every layer's output
    bool attentions = false;         // keep every layer's attention probabilities
    bool maskedLm = false;           // compute masked-LM logits [B, S, V]
};

struct BertOutput {
    torch::Tensor lastHidden;                 // [B, S, H]
    torch::Tensor pooled;                     // [B, H] when the model has a pooler
    std::vector<torch::Tensor> hiddenStates;  // embeddings output, then each layer's output
    std::vector<torch::Tensor> attentions;    // [B, heads, S, S] per layer
    torch::Tensor logits;                     // [B, numLabels] with a classifier
    torch::Tensor startLogits, endLogits;     // [B, S] with a QA head
    torch::Tensor maskedLmLogits;             // [B, S, V] when asked for
};

// config.json's field that marks a model saved with int8 encoder projections.
inline constexpr const char* kInt8ConfigField = "axformer_quantization";
inline constexpr const char* kInt8ConfigValue = "dynamic-int8-per-channel";
// config.json's field that marks a model saved to run with every weight in bfloat16. Its own field,
// not "torch_dtype" (which says bfloat16 too, for Hugging Face's tools): a Hugging Face checkpoint
// merely stored in bfloat16 loads in float32 here, as from_pretrained loads it by default.
inline constexpr const char* kPrecisionConfigField = "axformer_precision";
inline constexpr const char* kBf16ConfigValue = "bfloat16";

class BertModelImpl : public torch::nn::Module {
public:
    BertModelImpl(BertConfig config, ModelHeads heads);

    BertOutput forward(const ModelInput& input, const Approximation* approximation = nullptr,
                       const ForwardOptions& options = {});

    // The pieces of forward(), for callers that cache hidden states between layers.
    torch::Tensor embed(const torch::Tensor& inputIds, const torch::Tensor& tokenTypeIds);
    static torch::Tensor additiveMask(const torch::Tensor& attentionMask, const torch::Tensor& like);
    torch::Tensor runLayer(size_t layer, const torch::Tensor& hidden, const torch::Tensor& additiveMask,
                           const Approximation* approximation, torch::Tensor* attentionProbs = nullptr);
    // One encoder layer, for callers that run its sub-layers apart (the search's layer cache).
    BertLayerImpl& encoderLayer(size_t layer) { return *m_layers.at(layer); }
    void applyHeads(BertOutput& output, const ForwardOptions& options);

    const BertConfig& config() const { return m_config; }
    const ModelHeads& heads() const { return m_heads; }
    size_t layerCount() const { return m_layers.size(); }

    // Every weight by its Hugging Face BERT name (`bert.` prefix for the encoder; a DistilBERT's
    // too), each once (the tied masked-LM decoder is the word embedding matrix and is not listed again).
    std::vector<std::pair<std::string, torch::Tensor>> namedWeights() const;
    int64_t parameterCount() const;

    // Dynamic int8 for every encoder projection (BertLayerImpl::quantizeInt8), recorded in the
    // config (kInt8ConfigField) so that a saved folder reloads quantized. Embeddings, pooler and
    // heads stay float, as in PyTorch's quantize_dynamic of a BERT's encoder.
    void quantizeInt8();
    bool isInt8() const;
    // Every weight in bfloat16: LibTorch then runs the matrix products through oneDNN, on AVX-512
    // BF16 or AMX where the CPU has them. Recorded in the config (kPrecisionConfigField) so that a
    // saved folder (half the bytes) reloads in bfloat16. An int8 model is not converted (ax::Error).
    void convertToBf16();
    bool isBf16() const;
    Precision precision() const;
    // quantizeInt8() or convertToBf16(); Float32 leaves the model as it is.
    void convertTo(Precision precision);
    // The int8 weight of each quantized projection, by Hugging Face name.
    std::map<std::string, const Int8Weight*> int8Weights() const;

    // Normal(0, initializerRange) weights, zero biases, LayerNorm 1/0, as Hugging Face initialises,
    // drawn from a generator seeded with `seed` (not the process-wide one, which other threads share).
    void initialiseWeights(uint64_t seed, double initializerRange = 0.02);

    // Dropout masks from now on come from a private generator seeded with `seed` (model/dropout.h).
    void seedDropout(uint64_t seed) { m_dropout->reseed(seed); }

private:
    // Every layer's tensors for a forward that shares its tokens out over the threads, or none
    // where a layer cannot run that way (BertLayerImpl::tokenSplitWeights).
    std::optional<std::vector<EncoderLayerWeights>> tokenSplitLayers() const;
    // The embeddings in one pass at inference in float32 (model/embedding_rows.h); none elsewhere.
    // ids and types checked; types undefined without a token-type table.
    std::optional<torch::Tensor> embedInOnePass(const torch::Tensor& inputIds, const torch::Tensor& types) const;

    BertConfig m_config;
    ModelHeads m_heads;
    torch::nn::Embedding m_wordEmbeddings{nullptr}, m_positionEmbeddings{nullptr}, m_tokenTypeEmbeddings{nullptr};
    torch::nn::LayerNorm m_embeddingNorm{nullptr};
    std::vector<BertLayer> m_layers;
    torch::nn::Linear m_pooler{nullptr};
    torch::nn::Linear m_classifier{nullptr};
    torch::nn::Linear m_qaOutputs{nullptr};
    torch::nn::Linear m_mlmTransform{nullptr};
    torch::nn::LayerNorm m_mlmNorm{nullptr};
    torch::Tensor m_mlmBias;
    SharedDropoutRandom m_dropout = std::make_shared<DropoutRandom>();
};
TORCH_MODULE(BertModel);

}  // namespace ax
