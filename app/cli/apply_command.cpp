#include "cli/command.h"

#include "common/error.h"
#include "model/model_folder.h"
#include "model/slicing.h"
#include "search/plan.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <iostream>

namespace ax::cli {

namespace {

namespace fs = std::filesystem;

int runApply(const Arguments& arguments)
{
    const fs::path modelFolder = arguments.required("model");
    const fs::path planFile = arguments.required("plan");
    const fs::path out = arguments.required("out");
    if (arguments.value("quantize")) throw Error("--quantize is not available in this version");
    const Plan plan = Plan::fromFile(planFile);
    if (!arguments.flag("ignore-hash")) {
        try {
            requirePlanForModel(plan, modelFolder, planFile.string());
        } catch (const Error& error) {
            throw Error(std::string(error.what()) + "; pass --ignore-hash to apply it anyway");
        }
    }

    LoadedModel loaded = loadModelFolder(modelFolder);
    const Approximation approximation = plan.approximation(loaded.model->config(), planFile.string());
    BertModel sliced = sliceModel(*loaded.model, approximation);
    saveModelFolder(*sliced, out, modelFolder);

    const nlohmann::json summary = {{"out", out.string()},
                                    {"params_before", loaded.model->parameterCount()},
                                    {"params_after", sliced->parameterCount()},
                                    {"applied", std::count_if(plan.decisions.begin(), plan.decisions.end(),
                                                              [](const Decision& d) { return d.applied; })}};
    if (arguments.flag("json")) {
        std::cout << summary.dump() << "\n";
    } else if (!arguments.flag("quiet")) {
        std::cout << "wrote the sliced model to " << out.string() << ": " << summary["params_before"] << " -> "
                  << summary["params_after"] << " parameters, " << summary["applied"] << " approximations applied\n";
    }
    return 0;
}

}  // namespace

Command applyCommand()
{
    return {"apply", "write a physically smaller model folder from a model and its plan.json",
            "usage: axformer apply --model DIR --plan FILE --out DIR [--ignore-hash] [--json]\n\n"
            "Removes the heads, FFN neurons and blocks the plan applies from the weights and marks its\n"
            "hard-attention layers in config.json (pruned_heads and axformer_layers, see docs/ENGINE.md).\n"
            "The result loads with --model anywhere and predicts what the masked model predicts. A plan made\n"
            "for another model (its weights hash differs) is refused unless --ignore-hash.\n",
            {"json", "ignore-hash"},
            {"model", "plan", "out", "quantize"},
            runApply};
}

}  // namespace ax::cli
