#include "model/model_folder.h"

#include "common/atomic_file.h"
#include "common/error.h"
#include "io/checkpoint.h"
#include "io/weight_names.h"
#include "model/tensor_bridge.h"
#include "text/vocab.h"

#include <torch/torch.h>

#include <fcntl.h>
#include <stdio.h>

#include <map>
#include <random>
#include <set>

namespace ax {

namespace fs = std::filesystem;

namespace {

// Tensors that Hugging Face checkpoints carry but a BERT for our tasks does not use.
bool isKnownUnused(const std::string& name)
{
    static const std::vector<std::string> suffixes = {"embeddings.position_ids", "cls.predictions.decoder.weight",
                                                      "cls.predictions.decoder.bias"};
    for (const auto& suffix : suffixes)
        if (name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
            return true;
    return name.rfind("cls.seq_relationship.", 0) == 0;
}

// Maps our canonical names (Hugging Face's BERT names) to the names stored in this checkpoint
// (io/weight_names.h: DistilBERT's and ELECTRA's names, bare base models, old gamma/beta LayerNorms).
class NameResolver {
public:
    NameResolver(const Checkpoint& checkpoint, const BertConfig& config) : m_modelType(config.modelType)
    {
        for (const std::string& stored : checkpoint.names()) m_storedName[canonicalWeightName(stored, m_modelType)] = stored;
    }
    // The name a canonical tensor has in this family's checkpoints, for messages about missing ones.
    std::string expectedName(const std::string& canonical) const { return checkpointWeightName(canonical, m_modelType); }
    const std::string* find(const std::string& canonical) const
    {
        const auto it = m_storedName.find(canonical);
        return it == m_storedName.end() ? nullptr : &it->second;
    }
    std::vector<std::string> canonicalNames() const
    {
        std::vector<std::string> names;
        for (const auto& entry : m_storedName) names.push_back(entry.first);
        return names;
    }

private:
    std::string m_modelType;
    std::map<std::string, std::string> m_storedName;
};

ModelHeads headsIn(const Checkpoint& checkpoint, const NameResolver& names, BertConfig& config, const fs::path& folder)
{
    const std::string wordEmbeddings = "bert.embeddings.word_embeddings.weight";
    if (!names.find(wordEmbeddings))
        failIn(folder.string(), "no " + config.familyName() + " weights found (expected a tensor named " + names.expectedName(wordEmbeddings) + ")");
    ModelHeads heads;
    heads.pooler = names.find("bert.pooler.dense.weight") != nullptr;
    heads.questionAnswering = names.find("qa_outputs.weight") != nullptr;
    heads.maskedLm = names.find("cls.predictions.transform.dense.weight") != nullptr;
    if (const std::string* classifier = names.find("classifier.weight")) {
        const TensorInfo* info = checkpoint.find(*classifier);
        if (info->shape.size() != 2 || info->shape[0] <= 0)
            failIn(checkpoint.fileOf(*classifier), "tensor \"" + *classifier + "\" must be [labels, hidden]");
        heads.numLabels = static_cast<int>(info->shape[0]);
        if (config.id2label.empty()) {
            for (int i = 0; i < heads.numLabels; ++i) config.id2label[i] = "LABEL_" + std::to_string(i);
        } else if (static_cast<int>(config.id2label.size()) != heads.numLabels) {
            failIn((folder / "config.json").string(),
                   "id2label names " + std::to_string(config.id2label.size()) + " labels but the classifier has " +
                       std::to_string(heads.numLabels) + " outputs");
        }
    }
    return heads;
}

std::string shapeText(c10::IntArrayRef shape)
{
    std::string text = "[";
    for (size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
    return text + "]";
}

// An encoder projection saved as int8 (saveModelFolder of a quantized model): its values and, in
// "<name>_scale", one float scale per row. Returned as the float weight they stand for.
torch::Tensor readInt8Weight(const Checkpoint& checkpoint, const NameResolver& names, const BertConfig& config,
                             const std::string& canonical, const std::string& stored)
{
    const std::string file = checkpoint.fileOf(stored);
    const auto field = config.extraFields.find(kInt8ConfigField);
    if (field == config.extraFields.end())
        failIn(file, "tensor \"" + stored + "\" holds int8 values but config.json does not say the model is quantized (\"" +
                         kInt8ConfigField + "\")");
    if (*field != kInt8ConfigValue)
        failIn(file, std::string("config.json's \"") + kInt8ConfigField + "\" is " + field->dump() + ", this build reads \"" +
                         kInt8ConfigValue + "\"");
    const std::string* scaleName = names.find(canonical + "_scale");
    if (scaleName == nullptr) failIn(file, "tensor \"" + stored + "\" holds int8 values but its scales \"" + stored + "_scale\" are missing");
    const torch::Tensor values = readTensor(checkpoint, stored);
    const torch::Tensor scales = readFloatTensor(checkpoint, *scaleName);
    if (values.dim() != 2 || scales.dim() != 1 || scales.size(0) != values.size(0))
        failIn(file, "tensor \"" + *scaleName + "\" has shape " + shapeText(scales.sizes()) + ", expected one scale per row of \"" +
                         stored + "\" " + shapeText(values.sizes()));
    if (!(torch::isfinite(scales).all().item<bool>() && (scales > 0).all().item<bool>()))
        failIn(file, "tensor \"" + *scaleName + "\" holds a scale that is not a positive finite number");
    return values.to(torch::kFloat32) * scales.unsqueeze(1);
}

// config.json may mark the model bfloat16 (kPrecisionConfigField), or int8, not both.
void requireKnownPrecision(const BertConfig& config, const fs::path& configFile)
{
    const auto field = config.extraFields.find(kPrecisionConfigField);
    if (field == config.extraFields.end()) return;
    if (*field != kBf16ConfigValue)
        failIn(configFile.string(), std::string("\"") + kPrecisionConfigField + "\" is " + field->dump() + ", this build reads \"" +
                                        kBf16ConfigValue + "\"");
    if (config.extraFields.contains(kInt8ConfigField))
        failIn(configFile.string(), std::string("says both \"") + kPrecisionConfigField + "\": \"" + kBf16ConfigValue + "\" and \"" +
                                        kInt8ConfigField + "\": a model runs in one precision");
}

fs::path siblingPath(const fs::path& target, const std::string& tag)
{
    std::random_device device;
    return target.parent_path() / (target.filename().string() + "." + tag + "-" + std::to_string(device()));
}

// What a save that was killed left beside `target`: its staging folder, or the old version it had
// moved aside. Either is garbage once a new save starts.
void removeLeftoversOfKilledSaves(const fs::path& target)
{
    const std::string name = target.filename().string();
    std::error_code ignored;
    for (const auto& entry : fs::directory_iterator(target.parent_path(), ignored)) {
        const std::string other = entry.path().filename().string();
        if (other.rfind(name + ".writing-", 0) == 0 || other.rfind(name + ".old-", 0) == 0) fs::remove_all(entry.path(), ignored);
    }
}

// Puts the finished `staging` folder in the place of `target`. Linux swaps the two in one step
// (renameat2 with RENAME_EXCHANGE), so a kill at any moment leaves a whole `target`, old or new.
void swapIntoPlace(const fs::path& staging, const fs::path& target)
{
    std::error_code ignored;
    if (!fs::exists(target)) {
        fs::rename(staging, target);
        return;
    }
    if (::renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) == 0) {
        fs::remove_all(staging, ignored);  // it now holds the old version
        return;
    }
    // A filesystem without the exchange: move the old version aside first.
    const fs::path old = siblingPath(target, "old");
    fs::rename(target, old);
    fs::rename(staging, target);
    fs::remove_all(old, ignored);
}

}  // namespace

const std::vector<std::string>& tokenizerFileNames()
{
    static const std::vector<std::string> names = {"vocab.txt", "tokenizer_config.json", "special_tokens_map.json"};
    return names;
}

LoadedModel loadModelFolder(const fs::path& folder)
{
    if (!fs::is_directory(folder)) failIn(folder.string(), "not a folder (expected a model folder with config.json)");
    const fs::path configFile = folder / "config.json";
    if (!fs::exists(configFile)) failIn(folder.string(), "has no config.json");
    BertConfig config = BertConfig::fromFile(configFile);
    const Checkpoint checkpoint = Checkpoint::openFolder(folder);
    const NameResolver names(checkpoint, config);
    const ModelHeads heads = headsIn(checkpoint, names, config, folder);

    LoadedModel loaded;
    loaded.folder = folder;
    loaded.bytesOnDisk = checkpoint.bytesOnDisk();
    loaded.model = BertModel(config, heads);

    torch::NoGradGuard noGrad;
    std::set<std::string> used;
    for (auto& [name, parameter] : loaded.model->namedWeights()) {
        const std::string* stored = names.find(name);
        if (stored == nullptr)
            failIn(checkpoint.fileOf(name), "tensor \"" + names.expectedName(name) + "\" is missing (the config expects it, shape " +
                                                shapeText(parameter.sizes()) + ")");
        const TensorInfo* info = checkpoint.find(*stored);
        if (!std::equal(info->shape.begin(), info->shape.end(), parameter.sizes().begin(), parameter.sizes().end()))
            failIn(checkpoint.fileOf(*stored), "tensor \"" + *stored + "\" has shape " + shapeText(info->shape) +
                                                   " but config.json implies " + shapeText(parameter.sizes()));
        const bool int8 = info->dtype == DType::I8;
        const torch::Tensor value = int8 ? readInt8Weight(checkpoint, names, config, name, *stored) : readFloatTensor(checkpoint, *stored);
        if (int8) used.insert(name + "_scale");
        if (!torch::isfinite(value).all().item<bool>())
            failIn(checkpoint.fileOf(*stored), "tensor \"" + *stored + "\" contains NaN or infinite values");
        parameter.copy_(value);
        used.insert(name);
    }
    for (const std::string& canonical : names.canonicalNames())
        if (used.count(canonical) == 0 && !isKnownUnused(canonical)) loaded.ignoredTensors.push_back(*names.find(canonical));
    // The float weights hold exactly what the int8 (or bfloat16) ones did: converting them again
    // packs the same integers and scales (or gives the same bfloat16 values).
    requireKnownPrecision(config, configFile);
    loaded.model->convertTo(loaded.model->precision());
    loaded.model->eval();
    return loaded;
}

void checkInputsFit(const LoadedModel& loaded, const Vocab& vocab, int maxSeqLength)
{
    const BertConfig& config = loaded.model->config();
    const std::string configFile = (loaded.folder / "config.json").string();
    // A vocabulary smaller than vocab_size is normal (padded embedding tables); a larger one is
    // not the model's vocabulary.
    if (static_cast<int64_t>(vocab.size()) > config.vocabSize)
        failIn(vocab.source(), "has " + std::to_string(vocab.size()) + " tokens but the model's vocab_size is " +
                                   std::to_string(config.vocabSize) + " (" + configFile + "): not this model's vocabulary");
    if (maxSeqLength > config.maxPositions)
        failIn(configFile, "max_position_embeddings is " + std::to_string(config.maxPositions) +
                               ", fewer than the maximum sequence length " + std::to_string(maxSeqLength) +
                               " (--max-seq-len); use at most " + std::to_string(config.maxPositions));
}

void saveModelFolder(BertModelImpl& model, const fs::path& folder, const fs::path& tokenizerSource)
{
    const fs::path target = fs::absolute(folder).lexically_normal();
    if (fs::exists(target) && !fs::is_directory(target)) failIn(target.string(), "exists and is not a folder");
    fs::create_directories(target.parent_path());
    removeLeftoversOfKilledSaves(target);
    const fs::path staging = siblingPath(target, "writing");
    fs::create_directory(staging);
    try {
        std::vector<OwnedTensor> tensors;
        const auto int8 = model.int8Weights();
        const std::string& modelType = model.config().modelType;
        for (const auto& [name, tensor] : model.namedWeights()) {
            const std::string stored = checkpointWeightName(name, modelType);
            const auto quantized = int8.find(name);
            if (quantized == int8.end()) {
                tensors.push_back({stored, tensor.detach().to(torch::kCPU).contiguous()});
                continue;
            }
            // A quarter of the float bytes, plus one scale per row.
            tensors.push_back({stored, quantized->second->values});
            tensors.push_back({stored + "_scale", quantized->second->scales});
        }
        writeCheckpoint(staging, viewsForWriting(tensors));
        writeFileAtomically(staging / "config.json", model.config().toJson().dump(2) + "\n");
        if (!tokenizerSource.empty())
            for (const std::string& name : tokenizerFileNames())
                if (fs::exists(tokenizerSource / name)) fs::copy_file(tokenizerSource / name, staging / name);
    } catch (...) {
        std::error_code ignored;
        fs::remove_all(staging, ignored);
        throw;
    }
    swapIntoPlace(staging, target);
}

}  // namespace ax
