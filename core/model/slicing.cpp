#include "model/slicing.h"

#include "common/error.h"

#include <torch/torch.h>

#include <map>

namespace ax {

namespace {

// For one layer: which positions of the current heads and FFN neurons survive.
struct LayerSelection {
    std::vector<int64_t> headPositions;
    std::vector<int64_t> neurons;
};

LayerSelection selectionFor(const LayerShape& shape, const LayerApproximation* control, size_t layerIndex)
{
    LayerSelection selection;
    const std::string where = "layer " + std::to_string(layerIndex) + ": ";
    if (control && !control->headMask.empty() && static_cast<int>(control->headMask.size()) != shape.heads())
        throw Error(where + "head mask has " + std::to_string(control->headMask.size()) + " entries, the layer has " +
                    std::to_string(shape.heads()) + " heads");
    for (int h = 0; h < shape.heads(); ++h) {
        const float factor = control && !control->headMask.empty() ? control->headMask[static_cast<size_t>(h)] : 1.0f;
        if (factor != 0.0f && factor != 1.0f)
            throw Error(where + "head mask factor " + std::to_string(factor) + " cannot be sliced (only 0 or 1)");
        if (factor == 1.0f) selection.headPositions.push_back(h);
    }
    std::vector<bool> keep(static_cast<size_t>(shape.intermediateSize), true);
    if (control && !control->ffnGroupRemoved.empty()) {
        const int groups = static_cast<int>(control->ffnGroupRemoved.size());
        for (int g = 0; g < groups; ++g) {
            if (!control->ffnGroupRemoved[static_cast<size_t>(g)]) continue;
            const auto [begin, end] = ffnGroupRange(shape.intermediateSize, groups, g);
            std::fill(keep.begin() + begin, keep.begin() + end, false);
        }
    }
    for (size_t n = 0; n < keep.size(); ++n)
        if (keep[n]) selection.neurons.push_back(static_cast<int64_t>(n));
    return selection;
}

LayerShape slicedShape(const LayerShape& shape, const LayerApproximation* control, const LayerSelection& selection)
{
    LayerShape result = shape;
    result.hasAttention = shape.hasAttention && !(control && control->removeAttention);
    result.hasFfn = shape.hasFfn && !(control && control->removeFfn);
    result.keptHeads.clear();
    if (result.hasAttention)
        for (int64_t position : selection.headPositions) result.keptHeads.push_back(shape.keptHeads[static_cast<size_t>(position)]);
    result.intermediateSize = result.hasFfn ? static_cast<int>(selection.neurons.size()) : 0;
    if (control && control->hardAttentionTopK > 0) result.hardAttentionTopK = control->hardAttentionTopK;
    return result;
}

// Row indices of the query/key/value weights that belong to the kept heads.
torch::Tensor headRows(const std::vector<int64_t>& headPositions, int64_t headDim)
{
    std::vector<int64_t> rows;
    for (int64_t head : headPositions)
        for (int64_t i = 0; i < headDim; ++i) rows.push_back(head * headDim + i);
    return torch::tensor(rows, torch::kInt64);
}

}  // namespace

std::vector<LayerShape> slicedShapes(const BertConfig& config, const Approximation& approximation)
{
    std::vector<LayerShape> shapes;
    for (size_t i = 0; i < config.layers.size(); ++i) {
        const LayerApproximation* control = approximation.layer(i);
        shapes.push_back(slicedShape(config.layers[i], control, selectionFor(config.layers[i], control, i)));
    }
    return shapes;
}

BertModel sliceModel(BertModelImpl& model, const Approximation& approximation)
{
    BertConfig config = model.config();
    std::vector<LayerSelection> selections;
    for (size_t i = 0; i < config.layers.size(); ++i) {
        const LayerApproximation* control = approximation.layer(i);
        selections.push_back(selectionFor(config.layers[i], control, i));
        config.layers[i] = slicedShape(config.layers[i], control, selections.back());
    }
    BertModel sliced(config, model.heads());

    torch::NoGradGuard noGrad;
    std::map<std::string, torch::Tensor> source;
    for (const auto& [name, tensor] : model.namedWeights()) source[name] = tensor;
    const std::string layerPrefix = "bert.encoder.layer.";
    for (auto& [name, target] : sliced->namedWeights()) {
        torch::Tensor value = source.at(name);
        if (name.rfind(layerPrefix, 0) == 0) {
            const size_t layer = std::stoul(name.substr(layerPrefix.size()));
            const std::string rest = name.substr(name.find('.', layerPrefix.size()) + 1);
            const LayerSelection& selection = selections[layer];
            const torch::Tensor rows = headRows(selection.headPositions, config.headDim());
            const torch::Tensor neurons = torch::tensor(selection.neurons, torch::kInt64);
            if (rest.rfind("attention.self.", 0) == 0) value = value.index_select(0, rows);
            else if (rest == "attention.output.dense.weight") value = value.index_select(1, rows);
            else if (rest.rfind("intermediate.dense.", 0) == 0) value = value.index_select(0, neurons);
            else if (rest == "output.dense.weight") value = value.index_select(1, neurons);
        }
        target.copy_(value);
    }
    sliced->train(model.is_training());
    // The copied weights are what the int8 (bfloat16) ones hold: a sliced int8 (bfloat16) model
    // runs in int8 (bfloat16) too. The config, copied above, already names the precision.
    sliced->convertTo(model.precision());
    return sliced;
}

}  // namespace ax
