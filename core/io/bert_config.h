// config.json of a BERT-family model (Hugging Face layout: model_type "bert", "electra" (BERT's
// fields), or "distilbert" with its own field names), plus the per-layer shapes an approximated model has after slicing (heads
// kept, FFN width, removed blocks, hard attention).
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ax {

// The shape of one encoder layer. A fresh checkpoint has every head and the full FFN width;
// a sliced one records which of the original heads survive, so plans can still name them.
struct LayerShape {
    std::vector<int> keptHeads;       // original head indices, ascending
    int intermediateSize = 0;         // FFN neurons left (0 allowed: only the bias remains)
    bool hasAttention = true;         // false: the attention sub-layer is removed, its LayerNorm kept
    bool hasFfn = true;               // false: the FFN sub-layer is removed, its LayerNorm kept
    int hardAttentionTopK = 0;        // > 0: keep only the top-k attention probabilities per query

    int heads() const { return static_cast<int>(keptHeads.size()); }
    bool operator==(const LayerShape& other) const;
};

enum class Activation { GeluErf, GeluTanh, Relu };

struct BertConfig {
    std::string modelType = "bert";
    int vocabSize = 30522;
    int hiddenSize = 768;
    int numLayers = 12;
    int numHeads = 12;                // heads per layer before any pruning
    int intermediateSize = 3072;      // FFN width before any pruning
    int maxPositions = 512;
    int typeVocabSize = 2;            // 0: no token type embeddings (DistilBERT), type ids are ignored
    Activation activation = Activation::GeluErf;
    std::string hiddenActName = "gelu";
    double layerNormEps = 1e-12;
    double hiddenDropout = 0.1;
    double attentionDropout = 0.1;
    std::optional<double> classifierDropout;  // before the classifier; unset: hiddenDropout
    int padTokenId = 0;
    std::map<int, std::string> id2label;   // empty when the config names no labels
    std::vector<std::string> architectures;
    std::vector<LayerShape> layers;        // numLayers entries

    int headDim() const { return hiddenSize / numHeads; }
    bool isDistilBert() const { return modelType == "distilbert"; }
    bool isElectra() const { return modelType == "electra"; }
    bool hasTokenTypes() const { return typeVocabSize > 0; }
    // The name config.json gives a field that BERT calls `bertField` ("hidden_size" is DistilBERT's "dim").
    std::string fieldName(const std::string& bertField) const;
    // Hugging Face's class prefix for architectures: "Bert", "DistilBert" or "Electra".
    std::string architecturePrefix() const { return isDistilBert() ? "DistilBert" : isElectra() ? "Electra" : "Bert"; }
    // For messages: "BERT", "DistilBERT" or "ELECTRA".
    std::string familyName() const { return isDistilBert() ? "DistilBERT" : isElectra() ? "ELECTRA" : "BERT"; }

    // Parses and validates; `source` names the file in error messages.
    static BertConfig fromJson(const nlohmann::json& json, const std::string& source);
    static BertConfig fromFile(const std::filesystem::path& file);
    // A config for a new model of the given shape, every layer full-sized.
    static BertConfig standard(int vocabSize, int hiddenSize, int numLayers, int numHeads, int intermediateSize);

    // Serialises with Hugging Face's field names; unknown fields read from the file are kept, and
    // pruned heads are written as Hugging Face's `pruned_heads`.
    nlohmann::json toJson() const;

    // Throws ax::Error naming `source` and the field when a value is impossible.
    void validate(const std::string& source) const;

    nlohmann::json extraFields = nlohmann::json::object();  // fields we do not interpret, kept on save
};

}  // namespace ax
