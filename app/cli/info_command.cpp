#include "cli/command.h"

#include "model/bert_model.h"
#include "model/model_facts.h"

#include <nlohmann/json.hpp>

#include <iomanip>
#include <iostream>

namespace ax::cli {

namespace {

using nlohmann::json;

json describe(const ModelFacts& facts)
{
    const BertConfig& config = facts.config;
    json layers = json::array();
    for (size_t i = 0; i < config.layers.size(); ++i) {
        const LayerShape& layer = config.layers[i];
        layers.push_back({{"layer", i}, {"heads", layer.heads()}, {"kept_heads", layer.keptHeads},
                          {"intermediate_size", layer.intermediateSize}, {"attention", layer.hasAttention},
                          {"ffn", layer.hasFfn}, {"hard_attention_k", layer.hardAttentionTopK}});
    }
    json labels = json::object();
    for (const auto& [id, label] : config.id2label) labels[std::to_string(id)] = label;
    return {{"model", facts.folder.string()},
            {"model_type", config.modelType},
            {"hidden_size", config.hiddenSize},
            {"num_layers", config.numLayers},
            {"num_attention_heads", config.numHeads},
            {"head_dim", config.headDim()},
            {"intermediate_size", config.intermediateSize},
            {"vocab_size", config.vocabSize},
            {"max_position_embeddings", config.maxPositions},
            {"hidden_act", config.hiddenActName},
            {"layers", layers},
            {"heads", facts.taskHeads},
            {"num_labels", facts.numLabels},
            {"id2label", labels},
            {"params", facts.parameters},
            {"precision", facts.precision},
            {"bytes_on_disk", facts.bytesOnDisk},
            {"ignored_tensors", facts.ignoredTensors}};
}

void printText(const json& info)
{
    std::cout << "model        " << info["model"].get<std::string>() << " (" << info["model_type"].get<std::string>() << ")\n"
              << "shape        " << info["num_layers"] << " layers, hidden " << info["hidden_size"] << ", "
              << info["num_attention_heads"] << " heads of " << info["head_dim"] << ", FFN " << info["intermediate_size"]
              << ", vocab " << info["vocab_size"] << ", " << info["max_position_embeddings"] << " positions, "
              << info["hidden_act"].get<std::string>() << "\n"
              << "parameters   " << info["params"] << " (" << info["precision"].get<std::string>() << ")\n"
              << "on disk      " << std::fixed << std::setprecision(1) << info["bytes_on_disk"].get<double>() / 1e6 << " MB\n"
              << "heads        ";
    for (const auto& head : info["heads"]) std::cout << head.get<std::string>() << " ";
    if (info["num_labels"].get<int>() > 0) std::cout << "(" << info["num_labels"] << " labels)";
    std::cout << "\n\nlayer  heads  ffn    attention  ffn-block  hard-k\n";
    for (const auto& layer : info["layers"]) {
        std::cout << std::setw(5) << layer["layer"].get<int>() << "  " << std::setw(5) << layer["heads"].get<int>() << "  "
                  << std::setw(5) << layer["intermediate_size"].get<int>() << "  " << std::setw(9)
                  << (layer["attention"].get<bool>() ? "yes" : "removed") << "  " << std::setw(9)
                  << (layer["ffn"].get<bool>() ? "yes" : "removed") << "  " << std::setw(6)
                  << layer["hard_attention_k"].get<int>() << "\n";
    }
    if (!info["ignored_tensors"].empty()) {
        std::cout << "\nignored tensors:";
        for (const auto& name : info["ignored_tensors"]) std::cout << " " << name.get<std::string>();
        std::cout << "\n";
    }
}

int runInfo(const Arguments& arguments)
{
    const json info = describe(describeModelFolder(arguments.required("model")));
    if (arguments.flag("json")) std::cout << info.dump() << "\n";
    else printText(info);
    return 0;
}

}  // namespace

Command infoCommand()
{
    return {"info", "show a model's shape per layer, parameters, size on disk and heads",
            "usage: axformer info --model DIR [--json]\n\n"
            "Loads and validates the model folder (config.json + model.safetensors or shards) and prints\n"
            "per-layer heads and FFN width, removed blocks, hard attention, parameter count, bytes on disk\n"
            "and the task heads the checkpoint has.\n",
            {"json"}, {"model"}, runInfo};
}

}  // namespace ax::cli
