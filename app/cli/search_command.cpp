#include "cli/command.h"

#include "cli/distributed_options.h"
#include "cli/progress_printer.h"
#include "cli/task_options.h"
#include "search/search_job.h"
#include "search/search_report.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
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

// The search settings a user may change, by the names that the main options (--tolerance,
// --no-heads, ...) and --variants' items (tolerance=X, no-heads, ...) share.
struct NumberSetting {
    const char* name;
    double low, high;
    const char* range;  // low and high, as the help writes them
    bool whole;         // an integer setting
    std::function<void(SearchSettings&, double)> set;
};
const std::vector<NumberSetting>& numberSettings()
{
    static const std::vector<NumberSetting> settings = {
        {"tolerance", 0, 10, "0 to 10", false, [](SearchSettings& s, double v) { s.tolerance = v; }},
        {"slack", 1, 1e6, "1 to 1e6", false, [](SearchSettings& s, double v) { s.groupSlack = v; }},
        {"top-k", 1, 100000, "1 to 100000", true, [](SearchSettings& s, double v) { s.topK = static_cast<int>(v); }},
    };
    return settings;
}
// Each kind of element the search may try, by the name of the switch that leaves it out.
const std::vector<std::pair<const char*, bool SearchSettings::*>>& kindSwitches()
{
    static const std::vector<std::pair<const char*, bool SearchSettings::*>> switches = {
        {"no-hard-attention", &SearchSettings::hardAttention}, {"no-ffn-blocks", &SearchSettings::ffnBlocks},
        {"no-ffn-groups", &SearchSettings::ffnGroupsAllowed},  {"no-attention-blocks", &SearchSettings::attentionBlocks},
        {"no-heads", &SearchSettings::heads}};
    return switches;
}

// "tolerance=0.02;top-k=10,no-heads" -> variants of `base`, each named by its own text.
std::vector<SearchVariant> parseVariants(const std::string& text, const SearchSettings& base)
{
    std::string known;
    for (const NumberSetting& setting : numberSettings()) known += std::string(known.empty() ? "" : ", ") + setting.name + "=X";
    for (const auto& [name, member] : kindSwitches()) known += std::string(", ") + name;
    std::vector<SearchVariant> variants;
    std::stringstream list(text);
    std::string spec;
    while (std::getline(list, spec, ';')) {
        if (spec.empty()) continue;
        SearchVariant variant{spec, base};
        std::stringstream items(spec);
        std::string item;
        while (std::getline(items, item, ',')) {
            const size_t equals = item.find('=');
            const std::string key = item.substr(0, equals);
            const std::string value = equals == std::string::npos ? "" : item.substr(equals + 1);
            const auto number = std::find_if(numberSettings().begin(), numberSettings().end(),
                                             [&](const NumberSetting& setting) { return key == setting.name; });
            const auto kind = std::find_if(kindSwitches().begin(), kindSwitches().end(), [&](const auto& entry) { return key == entry.first; });
            if (number != numberSettings().end() && equals != std::string::npos) {
                double parsed = 0;
                size_t used = 0;
                try {
                    parsed = std::stod(value, &used);
                } catch (const std::exception&) {
                }
                if (used == 0 || used != value.size() || !(parsed >= number->low && parsed <= number->high) ||
                    (number->whole && parsed != std::floor(parsed)))
                    throw UsageError("--variants: " + key + " takes a " + (number->whole ? "whole number" : "number") + " from " +
                                     number->range + ", got \"" + value + "\" in \"" + spec + "\"");
                number->set(variant.settings, parsed);
            } else if (kind != kindSwitches().end() && equals == std::string::npos) {
                variant.settings.*(kind->second) = false;
            } else {
                throw UsageError("--variants: unknown setting \"" + item + "\" in \"" + spec + "\" (use " + known + ")");
            }
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
    job.bf16 = arguments.flag("bf16");
    if (const int epochs = arguments.integer("distill", 0, 0, 1000); epochs > 0) {
        FineTuneSettings distill;
        distill.epochs = epochs;
        distill.seed = options.seed;
        distill.optimizer.learningRate = arguments.number("distill-lr", 2e-5, 1e-9, 1.0);
        distill.distillation.temperature = arguments.number("temperature", 2.0, 1e-3, 1e3);
        distill.distillation.alpha = arguments.number("distill-alpha", 0.5, 0.0, 1.0);
        job.distill = distill;
    } else {
        for (const char* option : {"distill-lr", "temperature", "distill-alpha"})
            if (arguments.value(option)) throw UsageError(std::string("--") + option + " sets the distilled points: give --distill EPOCHS too");
    }
    SearchSettings& settings = job.settings;
    settings.ffnGroups = arguments.integer("ffn-groups", 0, 0, 100000);
    for (const NumberSetting& setting : numberSettings()) {
        if (setting.whole) {
            if (arguments.value(setting.name))
                setting.set(settings, arguments.integer(setting.name, 0, static_cast<int>(setting.low), static_cast<int>(setting.high)));
        } else if (arguments.value(setting.name)) {
            setting.set(settings, arguments.number(setting.name, 0, setting.low, setting.high));
        }
    }
    for (const auto& [name, member] : kindSwitches()) settings.*member = !arguments.flag(name);
    settings.layerCache = !arguments.flag("no-layer-cache");
    settings.layerCacheMemory = int64_t{arguments.integer("layer-cache-mib", int(kDefaultLayerCacheMemory >> 20), 0, 1 << 24)} << 20;
    if (const auto forced = arguments.value("force")) settings.overrides = parseForced(*forced);
    if (const auto variants = arguments.value("variants")) job.variants = parseVariants(*variants, settings);

    if (job.distill && worldSizeFrom(arguments) > 1)
        throw UsageError("--distill fine-tunes, and fine-tuning does not run across processes: run it without --world-size");
    const std::unique_ptr<Collective> collective = joinFromArguments(arguments);
    job.collective = collective.get();
    // One progress display is enough: the other processes' would repeat it.
    SearchPrinter printer(arguments.flag("quiet") || !isLead(job.collective));
    const SearchJobResult outcome = runSearchJob(job, &printer);
    if (!isLead(job.collective)) {
        std::cout << "rank " << collective->rank() << " of " << collective->size() << ": done; rank 0 wrote " << job.out.string() << "\n";
        return 0;
    }
    const SearchResult& result = outcome.search;
    const Measurement& before = *result.plan.baseline;
    const Measurement& after = *result.plan.approximated;
    const json summary = {{"out", job.out.string()},
                          {"candidates", result.candidates.size() - 1},
                          {"applied", std::count_if(result.plan.decisions.begin(), result.plan.decisions.end(),
                                                    [](const Decision& d) { return d.applied; })},
                          {"seconds", result.seconds},
                          {"layer_work", {{"passes", result.work.passes},
                                          {"naive_passes", result.work.naivePasses},
                                          {"reused_attention_outputs", result.work.reusedAttentionOutputs},
                                          {"reused_attention_weights", result.work.reusedAttentionWeights},
                                          {"reused_ffn_activations", result.work.reusedFfnActivations},
                                          {"restored_layer_inputs", result.work.restoredLayerInputs},
                                          {"reused_layer_outputs", result.work.reusedLayerOutputs}}},
                          {"baseline", {{"val_metric", before.valMetric}, {"dev_metric", *before.devMetric},
                                        {"params", before.parameters}, {"latency_ms", *before.latencyMs}}},
                          {"approximated", {{"val_metric", after.valMetric}, {"dev_metric", *after.devMetric},
                                            {"params", after.parameters}, {"latency_ms", *after.latencyMs}}},
                          {"speedup", outcome.speed.speedup},
                          {"variants", job.variants.size()}};
    std::vector<NamedSearch> variants;
    for (size_t i = 0; i < job.variants.size(); ++i) variants.push_back({job.variants[i].name, &outcome.variants[i]});
    if (arguments.flag("json")) std::cout << summary.dump() << "\n";
    else
        std::cout << searchReportMarkdown(result, variants, outcome.optionPoints());
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
                    "  --bf16                  also the same configurations with every weight in bfloat16 (oneDNN;\n"
                    "                          fast on CPUs with AVX-512 BF16 or AMX), on val and timed: points of\n"
                    "                          variant \"bf16\", and report.md's Bf16 table\n"
                    "  --distill EPOCHS        also each search's final configuration, sliced and fine-tuned again\n"
                    "                          for EPOCHS on train with the model as teacher (finetune --teacher;\n"
                    "                          batch 32, --seed), on val and timed: pareto.json's points of\n"
                    "                          variant \"distilled\", and report.md's Distilled table\n"
                    "  --distill-lr X (2e-5) --temperature T (2) --distill-alpha A (0.5)  its training\n"
                    "  --significance          also write RUNDIR/significance.json: val loss and metric with\n"
                    "                          each head, FFN group and block removed alone, and gradient\n"
                    "                          head/group importance (the studio's heatmaps)\n"
                    "  --no-layer-cache        evaluate every candidate with a full val pass: the same results,\n"
                    "                          slower, without the hidden states the search otherwise keeps for\n"
                    "                          all of val (less memory on a large val split)\n"
                    "  --layer-cache-mib N (2048)  what the cache may keep beyond those: inputs of other\n"
                    "                          layers, attention probabilities, FFN activations, a layer's\n"
                    "                          output (less: slower)\n"
                    "  --latency-runs N (20)   timed runs for the before/after latency (batch 1, seq 128)\n"
                    "  --candidate-latency-runs N (5)  timed runs of every evaluated configuration, sliced,\n"
                    "                          for pareto.json's latency axis (0: skip)\n"
                    "  --max-train N --max-eval N --max-seq-len N --batch-size N --threads N --quiet --json\n",
                    {"json", "significance", "int8", "bf16", "no-layer-cache", "no-hard-attention", "no-ffn-blocks", "no-ffn-groups", "no-attention-blocks", "no-heads"},
                    {"model", "out", "resume", "top-k", "ffn-groups", "tolerance", "slack", "force", "variants", "latency-runs",
                     "candidate-latency-runs", "layer-cache-mib", "distill", "distill-lr", "temperature", "distill-alpha"},
                    runSearchCommand};
    addTaskOptions(command);
    addDistributedOptions(command);
    return command;
}

}  // namespace ax::cli
