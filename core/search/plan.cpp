#include "search/plan.h"

#include "common/atomic_file.h"
#include "common/error.h"
#include "common/fnv_hash.h"
#include "io/json_file.h"
#include "io/checkpoint.h"

#include <cstdio>
#include <fstream>
#include <tuple>

namespace ax {

using nlohmann::json;

namespace {

const std::vector<std::pair<ElementKind, std::string>>& kindNames()
{
    static const std::vector<std::pair<ElementKind, std::string>> names = {
        {ElementKind::HardAttention, "hard_attention"}, {ElementKind::AttentionBlock, "attention_block"},
        {ElementKind::FfnBlock, "ffn_block"},           {ElementKind::Head, "head"},
        {ElementKind::FfnGroup, "ffn_group"}};
    return names;
}

json measurementJson(const Measurement& m)
{
    json object = {{"val_loss", m.valLoss}, {"val_metric", m.valMetric}, {"params", m.parameters}, {"flops", m.flops}};
    object["dev_metric"] = m.devMetric ? json(*m.devMetric) : json(nullptr);
    object["latency_ms"] = m.latencyMs ? json(*m.latencyMs) : json(nullptr);
    return object;
}

Measurement measurementFrom(const json& object, const std::string& where)
{
    if (!object.is_object()) failIn(where, "must be an object");
    try {
        Measurement m;
        m.valLoss = object.at("val_loss").get<double>();
        m.valMetric = object.at("val_metric").get<double>();
        m.parameters = object.at("params").get<int64_t>();
        m.flops = object.at("flops").get<int64_t>();
        if (object.contains("dev_metric") && !object["dev_metric"].is_null()) m.devMetric = object["dev_metric"].get<double>();
        if (object.contains("latency_ms") && !object["latency_ms"].is_null()) m.latencyMs = object["latency_ms"].get<double>();
        return m;
    } catch (const json::exception& error) {
        failIn(where, std::string("malformed measurement: ") + error.what());
    }
}

}  // namespace

std::string kindName(ElementKind kind)
{
    for (const auto& [value, name] : kindNames())
        if (value == kind) return name;
    return "unknown";
}

ElementKind kindFromName(const std::string& name, const std::string& source)
{
    for (const auto& [value, known] : kindNames())
        if (known == name) return value;
    failIn(source, "unknown decision kind \"" + name +
                       "\" (expected hard_attention, attention_block, ffn_block, head or ffn_group)");
}

bool Element::operator<(const Element& other) const
{
    return std::tie(layer, kind, index) < std::tie(other.layer, other.kind, other.index);
}

std::string Element::describe() const
{
    std::string text = "layer " + std::to_string(layer) + " ";
    switch (kind) {
    case ElementKind::HardAttention: return text + "hard attention";
    case ElementKind::AttentionBlock: return text + "attention block";
    case ElementKind::FfnBlock: return text + "FFN block";
    case ElementKind::Head: return text + "head " + std::to_string(index);
    case ElementKind::FfnGroup: return text + "FFN group " + std::to_string(index);
    }
    return text;
}

void applyElement(Approximation& approximation, const Element& e, const BertConfig& config, int topK, int ffnGroups,
                  const std::string& source)
{
    if (e.layer < 0 || e.layer >= config.numLayers)
        failIn(source, e.describe() + ": the model has " + std::to_string(config.numLayers) + " layers");
    LayerApproximation& layer = approximation.layers.at(static_cast<size_t>(e.layer));
    const LayerShape& shape = config.layers[static_cast<size_t>(e.layer)];
    switch (e.kind) {
    case ElementKind::HardAttention: layer.hardAttentionTopK = topK; break;
    case ElementKind::AttentionBlock: layer.removeAttention = true; break;
    case ElementKind::FfnBlock: layer.removeFfn = true; break;
    case ElementKind::Head:
        if (e.index < 0 || e.index >= shape.heads())
            failIn(source, e.describe() + ": that layer of the model has " + std::to_string(shape.heads()) + " heads");
        if (layer.headMask.empty()) layer.headMask.assign(static_cast<size_t>(shape.heads()), 1.0f);
        layer.headMask[static_cast<size_t>(e.index)] = 0.0f;
        break;
    case ElementKind::FfnGroup:
        if (ffnGroups <= 0 || ffnGroups > std::max(1, shape.intermediateSize))
            failIn(source, "ffn_groups " + std::to_string(ffnGroups) + " cannot split layer " + std::to_string(e.layer) +
                               "'s " + std::to_string(shape.intermediateSize) + " FFN neurons");
        if (e.index < 0 || e.index >= ffnGroups)
            failIn(source, e.describe() + ": the plan has " + std::to_string(ffnGroups) + " FFN groups per layer");
        if (layer.ffnGroupRemoved.empty()) layer.ffnGroupRemoved.assign(static_cast<size_t>(ffnGroups), false);
        layer.ffnGroupRemoved[static_cast<size_t>(e.index)] = true;
        break;
    }
}

Approximation Plan::approximation(const BertConfig& config, const std::string& source) const
{
    Approximation result = Approximation::none(config.numLayers);
    for (const Decision& decision : decisions)
        if (decision.applied) applyElement(result, decision.element, config, topK, ffnGroups, source);
    return result;
}

json Plan::toJson() const
{
    json list = json::array();
    for (const Decision& d : decisions)
        list.push_back({{"kind", kindName(d.element.kind)}, {"layer", d.element.layer}, {"index", d.element.index},
                        {"source", d.source}, {"state", d.applied ? "applied" : "rejected"}, {"loss", d.loss},
                        {"agree_count", d.agreeCount}, {"metric", d.metric}});
    json object = {{"format", "axformer-plan"},
                   {"version", kVersion},
                   {"model", {{"path", modelPath}, {"weights_hash", modelHash}}},
                   {"task", task},
                   {"metric", metric},
                   {"val", {{"seed", valSeed}, {"fraction", valFraction}, {"size", valSize}}},
                   {"top_k", topK},
                   {"tolerance", tolerance},
                   {"ffn_groups", ffnGroups},
                   {"decisions", list}};
    if (!taskSettings.is_null()) object["task_settings"] = taskSettings;
    object["baseline"] = baseline ? measurementJson(*baseline) : json(nullptr);
    object["approximated"] = approximated ? measurementJson(*approximated) : json(nullptr);
    return object;
}

Plan Plan::fromJson(const json& object, const std::string& source)
{
    if (!object.is_object()) failIn(source, "a plan must be a JSON object");
    // find() rather than value(): value() throws json::type_error for a "format" or "version" of
    // the wrong type, which would escape without naming the file.
    const auto format = object.find("format");
    if (format == object.end() || *format != "axformer-plan")
        failIn(source, "not an AxFormer plan (\"format\": \"axformer-plan\" missing)");
    const auto versionField = object.find("version");
    if (versionField == object.end() || !versionField->is_number_integer())
        failIn(source, "\"version\" must be an integer (this build reads version " + std::to_string(kVersion) + ")");
    const int64_t version = versionField->get<int64_t>();
    if (version != kVersion)
        failIn(source, "plan version " + std::to_string(version) + " is not supported (this build reads version " +
                           std::to_string(kVersion) + ")");
    Plan plan;
    try {
        plan.modelPath = object.at("model").value("path", "");
        plan.modelHash = object.at("model").value("weights_hash", "");
        plan.task = object.at("task").get<std::string>();
        plan.taskSettings = object.value("task_settings", nlohmann::json());
        plan.metric = object.value("metric", "");
        plan.valSeed = object.at("val").value("seed", uint64_t(42));
        plan.valFraction = object.at("val").value("fraction", 0.15);
        plan.valSize = object.at("val").value("size", size_t(0));
        plan.topK = jsonInt(object, "top_k", source);
        plan.ffnGroups = jsonInt(object, "ffn_groups", source);
        plan.tolerance = object.value("tolerance", 0.0);
    } catch (const json::exception& error) {
        failIn(source, std::string("malformed plan header: ") + error.what());
    }
    if (plan.topK < 1) failIn(source, "top_k must be at least 1");
    if (plan.ffnGroups < 0) failIn(source, "ffn_groups must not be negative");
    if (!(plan.tolerance >= 0)) failIn(source, "tolerance must not be negative");
    const auto decisions = object.find("decisions");
    if (decisions == object.end() || !decisions->is_array()) failIn(source, "\"decisions\" must be a list");
    for (size_t i = 0; i < decisions->size(); ++i) {
        const json& entry = (*decisions)[i];
        const std::string where = source + " decisions[" + std::to_string(i) + "]";
        try {
            Decision d;
            d.element.kind = kindFromName(entry.at("kind").get<std::string>(), where);
            d.element.layer = jsonInt(entry, "layer", where);
            d.element.index = entry.contains("index") ? jsonInt(entry, "index", where) : -1;
            d.source = entry.value("source", "search");
            const std::string state = entry.at("state").get<std::string>();
            if (state != "applied" && state != "rejected") failIn(where, "state must be \"applied\" or \"rejected\", got \"" + state + "\"");
            d.applied = state == "applied";
            d.loss = entry.value("loss", 0.0);
            d.agreeCount = entry.value("agree_count", int64_t(0));
            d.metric = entry.value("metric", 0.0);
            const bool indexed = d.element.kind == ElementKind::Head || d.element.kind == ElementKind::FfnGroup;
            if (indexed ? d.element.index < 0 : d.element.index != -1)
                failIn(where, indexed ? "a head or FFN group needs an index >= 0" : "blocks and hard attention take index -1");
            if (d.element.layer < 0) failIn(where, "layer must not be negative");
            plan.decisions.push_back(d);
        } catch (const json::exception& error) {
            failIn(where, std::string("malformed decision: ") + error.what());
        }
    }
    if (object.contains("baseline") && !object["baseline"].is_null())
        plan.baseline = measurementFrom(object["baseline"], source + " baseline");
    if (object.contains("approximated") && !object["approximated"].is_null())
        plan.approximated = measurementFrom(object["approximated"], source + " approximated");
    return plan;
}

Plan Plan::fromFile(const std::filesystem::path& file)
{
    return fromJson(readJsonFile(file), file.string());
}

void Plan::save(const std::filesystem::path& file) const
{
    writeFileAtomically(file, toJson().dump(2) + "\n");
}

void requirePlanForModel(const Plan& plan, const std::filesystem::path& modelFolder, const std::string& planSource)
{
    if (plan.modelHash.empty()) return;
    const std::string hash = weightsHash(modelFolder);
    if (plan.modelHash != hash)
        failIn(planSource, "the plan was made for another model (weights hash " + plan.modelHash + ", " +
                               modelFolder.string() + " has " + hash + ")");
}

std::string weightsHash(const std::filesystem::path& modelFolder)
{
    const Checkpoint checkpoint = Checkpoint::openFolder(modelFolder);
    // Not FNV's offset basis (a digit short), but every plan and journal's hash was made with it.
    FnvHash hash(1469598103934665603ull);
    std::vector<char> buffer(1 << 20);
    for (const SafetensorsReader& shard : checkpoint.shards()) {
        const std::filesystem::path& file = shard.path();
        std::ifstream in(file, std::ios::binary);
        if (!in) failIn(file.string(), "cannot open for reading");
        while (in) {
            in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
            hash.addBytes(buffer.data(), static_cast<size_t>(in.gcount()));
        }
    }
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash.value()));
    return text;
}

}  // namespace ax
