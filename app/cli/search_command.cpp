#include "cli/command.h"

#include "cli/progress_printer.h"
#include "cli/task_options.h"
#include "search/search_job.h"
#include "search/search_report.h"

#include <nlohmann/json.hpp>

#include <iostream>
#include <sstream>

namespace ax::cli {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// "head:3:1=off,ffn_block:2=on" -> overrides.
std::map<Element, bool> parseForced(const std::string& text)
{
    std::map<Element, bool> overrides;
    std::stringstream list(text);
    std::string item;
    while (std::getline(list, item, ',')) {
        const size_t equals = item.find('=');
        if (equals == std::string::npos) throw UsageError("--force entries look like head:LAYER:INDEX=off, got \"" + item + "\"");
        const std::string state = item.substr(equals + 1);
        if (state != "on" && state != "off") throw UsageError("--force state must be on or off, got \"" + state + "\"");
        std::vector<std::string> parts;
        std::stringstream fields(item.substr(0, equals));
        std::string field;
        while (std::getline(fields, field, ':')) parts.push_back(field);
        try {
            if (parts.size() < 2 || parts.size() > 3) throw std::invalid_argument("fields");
            Element element{kindFromName(parts[0], "--force"), std::stoi(parts[1]), parts.size() == 3 ? std::stoi(parts[2]) : -1};
            overrides[element] = state == "on";
        } catch (const std::exception&) {
            throw UsageError("--force entries look like KIND:LAYER[:INDEX]=on|off, got \"" + item + "\"");
        }
    }
    return overrides;
}

// "tolerance=0.02;top-k=10,no-heads" -> variants of `base`, each named by its own text.
std::vector<SearchVariant> parseVariants(const std::string& text, const SearchSettings& base)
{
    std::vector<SearchVariant> variants;
    std::stringstream list(text);
    std::string spec;
    while (std::getline(list, spec, ';')) {
        if (spec.empty()) continue;
        SearchVariant variant{spec, base};
        SearchSettings& settings = variant.settings;
        std::stringstream items(spec);
        std::string item;
        while (std::getline(items, item, ',')) {
            const size_t equals = item.find('=');
            const std::string key = item.substr(0, equals);
            const std::string value = equals == std::string::npos ? "" : item.substr(equals + 1);
            const auto number = [&](double low, double high, const char* range) {
                try {
                    size_t used = 0;
                    const double parsed = std::stod(value, &used);
                    if (used == value.size() && parsed >= low && parsed <= high) return parsed;
                } catch (const std::exception&) {
                }
                throw UsageError("--variants: " + key + " takes a number from " + range + ", got \"" + value + "\" in \"" +
                                 spec + "\"");
            };
            if (key == "tolerance" && equals != std::string::npos) settings.tolerance = number(0, 10, "0 to 10");
            else if (key == "slack" && equals != std::string::npos) settings.groupSlack = number(1, 1e6, "1 to 1e6");
            else if (key == "top-k" && equals != std::string::npos) {
                const double k = number(1, 100000, "1 to 100000");
                if (k != static_cast<int>(k)) throw UsageError("--variants: top-k takes a whole number, got \"" + value + "\"");
                settings.topK = static_cast<int>(k);
            } else if (equals == std::string::npos && key == "no-hard-attention") settings.hardAttention = false;
            else if (equals == std::string::npos && key == "no-ffn-blocks") settings.ffnBlocks = false;
            else if (equals == std::string::npos && key == "no-ffn-groups") settings.ffnGroupsAllowed = false;
            else if (equals == std::string::npos && key == "no-attention-blocks") settings.attentionBlocks = false;
            else if (equals == std::string::npos && key == "no-heads") settings.heads = false;
            else
                throw UsageError("--variants: unknown setting \"" + item + "\" in \"" + spec +
                                 "\" (use tolerance=X, top-k=N, slack=X, no-hard-attention, no-ffn-blocks, no-ffn-groups, "
                                 "no-attention-blocks, no-heads)");
        }
        variants.push_back(std::move(variant));
    }
    return variants;
}

int runSearchCommand(const Arguments& arguments)
{
    const TaskOptions options = readTaskOptions(arguments, 64);
    const auto resume = arguments.value("resume");
    const auto outArgument = arguments.value("out");
    if (!resume && !outArgument) throw UsageError("--out RUNDIR (or --resume RUNDIR) is required");

    SearchJob job;
    job.model = arguments.required("model");
    job.task = options.task.get();
    job.data = options.data;
    job.dataOptions = options.dataOptions;
    job.evaluation = options.evaluation;
    job.out = resume ? fs::path(*resume) : fs::path(*outArgument);
    job.resume = resume.has_value();
    job.significance = arguments.flag("significance");
    job.latencyRuns = arguments.integer("latency-runs", 20, 1, 100000);
    job.candidateLatencyRuns = arguments.integer("candidate-latency-runs", 5, 0, 100000);
    job.int8 = arguments.flag("int8");
    SearchSettings& settings = job.settings;
    settings.topK = arguments.integer("top-k", 30, 1, 100000);
    settings.ffnGroups = arguments.integer("ffn-groups", 0, 0, 100000);
    settings.tolerance = arguments.number("tolerance", 0.0, 0.0, 10.0);
    settings.groupSlack = arguments.number("slack", 1.1, 1.0, 1e6);
    settings.hardAttention = !arguments.flag("no-hard-attention");
    settings.ffnBlocks = !arguments.flag("no-ffn-blocks");
    settings.ffnGroupsAllowed = !arguments.flag("no-ffn-groups");
    settings.attentionBlocks = !arguments.flag("no-attention-blocks");
    settings.heads = !arguments.flag("no-heads");
    if (const auto forced = arguments.value("force")) settings.overrides = parseForced(*forced);
    if (const auto variants = arguments.value("variants")) job.variants = parseVariants(*variants, settings);

    SearchPrinter printer(arguments.flag("quiet"));
    const SearchJobResult outcome = runSearchJob(job, &printer);
    const SearchResult& result = outcome.search;
    const Measurement& before = *result.plan.baseline;
    const Measurement& after = *result.plan.approximated;
    const json summary = {{"out", job.out.string()},
                          {"candidates", result.candidates.size() - 1},
                          {"applied", std::count_if(result.plan.decisions.begin(), result.plan.decisions.end(),
                                                    [](const Decision& d) { return d.applied; })},
                          {"seconds", result.seconds},
                          {"layer_passes", result.layerPasses},
                          {"naive_layer_passes", result.naiveLayerPasses},
                          {"baseline", {{"val_metric", before.valMetric}, {"dev_metric", *before.devMetric},
                                        {"params", before.parameters}, {"latency_ms", *before.latencyMs}}},
                          {"approximated", {{"val_metric", after.valMetric}, {"dev_metric", *after.devMetric},
                                            {"params", after.parameters}, {"latency_ms", *after.latencyMs}}},
                          {"speedup", outcome.speed.speedup},
                          {"variants", job.variants.size()}};
    std::vector<NamedSearch> variants;
    for (size_t i = 0; i < job.variants.size(); ++i) variants.push_back({job.variants[i].name, &outcome.variants[i]});
    if (arguments.flag("json")) std::cout << summary.dump() << "\n";
    else std::cout << searchReportMarkdown(result, variants);
    return 0;
}

}  // namespace

Command searchCommand()
{
    Command command{"search", "run the AxFormer search and write plan.json, pareto.json and report.md",
                    "usage: axformer search --model DIR --task T --data PATH --out RUNDIR [options]\n"
                    "       axformer search --model DIR --task T --data PATH --resume RUNDIR [same options]\n\n"
                    "Carves val from train (--val-fraction 0.15, --seed 42), measures reference losses, then tries\n"
                    "hard attention layer by layer bottom-up and removing FFN blocks/groups and attention\n"
                    "blocks/heads top-down, keeping a change when val loss falls and most examples get no worse.\n"
                    "RUNDIR gets plan.json, pareto.json, report.md and journal.jsonl; a stopped search resumes\n"
                    "from its journal with identical results.\n\n"
                    "  --top-k N (30)          hard attention keeps N probabilities per query\n"
                    "  --ffn-groups N          FFN groups per layer (default: the number of heads)\n"
                    "  --tolerance X (0)       accept when loss < min loss * (1 + X) and most examples' losses\n"
                    "                          are <= their reference * (1 + X): trade accuracy for size\n"
                    "  --slack X (1.1)         try a rejected block's heads or FFN groups one by one when its\n"
                    "                          loss was < min loss * X; a very confident model (val loss near 0)\n"
                    "                          needs a larger X for its parts to be tried at all\n"
                    "  --no-hard-attention --no-ffn-blocks --no-ffn-groups --no-attention-blocks --no-heads\n"
                    "  --force LIST            force decisions, e.g. head:3:1=off,ffn_block:2=on\n"
                    "                          (kinds: hard_attention attention_block ffn_block head ffn_group)\n"
                    "  --variants LIST         further searches in this run, separated by ';', each a comma list\n"
                    "                          of settings that differ from the main search's (tolerance=X,\n"
                    "                          top-k=N, slack=X, no-hard-attention, no-ffn-blocks, no-ffn-groups,\n"
                    "                          no-attention-blocks, no-heads), e.g.\n"
                    "                          \"tolerance=0.02;tolerance=0.05,no-hard-attention\". Their\n"
                    "                          configurations join pareto.json's front; plan.json stays the\n"
                    "                          main search's, plan-variant-N.json holds each variant's;\n"
                    "                          report.md has a line for each\n"
                    "  --int8                  also the baseline and each search's final configuration with int8\n"
                    "                          encoder projections (apply --quantize int8), on val and timed:\n"
                    "                          pareto.json's points of variant \"int8\", and report.md's Int8 table\n"
                    "  --significance          also write RUNDIR/significance.json: val loss and metric with\n"
                    "                          each head, FFN group and block removed alone, and gradient\n"
                    "                          head/group importance (the studio's heatmaps)\n"
                    "  --latency-runs N (20)   timed runs for the before/after latency (batch 1, seq 128)\n"
                    "  --candidate-latency-runs N (5)  timed runs of every evaluated configuration, sliced,\n"
                    "                          for pareto.json's latency axis (0: skip)\n"
                    "  --max-train N --max-eval N --max-seq-len N --batch-size N --threads N --quiet --json\n",
                    {"json", "significance", "int8", "no-hard-attention", "no-ffn-blocks", "no-ffn-groups", "no-attention-blocks", "no-heads"},
                    {"model", "out", "resume", "top-k", "ffn-groups", "tolerance", "slack", "force", "variants", "latency-runs",
                     "candidate-latency-runs"},
                    runSearchCommand};
    addTaskOptions(command);
    return command;
}

}  // namespace ax::cli
