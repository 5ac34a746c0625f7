#include "cli/command.h"

#include "common/atomic_file.h"
#include "common/error.h"
#include "io/json_file.h"
#include "io/safetensors.h"
#include "model/model_folder.h"
#include "model/tensor_bridge.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <iostream>

namespace ax::cli {

namespace {

using nlohmann::json;

// A rectangular [rows][columns] list of integers from the input file, as an int64 tensor.
torch::Tensor integerMatrix(const json& input, const char* field, const std::string& file)
{
    const json& rows = input.at(field);
    if (!rows.is_array() || rows.empty() || !rows[0].is_array() || rows[0].empty())
        failIn(file, std::string("\"") + field + "\" must be a non-empty list of non-empty lists of integers");
    const size_t columns = rows[0].size();
    std::vector<int64_t> values;
    for (size_t r = 0; r < rows.size(); ++r) {
        if (!rows[r].is_array() || rows[r].size() != columns)
            failIn(file, std::string("\"") + field + "\" row " + std::to_string(r) + " must have " + std::to_string(columns) +
                             " entries like row 0");
        for (const json& value : rows[r]) {
            if (!value.is_number_integer())
                failIn(file, std::string("\"") + field + "\" row " + std::to_string(r) + " holds " + value.dump() +
                                 ", expected an integer");
            values.push_back(value.get<int64_t>());
        }
    }
    return torch::tensor(values, torch::kInt64).view({static_cast<int64_t>(rows.size()), static_cast<int64_t>(columns)});
}

void requireRange(const torch::Tensor& values, int64_t low, int64_t high, const char* field, const std::string& file)
{
    if (values.numel() == 0) return;
    const int64_t minimum = values.min().item<int64_t>(), maximum = values.max().item<int64_t>();
    if (minimum < low || maximum >= high)
        failIn(file, std::string("\"") + field + "\" holds values in [" + std::to_string(minimum) + ", " +
                         std::to_string(maximum) + "], expected [" + std::to_string(low) + ", " + std::to_string(high) + ")");
}

ModelInput readInput(const std::string& file, const BertConfig& config, Approximation& approximation)
{
    const json input = readJsonFile(file);
    if (!input.is_object() || !input.contains("input_ids")) failIn(file, "expected an object with \"input_ids\"");
    ModelInput model;
    model.inputIds = integerMatrix(input, "input_ids", file);
    requireRange(model.inputIds, 0, config.vocabSize, "input_ids", file);
    for (const auto& [field, target, high] : {std::tuple{"token_type_ids", &model.tokenTypeIds, int64_t(config.typeVocabSize)},
                                              std::tuple{"attention_mask", &model.attentionMask, int64_t(2)}}) {
        if (!input.contains(field)) continue;
        if (high == 0)
            failIn(file, std::string("\"") + field + "\" given, but this " + config.modelType + " model has no token types");
        *target = integerMatrix(input, field, file);
        if (target->sizes() != model.inputIds.sizes()) failIn(file, std::string("\"") + field + "\" must have the shape of input_ids");
        requireRange(*target, 0, high, field, file);
    }
    if (model.inputIds.size(1) > config.maxPositions)
        failIn(file, "sequence length " + std::to_string(model.inputIds.size(1)) + " exceeds the model's " +
                         std::to_string(config.maxPositions) + " positions");
    if (input.contains("head_mask")) {
        const json& mask = input["head_mask"];
        if (!mask.is_array() || mask.size() != config.layers.size())
            failIn(file, "\"head_mask\" must have one row per layer (" + std::to_string(config.layers.size()) + ")");
        approximation = Approximation::none(config.numLayers);
        for (size_t layer = 0; layer < mask.size(); ++layer) {
            const int heads = config.layers[layer].heads();
            if (!mask[layer].is_array() || mask[layer].size() != static_cast<size_t>(heads))
                failIn(file, "\"head_mask\" row " + std::to_string(layer) + " must have " + std::to_string(heads) + " entries");
            for (const json& value : mask[layer]) {
                if (!value.is_number()) failIn(file, "\"head_mask\" must hold numbers");
                approximation.layers[layer].headMask.push_back(value.get<float>());
            }
        }
    }
    return model;
}

int runInspect(const Arguments& arguments)
{
    LoadedModel loaded = loadModelFolder(arguments.required("model"));
    const BertConfig& config = loaded.model->config();
    Approximation approximation;
    const ModelInput input = readInput(arguments.required("input"), config, approximation);

    torch::InferenceMode inference;
    ForwardOptions options;
    options.hiddenStates = options.attentions = true;
    const BertOutput output = loaded.model->forward(input, approximation.layers.empty() ? nullptr : &approximation, options);

    std::vector<OwnedTensor> tensors;
    auto add = [&](const std::string& name, const torch::Tensor& tensor) {
        if (tensor.defined()) tensors.push_back({name, tensor.to(torch::kFloat32).contiguous()});
    };
    for (size_t i = 0; i < output.hiddenStates.size(); ++i) add("hidden_states." + std::to_string(i), output.hiddenStates[i]);
    for (size_t i = 0; i < output.attentions.size(); ++i) add("attentions." + std::to_string(i), output.attentions[i]);
    add("pooled_output", output.pooled);
    add("logits", output.logits);
    add("start_logits", output.startLogits);
    add("end_logits", output.endLogits);
    const std::string out = arguments.required("out");
    writeSafetensors(out, viewsForWriting(tensors));

    if (arguments.flag("json")) {
        json names = json::array();
        for (const auto& tensor : tensors) names.push_back(tensor.name);
        std::cout << json{{"out", out}, {"tensors", names}}.dump() << "\n";
    } else if (!arguments.flag("quiet")) {
        std::cout << "wrote " << tensors.size() << " tensors to " << out << "\n";
    }
    return 0;
}

}  // namespace

Command inspectCommand()
{
    return {"inspect", "run a model on given token ids and save every intermediate tensor",
            "usage: axformer inspect --model DIR --input FILE.json --out FILE.safetensors [--json]\n\n"
            "FILE.json: {\"input_ids\": [[...]], \"token_type_ids\": [[...]], \"attention_mask\": [[...]],\n"
            "            \"head_mask\": [[...] per layer]}  (all but input_ids optional; 1 keeps a head)\n"
            "Writes float32 tensors hidden_states.0..L (0 = embeddings output), attentions.0..L-1\n"
            "[batch, heads, seq, seq], pooled_output, and logits / start_logits / end_logits for the\n"
            "heads the checkpoint has.\n",
            {"json"}, {"model", "input", "out"}, runInspect};
}

}  // namespace ax::cli
