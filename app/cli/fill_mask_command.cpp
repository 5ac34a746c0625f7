#include "cli/command.h"

#include "common/error.h"
#include "model/model_folder.h"
#include "text/bert_tokenizer.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <iomanip>
#include <iostream>

namespace ax::cli {

namespace {

using nlohmann::json;

int runFillMask(const Arguments& arguments)
{
    const std::string folder = arguments.required("model");
    const int top = arguments.integer("top", 5, 1, 1000);
    LoadedModel loaded = loadModelFolder(folder);
    if (!loaded.model->heads().maskedLm) failIn(folder, "the model has no masked-LM head (cls.predictions.*)");
    const BertTokenizer tokenizer = BertTokenizer::fromModelFolder(folder);
    checkInputsFit(loaded, tokenizer.vocab(), loaded.model->config().maxPositions);
    const Encoding encoding = tokenizer.encode(arguments.required("text"), std::nullopt, loaded.model->config().maxPositions);

    std::vector<int64_t> maskPositions;
    for (size_t i = 0; i < encoding.inputIds.size(); ++i)
        if (encoding.inputIds[i] == tokenizer.vocab().maskId()) maskPositions.push_back(static_cast<int64_t>(i));
    if (maskPositions.empty()) throw Error("the text has no [MASK] token");

    torch::InferenceMode inference;
    ModelInput input;
    input.inputIds = torch::tensor(encoding.inputIds, torch::kInt64).unsqueeze(0);
    input.tokenTypeIds = torch::tensor(encoding.tokenTypeIds, torch::kInt64).unsqueeze(0);
    ForwardOptions options;
    options.maskedLm = true;
    const BertOutput output = loaded.model->forward(input, nullptr, options);

    json result = {{"tokens", encoding.tokens}, {"masks", json::array()}};
    for (int64_t position : maskPositions) {
        const torch::Tensor probs = torch::softmax(output.maskedLmLogits[0][position], -1);
        const auto [values, ids] = probs.topk(std::min<int64_t>(top, probs.size(0)));
        json best = json::array();
        for (int64_t k = 0; k < values.size(0); ++k) {
            const int64_t id = ids[k].item<int64_t>();
            best.push_back({{"token", tokenizer.vocab().token(id)}, {"id", id}, {"prob", values[k].item<double>()}});
        }
        result["masks"].push_back({{"position", position}, {"top", best}});
    }
    if (arguments.flag("json")) {
        std::cout << result.dump() << "\n";
        return 0;
    }
    for (const auto& mask : result["masks"]) {
        std::cout << "[MASK] at position " << mask["position"] << ":\n";
        for (const auto& guess : mask["top"])
            std::cout << "  " << std::setw(16) << std::left << guess["token"].get<std::string>() << std::right
                      << std::fixed << std::setprecision(6) << guess["prob"].get<double>() << "\n";
    }
    return 0;
}

}  // namespace

Command fillMaskCommand()
{
    return {"fill-mask", "predict the most likely tokens for each [MASK] in a text",
            "usage: axformer fill-mask --model DIR --text \"... [MASK] ...\" [--top N] [--json]\n\n"
            "Encodes [CLS] text [SEP] with the model's tokenizer and prints the top-N (default 5) tokens\n"
            "and probabilities for every [MASK]. Needs a checkpoint with a masked-LM head.\n",
            {"json"}, {"model", "text", "top"}, runFillMask};
}

}  // namespace ax::cli
