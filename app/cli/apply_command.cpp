#include "cli/command.h"

#include "common/error.h"
#include "model/model_folder.h"
#include "model/precision_names.h"
#include "model/slicing.h"
#include "search/plan.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <iostream>
#include <optional>

namespace ax::cli {

namespace {

namespace fs = std::filesystem;

int runApply(const Arguments& arguments)
{
    const fs::path modelFolder = arguments.required("model");
    const fs::path out = arguments.required("out");
    const std::optional<std::string> quantize = arguments.value("quantize");
    Precision precision = Precision::Float32;
    if (quantize) {
        const std::optional<Precision> named = precisionNamed(*quantize);
        if (!named) throw UsageError("--quantize takes int8 or bf16, got \"" + *quantize + "\"");
        precision = *named;
    }
    const std::optional<std::string> planFile = arguments.value("plan");
    if (!planFile && !quantize) throw UsageError("nothing to apply: give --plan FILE, --quantize int8|bf16, or both");

    LoadedModel loaded = loadModelFolder(modelFolder);
    const int64_t parametersBefore = loaded.model->parameterCount();
    BertModel result = loaded.model;
    int64_t applied = 0;
    if (planFile) {
        const Plan plan = Plan::fromFile(*planFile);
        if (!arguments.flag("ignore-hash")) {
            try {
                requirePlanForModel(plan, modelFolder, *planFile);
            } catch (const Error& error) {
                throw Error(std::string(error.what()) + "; pass --ignore-hash to apply it anyway");
            }
        }
        result = sliceModel(*loaded.model, plan.approximation(loaded.model->config(), *planFile));
        applied = std::count_if(plan.decisions.begin(), plan.decisions.end(), [](const Decision& d) { return d.applied; });
    }
    result->convertTo(precision);
    saveModelFolder(*result, out, modelFolder);
    const LoadedModel written = loadModelFolder(out);  // what a user gets: also proves it reloads

    const nlohmann::json summary = {{"out", out.string()},
                                    {"params_before", parametersBefore},
                                    {"params_after", result->parameterCount()},
                                    {"applied", applied},
                                    {"quantized", quantize.value_or("none")},
                                    {"bytes_before", loaded.bytesOnDisk},
                                    {"bytes_after", written.bytesOnDisk}};
    if (arguments.flag("json")) {
        std::cout << summary.dump() << "\n";
    } else if (!arguments.flag("quiet")) {
        std::cout << "wrote " << out.string() << ": " << parametersBefore << " -> " << result->parameterCount() << " parameters, "
                  << applied << " approximations applied" << (quantize ? ", " + describePrecision(precision) : "") << "; "
                  << loaded.bytesOnDisk / 1000000.0 << " -> " << written.bytesOnDisk / 1000000.0 << " MB on disk\n";
    }
    return 0;
}

}  // namespace

Command applyCommand()
{
    return {"apply", "write a physically smaller model folder from a model and its plan.json",
            "usage: axformer apply --model DIR [--plan FILE] [--quantize int8|bf16] --out DIR [--ignore-hash] [--json]\n\n"
            "Removes the heads, FFN neurons and blocks the plan applies from the weights and marks its\n"
            "hard-attention layers in config.json (pruned_heads and axformer_layers, see docs/ENGINE.md).\n"
            "The result loads with --model anywhere and predicts what the masked model predicts. A plan made\n"
            "for another model (its weights hash differs) is refused unless --ignore-hash.\n"
            "  --quantize int8   also quantize every encoder projection to int8 (per-row scales, dynamic\n"
            "                    activations, as PyTorch's quantize_dynamic); without --plan, the model as\n"
            "                    it is. Saved as int8 (about a quarter of those weights' bytes); eval, bench\n"
            "                    and search run it through LibTorch's quantized engine.\n"
            "  --quantize bf16   instead, every weight in bfloat16 (half the bytes); eval, bench and search\n"
            "                    run it so, the matrix products through oneDNN: faster on CPUs with AVX-512\n"
            "                    BF16 or AMX (search --bf16 shows what it costs in accuracy).\n",
            {"json", "ignore-hash"},
            {"model", "plan", "out", "quantize"},
            runApply};
}

}  // namespace ax::cli
