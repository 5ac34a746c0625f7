#include "cli/command.h"

#include "cli/progress_printer.h"
#include "common/error.h"
#include "demo/demo_pipeline.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

namespace ax::cli {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

json measurementJson(const Measurement& m)
{
    return {{"val_loss", m.valLoss},
            {"val_metric", m.valMetric},
            {"dev_metric", m.devMetric ? json(*m.devMetric) : json(nullptr)},
            {"params", m.parameters},
            {"flops", m.flops},
            {"latency_ms", m.latencyMs ? json(*m.latencyMs) : json(nullptr)}};
}

std::string row(const std::string& name, const std::string& before, const std::string& after)
{
    char line[160];
    std::snprintf(line, sizeof line, "  %-26s %14s %14s\n", name.c_str(), before.c_str(), after.c_str());
    return line;
}

std::string number(double value, const char* format)
{
    char text[64];
    std::snprintf(text, sizeof text, format, value);
    return text;
}

int runDemoCommand(const Arguments& arguments)
{
    DemoSettings settings;
    settings.folder = arguments.value("out").value_or(defaultDemoFolder().string());
    settings.scale = arguments.number("scale", 1.0, 0.01, 10.0);
    if (arguments.flag("fresh"))
        for (const char* stage : {"language", "pretrained", "finetuned", "search"}) fs::remove_all(settings.folder / stage);

    SearchPrinter printer(arguments.flag("quiet"));
    const DemoResult result = runDemo(settings, &printer);
    const Plan plan = Plan::fromFile(result.search / "plan.json");
    if (!plan.baseline || !plan.approximated) failIn((result.search / "plan.json").string(), "has no before/after measurements");
    const Measurement& before = *plan.baseline;
    const Measurement& after = *plan.approximated;
    json applied = json::array();
    for (const Decision& decision : plan.decisions)
        if (decision.applied) applied.push_back(decision.element.describe());
    const double speedup = before.latencyMs && after.latencyMs && *after.latencyMs > 0 ? *before.latencyMs / *after.latencyMs : 0;

    if (arguments.flag("json")) {
        json stages = result.stagesRun;
        std::cout << json{{"folder", settings.folder.string()},
                          {"stages_run", stages},
                          {"seconds", result.seconds},
                          {"model", result.finetuned.string()},
                          {"metric", plan.metric},
                          {"baseline", measurementJson(before)},
                          {"approximated", measurementJson(after)},
                          {"applied", applied},
                          {"decisions", plan.decisions.size()},
                          {"speedup", speedup}}
                         .dump()
                  << "\n";
        return 0;
    }
    std::cout << "AxFormer demo: artefacts in " << settings.folder.string() << " ("
              << (result.stagesRun.empty() ? "all cached" : "computed now in " + number(result.seconds, "%.0f") + " s")
              << ")\n\n"
              << row("", "fine-tuned", "approximated") << row("dev " + plan.metric, number(*before.devMetric, "%.4f"),
                                                             number(*after.devMetric, "%.4f"))
              << row("val loss", number(before.valLoss, "%.4f"), number(after.valLoss, "%.4f"))
              << row("parameters", std::to_string(before.parameters), std::to_string(after.parameters))
              << row("GFLOPs (batch 1, seq 128)", number(double(before.flops) / 1e9, "%.3f"), number(double(after.flops) / 1e9, "%.3f"))
              << row("latency ms (batch 1, seq 128)", number(before.latencyMs.value_or(0), "%.2f"),
                     number(after.latencyMs.value_or(0), "%.2f"))
              << "\n  speed-up " << number(speedup, "%.2f") << "x, " << number(double(before.parameters) / double(after.parameters), "%.2f")
              << "x fewer parameters; " << applied.size() << " of " << plan.decisions.size() << " approximations applied:\n";
    for (const json& element : applied) std::cout << "    " << element.get<std::string>() << "\n";
    std::cout << "\n  Explore it: axformer-studio --demo   (report: " << (result.search / "report.md").string() << ")\n";
    return 0;
}

}  // namespace

Command demoCommand()
{
    Command command{"demo", "the built-in end-to-end demo: synthetic language, pretraining, fine-tuning, search",
                    "usage: axformer demo [--out DIR] [--fresh] [--scale X] [--json]\n\n"
                    "Needs no files: generates a small language (agreement, negation, contrast), pretrains a\n"
                    "miniature BERT on it with masked-LM, fine-tunes it on the language's sentiment task and\n"
                    "runs the significance analysis and the AxFormer search, then prints the before/after\n"
                    "table. Every stage is cached in DIR, so a second run is instant.\n\n"
                    "  --out DIR    the cache (default: ~/.local/share/axformer-studio/demo-v3, or\n"
                    "               $AXFORMER_DEMO_DIR)\n"
                    "  --fresh      recompute every stage\n"
                    "  --scale X    shrink (X < 1) or grow the corpus, the task and training (1)\n"
                    "  --threads N --quiet --json\n",
                    {"json", "fresh"},
                    {"out", "scale"},
                    runDemoCommand};
    return command;
}

}  // namespace ax::cli
