#include "model/bert_model.h"

#include "common/error.h"
#include "model/embedding_rows.h"
#include "model/inference_threads.h"
#include "model/token_split_encoder.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <algorithm>
#include <optional>

namespace ax {


BertModelImpl::BertModelImpl(BertConfig config, ModelHeads heads) : m_config(std::move(config)), m_heads(heads)
{
    const int64_t hidden = m_config.hiddenSize;
    m_wordEmbeddings = register_module("word_embeddings", torch::nn::Embedding(m_config.vocabSize, hidden));
    m_positionEmbeddings = register_module("position_embeddings", torch::nn::Embedding(m_config.maxPositions, hidden));
    if (m_config.hasTokenTypes())
        m_tokenTypeEmbeddings = register_module("token_type_embeddings", torch::nn::Embedding(m_config.typeVocabSize, hidden));
    m_embeddingNorm = register_module(
        "embedding_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({hidden}).eps(m_config.layerNormEps)));
    for (size_t i = 0; i < m_config.layers.size(); ++i)
        m_layers.push_back(register_module("layer" + std::to_string(i), BertLayer(m_config, m_config.layers[i], m_dropout)));
    if (m_heads.pooler) m_pooler = register_module("pooler", torch::nn::Linear(hidden, hidden));
    if (m_heads.numLabels > 0) {
        if (!m_heads.pooler)
            throw Error(std::string("a classification head needs the ") +
                        (m_config.isDistilBert() ? "pre-classifier (pre_classifier.*)"
                         : m_config.isElectra()  ? "classifier's dense layer (classifier.dense.*)"
                                                 : "pooler (bert.pooler.dense.*)"));
        m_classifier = register_module("classifier", torch::nn::Linear(hidden, m_heads.numLabels));
    }
    if (m_heads.questionAnswering) m_qaOutputs = register_module("qa_outputs", torch::nn::Linear(hidden, 2));
    if (m_heads.maskedLm) {
        m_mlmTransform = register_module("mlm_transform", torch::nn::Linear(hidden, hidden));
        m_mlmNorm = register_module(
            "mlm_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({hidden}).eps(m_config.layerNormEps)));
        m_mlmBias = register_parameter("mlm_bias", torch::zeros({m_config.vocabSize}));
    }
}

namespace {

// A value of `ids` outside [0, size), if there is one: the lowest where one lies below, else the highest.
std::optional<int64_t> firstOutside(const torch::Tensor& ids, int64_t size)
{
    if (ids.numel() == 0) return std::nullopt;
    // A loop over the values: LibTorch's aminmax and reading its two results back cost a few µs,
    // twice per forward.
    const torch::Tensor values = ids.to(torch::kLong).contiguous();
    const int64_t* data = values.data_ptr<int64_t>();
    const auto [low, high] = std::minmax_element(data, data + values.numel());
    if (*low < 0) return *low;
    if (*high >= size) return *high;
    return std::nullopt;
}

}  // namespace

torch::Tensor BertModelImpl::embed(const torch::Tensor& inputIds, const torch::Tensor& tokenTypeIds)
{
    const int64_t length = inputIds.size(1);
    if (length > m_config.maxPositions)
        throw Error("sequence of " + std::to_string(length) + " tokens is longer than the model's " +
                    std::to_string(m_config.maxPositions) + " positions");
    // An id the embedding tables lack would throw LibTorch's bare "index out of range in self"
    // (no ax::Error, no hint): say which table and how large it is.
    if (const auto id = firstOutside(inputIds, m_config.vocabSize))
        throw Error("token id " + std::to_string(*id) + " is outside the model's vocabulary of " +
                    std::to_string(m_config.vocabSize) + " tokens (vocab_size): the tokenizer's vocab.txt is not this model's");
    // DistilBERT has no token types: it reads a sentence pair from its [SEP] alone, as Hugging Face's does.
    torch::Tensor types;
    if (m_config.hasTokenTypes()) {
        types = tokenTypeIds.defined() ? tokenTypeIds : torch::zeros_like(inputIds);
        if (const auto type = firstOutside(types, m_config.typeVocabSize))
            throw Error("token type " + std::to_string(*type) + " is outside the model's " + std::to_string(m_config.typeVocabSize) +
                        " token types (type_vocab_size)" + (m_config.typeVocabSize < 2 ? ": it cannot read sentence pairs" : ""));
    }
    if (std::optional<torch::Tensor> embeddings = embedInOnePass(inputIds, types)) return *std::move(embeddings);
    const torch::Tensor positions = torch::arange(length, inputIds.options()).unsqueeze(0);
    torch::Tensor embeddings = m_wordEmbeddings(inputIds) + m_positionEmbeddings(positions);
    if (m_config.hasTokenTypes()) embeddings = embeddings + m_tokenTypeEmbeddings(types);
    embeddings = m_embeddingNorm(embeddings);
    return m_dropout->apply(embeddings, m_config.hiddenDropout, is_training());
}

std::optional<torch::Tensor> BertModelImpl::embedInOnePass(const torch::Tensor& inputIds, const torch::Tensor& types) const
{
    if (is_training() || at::GradMode::is_enabled() || !inputIds.device().is_cpu()) return std::nullopt;
    const torch::Tensor& word = m_wordEmbeddings->weight;
    const torch::Tensor tokenType = m_tokenTypeEmbeddings ? m_tokenTypeEmbeddings->weight : torch::Tensor();
    for (const torch::Tensor* table : {&word, &m_positionEmbeddings->weight, &tokenType, &m_embeddingNorm->weight, &m_embeddingNorm->bias})
        if (table->defined() && (table->scalar_type() != torch::kFloat32 || !table->device().is_cpu() || !table->is_contiguous()))
            return std::nullopt;
    const torch::Tensor ids = inputIds.to(torch::kLong).contiguous();
    const torch::Tensor typeIds = types.defined() ? types.to(torch::kLong).contiguous() : types;
    torch::Tensor embeddings = torch::empty({ids.size(0), ids.size(1), word.size(1)}, word.options());
    const EmbeddingTables tables{word.data_ptr<float>(),
                                 m_positionEmbeddings->weight.data_ptr<float>(),
                                 tokenType.defined() ? tokenType.data_ptr<float>() : nullptr,
                                 m_embeddingNorm->weight.data_ptr<float>(),
                                 m_embeddingNorm->bias.data_ptr<float>(),
                                 static_cast<float>(m_embeddingNorm->options.eps()),
                                 word.size(1)};
    embedRows(tables, ids.data_ptr<int64_t>(), typeIds.defined() ? typeIds.data_ptr<int64_t>() : nullptr, ids.size(0),
              ids.size(1), embeddings.data_ptr<float>());
    return embeddings;
}

torch::Tensor BertModelImpl::additiveMask(const torch::Tensor& attentionMask, const torch::Tensor& like)
{
    // [B, S] -> [B, 1, 1, S]; the old -10000 constant, not -inf, exactly as the reference code.
    return ((1.0 - attentionMask.to(like.scalar_type())) * -10000.0).unsqueeze(1).unsqueeze(2);
}

torch::Tensor BertModelImpl::runLayer(size_t layer, const torch::Tensor& hidden, const torch::Tensor& mask,
                                      const Approximation* approximation, torch::Tensor* attentionProbs)
{
    const LayerApproximation* control = approximation ? approximation->layer(layer) : nullptr;
    return m_layers.at(layer)->forward(hidden, mask, control, attentionProbs);
}

std::optional<std::vector<EncoderLayerWeights>> BertModelImpl::tokenSplitLayers() const
{
    std::vector<EncoderLayerWeights> layers;
    for (const BertLayer& layer : m_layers) {
        std::optional<EncoderLayerWeights> weights = layer->tokenSplitWeights();
        if (!weights) return std::nullopt;
        layers.push_back(*std::move(weights));
    }
    return layers;
}

void BertModelImpl::applyHeads(BertOutput& output, const ForwardOptions& options)
{
    if (m_pooler) {
        // BERT's pooler is tanh(dense). In its place DistilBERT's classification head has
        // pre_classifier + ReLU, ELECTRA's dropout, its dense layer and GELU.
        torch::Tensor first = output.lastHidden.select(1, 0);
        if (m_config.isElectra())
            first = m_dropout->apply(first, m_config.classifierDropout.value_or(m_config.hiddenDropout), is_training());
        const torch::Tensor dense = m_pooler(first);
        output.pooled = m_config.isDistilBert() ? torch::relu(dense) : m_config.isElectra() ? torch::gelu(dense) : torch::tanh(dense);
    }
    if (m_classifier) {
        const torch::Tensor pooled =
            m_dropout->apply(output.pooled, m_config.classifierDropout.value_or(m_config.hiddenDropout), is_training());
        output.logits = m_classifier(pooled);
    }
    if (m_qaOutputs) {
        const torch::Tensor spans = m_qaOutputs(output.lastHidden);
        output.startLogits = spans.select(-1, 0);
        output.endLogits = spans.select(-1, 1);
    }
    if (options.maskedLm) {
        if (!m_heads.maskedLm) throw Error("this model has no masked-LM head (cls.predictions.*)");
        const torch::Tensor transformed =
            m_mlmNorm(applyActivation(m_config.activation, m_mlmTransform(output.lastHidden)));
        output.maskedLmLogits = torch::matmul(transformed, m_wordEmbeddings->weight.t()) + m_mlmBias;
    }
}

BertOutput BertModelImpl::forward(const ModelInput& input, const Approximation* approximation, const ForwardOptions& options)
{
    if (!input.inputIds.defined() || input.inputIds.dim() != 2)
        throw Error("input_ids must be a [batch, sequence] tensor");
    const torch::Tensor ones = torch::ones_like(input.inputIds);
    const torch::Tensor attention = input.attentionMask.defined() ? input.attentionMask : ones;
    for (const auto* other : {&input.tokenTypeIds, &attention})
        if (other->defined() && other->sizes() != input.inputIds.sizes())
            throw Error("token_type_ids and attention_mask must have the shape of input_ids");

    const SmallOperatorsOnCallingThread smallOperators(input.inputIds.numel() * m_config.hiddenSize);
    BertOutput output;
    torch::Tensor hidden = embed(input.inputIds, input.tokenTypeIds);
    const torch::Tensor mask = additiveMask(attention, hidden);
    if (options.hiddenStates) output.hiddenStates.push_back(hidden);
    // Any approximation, even one that changes nothing, keeps the layer-by-layer path: the search
    // compares approximations by loss, and its layer cache runs layer by layer, so every pass it
    // compares must do the same arithmetic to the bit.
    const int splitThreads = approximation || options.hiddenStates || options.attentions ? 1 : tokenSplitThreads(hidden);
    std::optional<std::vector<EncoderLayerWeights>> splitLayers = splitThreads > 1 ? tokenSplitLayers() : std::nullopt;
    if (splitLayers) {
        output.lastHidden = encoderSplitOverTokens(hidden, mask, *splitLayers, splitThreads);
    } else {
        for (size_t i = 0; i < m_layers.size(); ++i) {
            torch::Tensor probs;
            hidden = runLayer(i, hidden, mask, approximation, options.attentions ? &probs : nullptr);
            if (options.hiddenStates) output.hiddenStates.push_back(hidden);
            if (options.attentions) output.attentions.push_back(probs);
        }
        output.lastHidden = hidden;
    }
    applyHeads(output, options);
    return output;
}

std::vector<std::pair<std::string, torch::Tensor>> BertModelImpl::namedWeights() const
{
    std::vector<std::pair<std::string, torch::Tensor>> weights = {
        {"bert.embeddings.word_embeddings.weight", m_wordEmbeddings->weight},
        {"bert.embeddings.position_embeddings.weight", m_positionEmbeddings->weight},
        {"bert.embeddings.LayerNorm.weight", m_embeddingNorm->weight},
        {"bert.embeddings.LayerNorm.bias", m_embeddingNorm->bias},
    };
    if (m_tokenTypeEmbeddings)
        weights.insert(weights.begin() + 2, {"bert.embeddings.token_type_embeddings.weight", m_tokenTypeEmbeddings->weight});
    for (size_t i = 0; i < m_layers.size(); ++i)
        for (auto& [name, tensor] : m_layers[i]->namedWeights())
            weights.emplace_back("bert.encoder.layer." + std::to_string(i) + "." + name, tensor);
    auto linear = [&](const std::string& name, const torch::nn::Linear& module) {
        weights.emplace_back(name + ".weight", module->weight);
        weights.emplace_back(name + ".bias", module->bias);
    };
    if (m_pooler) linear("bert.pooler.dense", m_pooler);
    if (m_classifier) linear("classifier", m_classifier);
    if (m_qaOutputs) linear("qa_outputs", m_qaOutputs);
    if (m_heads.maskedLm) {
        linear("cls.predictions.transform.dense", m_mlmTransform);
        weights.emplace_back("cls.predictions.transform.LayerNorm.weight", m_mlmNorm->weight);
        weights.emplace_back("cls.predictions.transform.LayerNorm.bias", m_mlmNorm->bias);
        weights.emplace_back("cls.predictions.bias", m_mlmBias);
    }
    return weights;
}

void BertModelImpl::quantizeInt8()
{
    if (isBf16()) throw Error("a bfloat16 model cannot also be quantized to int8: quantize its float32 original");
    for (BertLayer& layer : m_layers) layer->quantizeInt8();
    m_config.extraFields[kInt8ConfigField] = kInt8ConfigValue;
}

bool BertModelImpl::isInt8() const
{
    return m_config.extraFields.contains(kInt8ConfigField);
}

void BertModelImpl::convertToBf16()
{
    if (isInt8()) throw Error("an int8 model cannot also be converted to bfloat16: convert its float32 original");
    to(torch::kBFloat16);
    m_config.extraFields[kPrecisionConfigField] = kBf16ConfigValue;
    m_config.extraFields["torch_dtype"] = "bfloat16";
}

bool BertModelImpl::isBf16() const
{
    const auto field = m_config.extraFields.find(kPrecisionConfigField);
    return field != m_config.extraFields.end() && *field == kBf16ConfigValue;
}

Precision BertModelImpl::precision() const
{
    return isInt8() ? Precision::Int8 : isBf16() ? Precision::BFloat16 : Precision::Float32;
}

void BertModelImpl::convertTo(Precision precision)
{
    switch (precision) {
    case Precision::Float32: return;
    case Precision::Int8: return quantizeInt8();
    case Precision::BFloat16: return convertToBf16();
    }
}

std::map<std::string, const Int8Weight*> BertModelImpl::int8Weights() const
{
    std::map<std::string, const Int8Weight*> weights;
    for (size_t i = 0; i < m_layers.size(); ++i)
        for (const auto& [name, weight] : m_layers[i]->int8Weights())
            weights["bert.encoder.layer." + std::to_string(i) + "." + name] = weight;
    return weights;
}

int64_t BertModelImpl::parameterCount() const
{
    int64_t count = 0;
    for (const auto& entry : namedWeights()) count += entry.second.numel();
    return count;
}

void BertModelImpl::initialiseWeights(uint64_t seed, double initializerRange)
{
    torch::NoGradGuard noGrad;
    at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(seed);
    for (auto& [name, tensor] : namedWeights()) {
        const bool isNorm = name.find("LayerNorm") != std::string::npos;
        const bool isBias = name.size() >= 5 && name.compare(name.size() - 5, 5, ".bias") == 0;
        if (isNorm && !isBias) tensor.fill_(1.0);
        else if (isBias) tensor.zero_();
        else tensor.normal_(0.0, initializerRange, generator);
    }
    m_wordEmbeddings->weight[m_config.padTokenId].zero_();
}

}  // namespace ax
