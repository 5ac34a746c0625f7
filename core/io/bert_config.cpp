#include "io/bert_config.h"

#include "common/atomic_file.h"
#include "common/error.h"
#include "io/json_file.h"

#include <algorithm>
#include <set>

namespace ax {

namespace {

using nlohmann::json;

// Fields this class interprets (BERT's names); everything else in the file is carried through untouched.
const std::set<std::string> kKnownFields = {
    "model_type", "vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
    "intermediate_size", "max_position_embeddings", "type_vocab_size", "hidden_act",
    "layer_norm_eps", "hidden_dropout_prob", "attention_probs_dropout_prob", "classifier_dropout", "pad_token_id",
    "id2label", "label2id", "architectures", "pruned_heads", "axformer_layers", "num_labels"};

// DistilBERT's config.json names for BERT's fields (Hugging Face's DistilBertConfig). It has no
// type_vocab_size (no token types) and no layer_norm_eps (always 1e-12).
const std::map<std::string, std::string> kDistilBertFieldNames = {
    {"hidden_size", "dim"}, {"num_hidden_layers", "n_layers"}, {"num_attention_heads", "n_heads"},
    {"intermediate_size", "hidden_dim"}, {"hidden_act", "activation"}, {"hidden_dropout_prob", "dropout"},
    {"attention_probs_dropout_prob", "attention_dropout"}, {"classifier_dropout", "seq_classif_dropout"}};
const std::set<std::string> kDistilBertAbsentFields = {"type_vocab_size", "layer_norm_eps"};

const std::set<std::string> kSupportedModelTypes = {"bert", "distilbert", "electra"};

int readInt(const json& object, const char* field, int fallback, const std::string& source)
{
    const auto it = object.find(field);
    if (it == object.end() || it->is_null()) return fallback;
    if (!it->is_number_integer()) failIn(source, std::string("field \"") + field + "\" must be an integer, got " + it->dump());
    const auto value = it->get<int64_t>();
    if (value < INT32_MIN || value > INT32_MAX) failIn(source, std::string("field \"") + field + "\" is out of range: " + it->dump());
    return static_cast<int>(value);
}

double readNumber(const json& object, const char* field, double fallback, const std::string& source)
{
    const auto it = object.find(field);
    if (it == object.end() || it->is_null()) return fallback;
    if (!it->is_number()) failIn(source, std::string("field \"") + field + "\" must be a number, got " + it->dump());
    return it->get<double>();
}

bool readBool(const json& object, const char* field, bool fallback, const std::string& source)
{
    const auto it = object.find(field);
    if (it == object.end()) return fallback;
    if (!it->is_boolean()) failIn(source, std::string("field \"") + field + "\" must be true or false, got " + it->dump());
    return it->get<bool>();
}

Activation parseActivation(const std::string& name, const std::string& field, const std::string& source)
{
    if (name == "gelu") return Activation::GeluErf;
    if (name == "gelu_new" || name == "gelu_pytorch_tanh" || name == "gelu_fast") return Activation::GeluTanh;
    if (name == "relu") return Activation::Relu;
    failIn(source, "field \"" + field + "\" is \"" + name + "\"; supported: gelu, gelu_new, gelu_pytorch_tanh, gelu_fast, relu");
}

int parseIntKey(const std::string& key, const char* field, const std::string& source)
{
    try {
        size_t used = 0;
        const int value = std::stoi(key, &used);
        if (used == key.size()) return value;
    } catch (const std::exception&) {
    }
    failIn(source, std::string("field \"") + field + "\" has key \"" + key + "\", expected an integer");
}

std::map<int, std::string> parseId2Label(const json& object, const std::string& source)
{
    std::map<int, std::string> labels;
    const auto it = object.find("id2label");
    if (it == object.end() || it->is_null()) return labels;
    if (!it->is_object()) failIn(source, "field \"id2label\" must be an object of \"id\": \"label\"");
    for (const auto& [key, value] : it->items()) {
        if (!value.is_string()) failIn(source, "id2label[\"" + key + "\"] must be a string");
        labels[parseIntKey(key, "id2label", source)] = value.get<std::string>();
    }
    return labels;
}

void applyPrunedHeads(const json& object, BertConfig& config, const std::string& source)
{
    const auto it = object.find("pruned_heads");
    if (it == object.end() || it->is_null()) return;
    if (!it->is_object()) failIn(source, "field \"pruned_heads\" must be an object of \"layer\": [heads]");
    for (const auto& [key, heads] : it->items()) {
        const int layer = parseIntKey(key, "pruned_heads", source);
        if (layer < 0 || layer >= config.numLayers)
            failIn(source, "pruned_heads names layer " + key + " but the model has " + std::to_string(config.numLayers) + " layers");
        if (!heads.is_array()) failIn(source, "pruned_heads[\"" + key + "\"] must be a list of head indices");
        std::set<int> removed;
        for (const auto& head : heads) {
            if (!head.is_number_integer() || head.get<int64_t>() < 0 || head.get<int64_t>() >= config.numHeads)
                failIn(source, "pruned_heads[\"" + key + "\"] holds " + head.dump() + ", expected a head index in [0, " +
                                   std::to_string(config.numHeads) + ")");
            removed.insert(head.get<int>());
        }
        auto& kept = config.layers[static_cast<size_t>(layer)].keptHeads;
        kept.erase(std::remove_if(kept.begin(), kept.end(), [&](int h) { return removed.count(h) > 0; }), kept.end());
    }
}

void applyAxformerLayers(const json& object, BertConfig& config, const std::string& source)
{
    const auto it = object.find("axformer_layers");
    if (it == object.end() || it->is_null()) return;
    if (!it->is_array() || it->size() != static_cast<size_t>(config.numLayers))
        failIn(source, "field \"axformer_layers\" must be a list with one entry per layer (" +
                           std::to_string(config.numLayers) + ")");
    for (size_t i = 0; i < it->size(); ++i) {
        const json& entry = (*it)[i];
        const std::string where = source + " axformer_layers[" + std::to_string(i) + "]";
        if (!entry.is_object()) failIn(where, "must be an object");
        LayerShape& layer = config.layers[i];
        layer.intermediateSize = readInt(entry, "intermediate_size", layer.intermediateSize, where);
        layer.hasAttention = readBool(entry, "attention", true, where);
        layer.hasFfn = readBool(entry, "ffn", true, where);
        layer.hardAttentionTopK = readInt(entry, "hard_attention_k", 0, where);
        if (!layer.hasAttention) layer.keptHeads.clear();
        if (!layer.hasFfn) layer.intermediateSize = 0;
    }
}

}  // namespace

bool LayerShape::operator==(const LayerShape& other) const
{
    return keptHeads == other.keptHeads && intermediateSize == other.intermediateSize &&
           hasAttention == other.hasAttention && hasFfn == other.hasFfn && hardAttentionTopK == other.hardAttentionTopK;
}

std::string BertConfig::fieldName(const std::string& bertField) const
{
    if (!isDistilBert()) return bertField;
    const auto renamed = kDistilBertFieldNames.find(bertField);
    return renamed == kDistilBertFieldNames.end() ? bertField : renamed->second;
}

BertConfig BertConfig::fromJson(const json& object, const std::string& source)
{
    if (!object.is_object()) failIn(source, "expected a JSON object");
    BertConfig config;
    const auto type = object.find("model_type");
    if (type != object.end() && !type->is_null()) {
        if (!type->is_string()) failIn(source, "field \"model_type\" must be a string");
        config.modelType = type->get<std::string>();
        if (kSupportedModelTypes.count(config.modelType) == 0)
            failIn(source, "model_type \"" + config.modelType +
                               "\" is not supported; this version reads BERT (\"bert\"), DistilBERT (\"distilbert\") and "
                               "ELECTRA (\"electra\") checkpoints");
    }
    if (config.isDistilBert()) {
        // DistilBertConfig's defaults where they differ from BERT's.
        config.numLayers = 6;
        config.typeVocabSize = 0;
        config.classifierDropout = 0.2;
    }
    const auto field = [&](const char* bertField) { return config.fieldName(bertField); };
    config.vocabSize = readInt(object, "vocab_size", config.vocabSize, source);
    config.hiddenSize = readInt(object, field("hidden_size").c_str(), config.hiddenSize, source);
    config.numLayers = readInt(object, field("num_hidden_layers").c_str(), config.numLayers, source);
    config.numHeads = readInt(object, field("num_attention_heads").c_str(), config.numHeads, source);
    config.intermediateSize = readInt(object, field("intermediate_size").c_str(), config.intermediateSize, source);
    config.maxPositions = readInt(object, "max_position_embeddings", config.maxPositions, source);
    config.hiddenDropout = readNumber(object, field("hidden_dropout_prob").c_str(), config.hiddenDropout, source);
    config.attentionDropout = readNumber(object, field("attention_probs_dropout_prob").c_str(), config.attentionDropout, source);
    const std::string classifierField = field("classifier_dropout");
    if (const auto dropout = object.find(classifierField); dropout != object.end() && !dropout->is_null())
        config.classifierDropout = readNumber(object, classifierField.c_str(), 0.0, source);
    if (!config.isDistilBert()) {
        config.typeVocabSize = readInt(object, "type_vocab_size", config.typeVocabSize, source);
        config.layerNormEps = readNumber(object, "layer_norm_eps", config.layerNormEps, source);
    }
    config.padTokenId = readInt(object, "pad_token_id", config.padTokenId, source);
    const std::string activationField = field("hidden_act");
    if (const auto act = object.find(activationField); act != object.end()) {
        if (!act->is_string()) failIn(source, "field \"" + activationField + "\" must be a string");
        config.hiddenActName = act->get<std::string>();
        config.activation = parseActivation(config.hiddenActName, activationField, source);
    }
    config.id2label = parseId2Label(object, source);
    if (const auto arch = object.find("architectures"); arch != object.end() && arch->is_array())
        for (const auto& name : *arch)
            if (name.is_string()) config.architectures.push_back(name.get<std::string>());

    // Validate the global shape before building per-layer shapes from it.
    if (config.numLayers < 0 || config.numLayers > 1000) failIn(source, "field \"" + field("num_hidden_layers") + "\" must be in [0, 1000]");
    if (config.numHeads <= 0 || config.numHeads > 4096) failIn(source, "field \"" + field("num_attention_heads") + "\" must be in [1, 4096]");
    config.layers.assign(static_cast<size_t>(config.numLayers), LayerShape{});
    for (auto& layer : config.layers) {
        for (int h = 0; h < config.numHeads; ++h) layer.keptHeads.push_back(h);
        layer.intermediateSize = config.intermediateSize;
    }
    if (config.isElectra()) {
        // ELECTRA-small and its kin embed in fewer dimensions and project up (embeddings_project):
        // not BERT's layout.
        const int embeddingSize = readInt(object, "embedding_size", config.hiddenSize, source);
        if (embeddingSize != config.hiddenSize)
            failIn(source, "embedding_size " + std::to_string(embeddingSize) + " differs from hidden_size " +
                               std::to_string(config.hiddenSize) + ": ELECTRA models with an embedding projection are not supported");
    }
    applyPrunedHeads(object, config, source);
    applyAxformerLayers(object, config, source);

    std::set<std::string> known;
    for (const std::string& name : kKnownFields)
        if (!config.isDistilBert() || kDistilBertAbsentFields.count(name) == 0) known.insert(config.fieldName(name));
    for (const auto& [key, value] : object.items())
        if (known.count(key) == 0) config.extraFields[key] = value;
    config.validate(source);
    return config;
}

BertConfig BertConfig::fromFile(const std::filesystem::path& file)
{
    return fromJson(readJsonFile(file), file.string());
}

BertConfig BertConfig::standard(int vocabSize, int hiddenSize, int numLayers, int numHeads, int intermediateSize)
{
    json object = {{"model_type", "bert"}, {"vocab_size", vocabSize}, {"hidden_size", hiddenSize},
                   {"num_hidden_layers", numLayers}, {"num_attention_heads", numHeads},
                   {"intermediate_size", intermediateSize}};
    return fromJson(object, "new model configuration");
}

void BertConfig::validate(const std::string& source) const
{
    auto require = [&](bool ok, const std::string& what) {
        if (!ok) failIn(source, what);
    };
    require(vocabSize > 0, "vocab_size must be positive");
    require(hiddenSize > 0, fieldName("hidden_size") + " must be positive");
    require(numHeads > 0, fieldName("num_attention_heads") + " must be positive");
    require(hiddenSize % numHeads == 0, fieldName("hidden_size") + " " + std::to_string(hiddenSize) + " is not divisible by " +
                                            fieldName("num_attention_heads") + " " + std::to_string(numHeads));
    require(intermediateSize >= 0, fieldName("intermediate_size") + " must not be negative");
    require(maxPositions > 0, "max_position_embeddings must be positive");
    require(typeVocabSize > 0 || (isDistilBert() && typeVocabSize == 0), "type_vocab_size must be positive");
    require(layerNormEps > 0, "layer_norm_eps must be positive");
    for (const auto& [value, name] : {std::pair{hiddenDropout, "hidden_dropout_prob"}, std::pair{attentionDropout, "attention_probs_dropout_prob"},
                                      std::pair{classifierDropout.value_or(0.0), "classifier_dropout"}})
        require(value >= 0 && value < 1, fieldName(name) + " must be in [0, 1)");
    require(padTokenId >= 0 && padTokenId < vocabSize, "pad_token_id must be a token id in [0, vocab_size)");
    require(layers.size() == static_cast<size_t>(numLayers), "per-layer shapes do not match " + fieldName("num_hidden_layers"));
    for (const auto& [id, label] : id2label) {
        require(id >= 0 && id < static_cast<int>(id2label.size()),
                "id2label ids must be 0..N-1 without gaps; found id " + std::to_string(id));
    }
    for (size_t i = 0; i < layers.size(); ++i) {
        const LayerShape& layer = layers[i];
        const std::string where = "layer " + std::to_string(i) + ": ";
        require(std::is_sorted(layer.keptHeads.begin(), layer.keptHeads.end()) &&
                    std::adjacent_find(layer.keptHeads.begin(), layer.keptHeads.end()) == layer.keptHeads.end(),
                where + "kept heads must be ascending and distinct");
        for (int head : layer.keptHeads) require(head >= 0 && head < numHeads, where + "head index out of range");
        require(layer.intermediateSize >= 0, where + "intermediate_size must not be negative");
        require(layer.hardAttentionTopK >= 0, where + "hard_attention_k must not be negative");
        require(layer.hasAttention || layer.keptHeads.empty(), where + "a removed attention block keeps no heads");
    }
}

json BertConfig::toJson() const
{
    json object = extraFields;
    object["model_type"] = modelType;
    object["vocab_size"] = vocabSize;
    object[fieldName("hidden_size")] = hiddenSize;
    object[fieldName("num_hidden_layers")] = numLayers;
    object[fieldName("num_attention_heads")] = numHeads;
    object[fieldName("intermediate_size")] = intermediateSize;
    object["max_position_embeddings"] = maxPositions;
    if (!isDistilBert()) {
        object["type_vocab_size"] = typeVocabSize;
        object["layer_norm_eps"] = layerNormEps;
    }
    object[fieldName("hidden_act")] = hiddenActName;
    object[fieldName("hidden_dropout_prob")] = hiddenDropout;
    object[fieldName("attention_probs_dropout_prob")] = attentionDropout;
    if (classifierDropout) object[fieldName("classifier_dropout")] = *classifierDropout;
    object["pad_token_id"] = padTokenId;
    if (!architectures.empty()) object["architectures"] = architectures;
    if (!id2label.empty()) {
        json forward = json::object(), backward = json::object();
        for (const auto& [id, label] : id2label) {
            forward[std::to_string(id)] = label;
            backward[label] = id;
        }
        object["id2label"] = forward;
        object["label2id"] = backward;
    }

    json pruned = json::object();
    json perLayer = json::array();
    bool anyLayerChanged = false;
    for (size_t i = 0; i < layers.size(); ++i) {
        const LayerShape& layer = layers[i];
        std::vector<int> removed;
        for (int h = 0; h < numHeads; ++h)
            if (!std::binary_search(layer.keptHeads.begin(), layer.keptHeads.end(), h)) removed.push_back(h);
        if (!removed.empty() && layer.hasAttention) pruned[std::to_string(i)] = removed;
        perLayer.push_back({{"intermediate_size", layer.intermediateSize}, {"attention", layer.hasAttention},
                            {"ffn", layer.hasFfn}, {"hard_attention_k", layer.hardAttentionTopK}});
        anyLayerChanged = anyLayerChanged || !removed.empty() || layer.intermediateSize != intermediateSize ||
                          !layer.hasAttention || !layer.hasFfn || layer.hardAttentionTopK != 0;
    }
    if (!pruned.empty()) object["pruned_heads"] = pruned;
    if (anyLayerChanged) object["axformer_layers"] = perLayer;
    return object;
}

}  // namespace ax
