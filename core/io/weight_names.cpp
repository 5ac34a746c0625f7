#include "io/weight_names.h"

#include <cctype>
#include <optional>
#include <utility>
#include <vector>

namespace ax {

namespace {

// A BERT name prefix and the other family's for the same tensors.
struct Rename {
    std::string bert;
    std::string other;
};

// Hugging Face's modeling_distilbert.py names, beside the BERT module each one plays the part of.
// DistilBERT has no token type embeddings, and its "pooler" is the classification head's
// pre_classifier (ReLU, not tanh; the model applies the activation by family).
const std::vector<Rename>& distilTopLevel()
{
    static const std::vector<Rename> renames = {
        {"bert.embeddings.", "distilbert.embeddings."},
        {"bert.pooler.dense.", "pre_classifier."},
        {"cls.predictions.transform.dense.", "vocab_transform."},
        {"cls.predictions.transform.LayerNorm.", "vocab_layer_norm."},
        {"cls.predictions.decoder.", "vocab_projector."},
        {"cls.predictions.bias", "vocab_projector.bias"},
    };
    return renames;
}

const std::vector<Rename>& distilLayerParts()
{
    static const std::vector<Rename> renames = {
        {"attention.self.query.", "attention.q_lin."},
        {"attention.self.key.", "attention.k_lin."},
        {"attention.self.value.", "attention.v_lin."},
        {"attention.output.dense.", "attention.out_lin."},
        {"attention.output.LayerNorm.", "sa_layer_norm."},
        {"intermediate.dense.", "ffn.lin1."},
        {"output.dense.", "ffn.lin2."},
        {"output.LayerNorm.", "output_layer_norm."},
    };
    return renames;
}

const std::string kBertLayers = "bert.encoder.layer.";
const std::string kDistilLayers = "distilbert.transformer.layer.";

bool startsWith(const std::string& text, const std::string& prefix)
{
    return text.compare(0, prefix.size(), prefix) == 0;
}

// "<from>N.<part>rest" -> "<to>N.<part'>rest" with the layer part renamed; nullopt when `name` is
// not a layer tensor of that spelling.
std::optional<std::string> renameLayerTensor(const std::string& name, const std::string& from, const std::string& to,
                                             bool toDistil)
{
    if (!startsWith(name, from)) return std::nullopt;
    size_t digitsEnd = from.size();
    while (digitsEnd < name.size() && std::isdigit(static_cast<unsigned char>(name[digitsEnd]))) ++digitsEnd;
    if (digitsEnd == from.size() || digitsEnd >= name.size() || name[digitsEnd] != '.') return std::nullopt;
    const std::string layer = name.substr(from.size(), digitsEnd - from.size());
    const std::string part = name.substr(digitsEnd + 1);
    for (const Rename& rename : distilLayerParts()) {
        const std::string& source = toDistil ? rename.bert : rename.other;
        const std::string& target = toDistil ? rename.other : rename.bert;
        if (startsWith(part, source)) return to + layer + "." + target + part.substr(source.size());
    }
    return std::nullopt;
}

// `name` with the first prefix of `renames` it starts with replaced (BERT's by the other family's
// when `toOther`, else the reverse); unchanged when none applies.
std::string renamePrefix(const std::string& name, const std::vector<Rename>& renames, bool toOther)
{
    for (const Rename& rename : renames) {
        const std::string& source = toOther ? rename.bert : rename.other;
        const std::string& target = toOther ? rename.other : rename.bert;
        if (startsWith(name, source)) return target + name.substr(source.size());
    }
    return name;
}

std::string renameDistil(const std::string& name, bool toDistil)
{
    if (auto layer = toDistil ? renameLayerTensor(name, kBertLayers, kDistilLayers, true)
                              : renameLayerTensor(name, kDistilLayers, kBertLayers, false))
        return *layer;
    return renamePrefix(name, distilTopLevel(), toDistil);
}

bool endsWith(const std::string& text, const std::string& suffix)
{
    return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Hugging Face's modeling_electra.py: BERT's encoder under "electra.", and a classification head
// whose dense layer plays the pooler's part (GELU, not tanh) before its out_proj.
const std::vector<Rename>& electraRenames()
{
    static const std::vector<Rename> renames = {
        {"bert.pooler.dense.", "classifier.dense."},
        {"classifier.", "classifier.out_proj."},
        {"bert.embeddings.", "electra.embeddings."},
        {"bert.encoder.", "electra.encoder."},
    };
    return renames;
}

}  // namespace

std::string checkpointWeightName(const std::string& canonical, const std::string& modelType)
{
    if (modelType == "distilbert") return renameDistil(canonical, true);
    if (modelType == "electra") return renamePrefix(canonical, electraRenames(), true);
    return canonical;
}

std::string canonicalWeightName(const std::string& stored, const std::string& modelType)
{
    std::string name = stored;
    if (modelType == "distilbert") {
        if (startsWith(name, "embeddings.") || startsWith(name, "transformer.")) name = "distilbert." + name;
        return renameDistil(name, false);
    }
    if (modelType == "electra") {
        if (startsWith(name, "embeddings.") || startsWith(name, "encoder.")) name = "electra." + name;
        return renamePrefix(name, electraRenames(), false);
    }
    if (startsWith(name, "embeddings.") || startsWith(name, "encoder.") || startsWith(name, "pooler.")) name = "bert." + name;
    for (const auto& [old, modern] : {std::pair<std::string, std::string>{"LayerNorm.gamma", "LayerNorm.weight"},
                                      {"LayerNorm.beta", "LayerNorm.bias"}})
        if (endsWith(name, old)) name.replace(name.size() - old.size(), old.size(), modern);
    return name;
}

}  // namespace ax
