#include "search/significance.h"

#include "common/atomic_file.h"
#include "common/error.h"
#include "io/json_file.h"
#include "model/bert_model.h"
#include "search/layer_cache.h"
#include "search/plan.h"
#include "train/batch_tensors.h"
#include "train/fine_tuner.h"

#include <torch/torch.h>

#include <cmath>

namespace ax {

using nlohmann::json;

namespace {

int groupsFor(const BertConfig& config, const SignificanceSettings& settings)
{
    return settings.ffnGroups > 0 ? settings.ffnGroups : config.numHeads;
}

bool hasHeads(const LayerShape& shape) { return shape.hasAttention && shape.heads() > 0; }

// Elements of `layer` to evaluate one at a time, in the order the heatmaps list them.
std::vector<Element> elementsOf(const LayerShape& shape, int layer, int groups)
{
    std::vector<Element> elements;
    if (hasHeads(shape)) {
        elements.push_back({ElementKind::HardAttention, layer, -1});
        elements.push_back({ElementKind::AttentionBlock, layer, -1});
        for (int h = 0; h < shape.heads(); ++h) elements.push_back({ElementKind::Head, layer, h});
    }
    if (shape.hasFfn) {
        elements.push_back({ElementKind::FfnBlock, layer, -1});
        if (shape.intermediateSize >= groups)
            for (int g = 0; g < groups; ++g) elements.push_back({ElementKind::FfnGroup, layer, g});
    }
    return elements;
}

void record(Significance& s, const Element& e, double loss, double metric)
{
    const size_t layer = static_cast<size_t>(e.layer);
    switch (e.kind) {
    case ElementKind::HardAttention: s.hardAttentionLoss[layer] = loss; s.hardAttentionMetric[layer] = metric; break;
    case ElementKind::AttentionBlock: s.attentionBlockLoss[layer] = loss; s.attentionBlockMetric[layer] = metric; break;
    case ElementKind::FfnBlock: s.ffnBlockLoss[layer] = loss; s.ffnBlockMetric[layer] = metric; break;
    case ElementKind::Head: {
        const size_t cell = layer * size_t(s.heads) + size_t(e.index);
        s.headLoss[cell] = loss;
        s.headMetric[cell] = metric;
        break;
    }
    case ElementKind::FfnGroup: {
        const size_t cell = layer * size_t(s.ffnGroups) + size_t(e.index);
        s.ffnGroupLoss[cell] = loss;
        s.ffnGroupMetric[cell] = metric;
        break;
    }
    }
}

void removalAnalysis(Significance& s, BertModelImpl& model, const TaskEvaluator& val, const SignificanceSettings& settings,
                     ProgressObserver* observer, const CancelToken* cancel)
{
    const BertConfig& config = model.config();
    std::vector<Element> all;
    for (int l = 0; l < config.numLayers; ++l) {
        const auto layer = elementsOf(config.layers[size_t(l)], l, s.ffnGroups);
        all.insert(all.end(), layer.begin(), layer.end());
    }
    const ProgressClock clock;
    LayerCache cache(model, val, kDefaultLayerCacheMemory, /*accepting=*/false);  // layer by layer, upwards
    const Approximation none = Approximation::none(config.numLayers);
    const EvaluationResult baseline = cache.evaluate(none, cancel, nullptr);
    s.baselineLoss = baseline.meanLoss;
    s.baselineMetric = primaryMetric(val.task(), baseline.metrics);
    for (size_t i = 0; i < all.size(); ++i) {
        const Element& element = all[i];
        cache.moveTo(size_t(element.layer), none, cancel);
        Approximation candidate = none;
        applyElement(candidate, element, config, settings.topK, s.ffnGroups, "significance analysis");
        const EvaluationResult result = cache.evaluate(candidate, cancel, nullptr);
        record(s, element, result.meanLoss, primaryMetric(val.task(), result.metrics));
        if (observer) observer->onProgress(clock.at("significance", int64_t(i + 1), int64_t(all.size()), element.describe()));
    }
}

// |Σ W ⊙ dL/dW| over the columns [begin, end) of an output projection: the derivative of the loss
// by a factor scaling those inputs (a head's context, or a group's neurons) at factor 1.
double maskGradient(const torch::Tensor& weight, const torch::Tensor& grad, int64_t begin, int64_t end)
{
    if (end <= begin) return 0.0;
    return std::abs((weight.narrow(1, begin, end - begin) * grad.narrow(1, begin, end - begin)).sum().item<double>());
}

void normalisePerLayer(std::vector<double>& values, int layers, int columns)
{
    for (int l = 0; l < layers; ++l) {
        double sumSquares = 0;
        for (int c = 0; c < columns; ++c) {
            const double v = values[size_t(l * columns + c)];
            if (!std::isnan(v)) sumSquares += v * v;
        }
        const double norm = std::sqrt(sumSquares);
        if (norm <= 0) continue;
        for (int c = 0; c < columns; ++c) values[size_t(l * columns + c)] /= norm;
    }
}

void gradientAnalysis(Significance& s, BertModelImpl& model, const TaskEvaluator& val, ProgressObserver* observer,
                      const CancelToken* cancel)
{
    const BertConfig& config = model.config();
    std::vector<torch::Tensor> attentionOut(size_t(config.numLayers)), ffnOut(size_t(config.numLayers));
    for (const auto& [name, tensor] : model.namedWeights()) {
        for (int l = 0; l < config.numLayers; ++l) {
            const std::string prefix = "bert.encoder.layer." + std::to_string(l) + ".";
            if (name == prefix + "attention.output.dense.weight") attentionOut[size_t(l)] = tensor;
            if (name == prefix + "output.dense.weight") ffnOut[size_t(l)] = tensor;
        }
    }
    std::vector<torch::Tensor> wanted;
    for (int l = 0; l < config.numLayers; ++l) {
        const LayerShape& shape = config.layers[size_t(l)];
        if (hasHeads(shape)) wanted.push_back(attentionOut[size_t(l)]);
        if (shape.hasFfn && shape.intermediateSize >= s.ffnGroups) wanted.push_back(ffnOut[size_t(l)]);
    }
    std::vector<double> heads(s.headLoss.size(), 0.0), groups(s.ffnGroupLoss.size(), 0.0);
    if (wanted.empty()) return;

    model.eval();
    torch::AutoGradMode enableGrad(true);
    const ProgressClock clock;
    const auto& batches = val.batches();
    const int64_t headDim = config.hiddenSize / config.numHeads;
    for (size_t b = 0; b < batches.size(); ++b) {
        throwIfCancelled(cancel);
        const BatchTensors tensors = toTensors(batches[b]);
        const BertOutput output = model.forward(tensors.input);
        const torch::Tensor loss = rowLosses(val.task(), output, tensors).mean();
        const std::vector<torch::Tensor> grads = torch::autograd::grad({loss}, wanted);
        size_t next = 0;
        for (int l = 0; l < config.numLayers; ++l) {
            const LayerShape& shape = config.layers[size_t(l)];
            if (hasHeads(shape)) {
                const torch::Tensor& grad = grads[next++];
                for (int h = 0; h < shape.heads(); ++h)
                    heads[size_t(l * s.heads + h)] += maskGradient(attentionOut[size_t(l)], grad, h * headDim, (h + 1) * headDim);
            }
            if (shape.hasFfn && shape.intermediateSize >= s.ffnGroups) {
                const torch::Tensor& grad = grads[next++];
                for (int g = 0; g < s.ffnGroups; ++g) {
                    const auto [begin, end] = ffnGroupRange(shape.intermediateSize, s.ffnGroups, g);
                    groups[size_t(l * s.ffnGroups + g)] += maskGradient(ffnOut[size_t(l)], grad, begin, end);
                }
            }
        }
        if (observer) observer->onProgress(clock.at("gradient importance", int64_t(b + 1), int64_t(batches.size())));
    }
    for (int l = 0; l < config.numLayers; ++l) {
        const LayerShape& shape = config.layers[size_t(l)];
        for (int h = 0; h < s.heads; ++h)
            s.headGradient[size_t(l * s.heads + h)] = hasHeads(shape) && h < shape.heads()
                                                           ? heads[size_t(l * s.heads + h)] / double(batches.size())
                                                           : Significance::kMissing;
        for (int g = 0; g < s.ffnGroups; ++g)
            s.ffnGroupGradient[size_t(l * s.ffnGroups + g)] = shape.hasFfn && shape.intermediateSize >= s.ffnGroups
                                                                   ? groups[size_t(l * s.ffnGroups + g)] / double(batches.size())
                                                                   : Significance::kMissing;
    }
    normalisePerLayer(s.headGradient, s.layers, s.heads);
    normalisePerLayer(s.ffnGroupGradient, s.layers, s.ffnGroups);
}

json numbers(const std::vector<double>& values)
{
    json list = json::array();
    for (double v : values) list.push_back(std::isnan(v) ? json(nullptr) : json(v));
    return list;
}

std::vector<double> numbersFrom(const json& object, const char* key, size_t size, const std::string& source)
{
    const auto found = object.find(key);
    if (found == object.end()) return std::vector<double>(size, Significance::kMissing);
    if (!found->is_array() || found->size() != size)
        failIn(source, std::string("\"") + key + "\" must be a list of " + std::to_string(size) + " numbers or nulls");
    std::vector<double> values;
    for (const json& v : *found) {
        if (v.is_null()) values.push_back(Significance::kMissing);
        else if (v.is_number()) values.push_back(v.get<double>());
        else failIn(source, std::string("\"") + key + "\" holds a value that is not a number");
    }
    return values;
}

}  // namespace

Significance analyseSignificance(BertModelImpl& model, const TaskEvaluator& val, const SignificanceSettings& settings,
                                 ProgressObserver* observer, const CancelToken* cancel)
{
    const ProgressClock clock;
    const BertConfig& config = model.config();
    Significance s;
    s.layers = config.numLayers;
    for (const LayerShape& shape : config.layers) s.heads = std::max(s.heads, shape.heads());
    s.ffnGroups = groupsFor(config, settings);
    if (s.ffnGroups < 1) throw Error("significance analysis needs at least one FFN group per layer");
    s.topK = settings.topK;
    s.metric = val.task().primaryMetric;
    const size_t layers = size_t(s.layers);
    for (auto* v : {&s.hardAttentionLoss, &s.hardAttentionMetric, &s.attentionBlockLoss, &s.attentionBlockMetric,
                    &s.ffnBlockLoss, &s.ffnBlockMetric})
        v->assign(layers, Significance::kMissing);
    for (auto* v : {&s.headLoss, &s.headMetric, &s.headGradient}) v->assign(layers * size_t(s.heads), Significance::kMissing);
    for (auto* v : {&s.ffnGroupLoss, &s.ffnGroupMetric, &s.ffnGroupGradient})
        v->assign(layers * size_t(s.ffnGroups), Significance::kMissing);

    if (settings.removal) removalAnalysis(s, model, val, settings, observer, cancel);
    if (settings.gradient) gradientAnalysis(s, model, val, observer, cancel);
    s.seconds = clock.seconds();
    return s;
}

json Significance::toJson() const
{
    return {{"format", "axformer-significance"},
            {"version", 1},
            {"layers", layers},
            {"heads", heads},
            {"ffn_groups", ffnGroups},
            {"top_k", topK},
            {"metric", metric},
            {"model", {{"weights_hash", modelHash}}},
            {"baseline", {{"loss", baselineLoss}, {"metric", baselineMetric}}},
            {"hard_attention", {{"loss", numbers(hardAttentionLoss)}, {"metric", numbers(hardAttentionMetric)}}},
            {"attention_block", {{"loss", numbers(attentionBlockLoss)}, {"metric", numbers(attentionBlockMetric)}}},
            {"ffn_block", {{"loss", numbers(ffnBlockLoss)}, {"metric", numbers(ffnBlockMetric)}}},
            {"head", {{"loss", numbers(headLoss)}, {"metric", numbers(headMetric)}, {"gradient", numbers(headGradient)}}},
            {"ffn_group", {{"loss", numbers(ffnGroupLoss)}, {"metric", numbers(ffnGroupMetric)}, {"gradient", numbers(ffnGroupGradient)}}},
            {"seconds", seconds}};
}

Significance Significance::fromJson(const json& object, const std::string& source)
{
    // find() rather than value(), which throws json::type_error (no file name) for a non-string format.
    if (!object.is_object() || object.find("format") == object.end() || object["format"] != "axformer-significance")
        failIn(source, "not an AxFormer significance file (\"format\": \"axformer-significance\" missing)");
    Significance s;
    try {
        s.layers = jsonInt(object, "layers", source);
        s.heads = jsonInt(object, "heads", source);
        s.ffnGroups = jsonInt(object, "ffn_groups", source);
        s.topK = object.contains("top_k") ? jsonInt(object, "top_k", source) : 30;
        s.metric = object.value("metric", "");
        s.baselineLoss = object.at("baseline").at("loss").get<double>();
        s.baselineMetric = object.at("baseline").at("metric").get<double>();
        s.seconds = object.value("seconds", 0.0);
        if (object.contains("model")) s.modelHash = object.at("model").value("weights_hash", "");
    } catch (const json::exception& error) {
        failIn(source, std::string("malformed header: ") + error.what());
    }
    if (s.layers < 0 || s.heads < 0 || s.ffnGroups < 1 || s.layers > 10000 || s.heads > 10000 || s.ffnGroups > 100000)
        failIn(source, "layers, heads and ffn_groups are out of range");
    const size_t layers = size_t(s.layers), headCells = layers * size_t(s.heads), groupCells = layers * size_t(s.ffnGroups);
    auto section = [&](const char* key) -> json {
        const auto found = object.find(key);
        if (found == object.end()) return json::object();
        if (!found->is_object()) failIn(source, std::string("\"") + key + "\" must be an object");
        return *found;
    };
    const std::string where = source + " ";
    s.hardAttentionLoss = numbersFrom(section("hard_attention"), "loss", layers, where + "hard_attention");
    s.hardAttentionMetric = numbersFrom(section("hard_attention"), "metric", layers, where + "hard_attention");
    s.attentionBlockLoss = numbersFrom(section("attention_block"), "loss", layers, where + "attention_block");
    s.attentionBlockMetric = numbersFrom(section("attention_block"), "metric", layers, where + "attention_block");
    s.ffnBlockLoss = numbersFrom(section("ffn_block"), "loss", layers, where + "ffn_block");
    s.ffnBlockMetric = numbersFrom(section("ffn_block"), "metric", layers, where + "ffn_block");
    s.headLoss = numbersFrom(section("head"), "loss", headCells, where + "head");
    s.headMetric = numbersFrom(section("head"), "metric", headCells, where + "head");
    s.headGradient = numbersFrom(section("head"), "gradient", headCells, where + "head");
    s.ffnGroupLoss = numbersFrom(section("ffn_group"), "loss", groupCells, where + "ffn_group");
    s.ffnGroupMetric = numbersFrom(section("ffn_group"), "metric", groupCells, where + "ffn_group");
    s.ffnGroupGradient = numbersFrom(section("ffn_group"), "gradient", groupCells, where + "ffn_group");
    return s;
}

Significance Significance::fromFile(const std::filesystem::path& file)
{
    return fromJson(readJsonFile(file), file.string());
}

void Significance::save(const std::filesystem::path& file) const
{
    writeFileAtomically(file, toJson().dump(2) + "\n");
}

}  // namespace ax
