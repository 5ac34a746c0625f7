#include "cli/command.h"

#include "cli/progress_printer.h"
#include "cli/task_options.h"
#include "bench/latency.h"
#include "common/atomic_file.h"
#include "common/error.h"
#include "model/flops.h"
#include "model/model_folder.h"
#include "model/slicing.h"
#include "search/axformer_search.h"
#include "search/model_costs.h"
#include "search/search_report.h"
#include "train/fine_tuner.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <iostream>
#include <sstream>

namespace ax::cli {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

class SearchPrinter : public SearchObserver {
public:
    explicit SearchPrinter(bool quiet) : m_progress(quiet), m_quiet(quiet) {}
    void onProgress(const Progress& progress) override { m_progress.onProgress(progress); }
    void onMessage(const std::string& line) override { m_progress.onMessage(line); }
    void onDecision(const Decision& decision) override
    {
        if (m_quiet || !decision.applied) return;
        std::ostringstream line;
        line << "applied: " << decision.element.describe() << " (val loss " << decision.loss << ", " << decision.agreeCount
             << " examples not worse" << (decision.source == "user" ? ", forced by the user" : "") << ")";
        m_progress.onMessage(line.str());
    }

private:
    ProgressPrinter m_progress;
    bool m_quiet;
};

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

int runSearchCommand(const Arguments& arguments)
{
    const TaskOptions options = readTaskOptions(arguments, 64);
    const TaskSpec& task = *options.task;
    const fs::path modelFolder = arguments.required("model");
    const auto resume = arguments.value("resume");
    const auto outArgument = arguments.value("out");
    if (!resume && !outArgument) throw UsageError("--out RUNDIR (or --resume RUNDIR) is required");
    const fs::path out = resume ? fs::path(*resume) : fs::path(*outArgument);
    const fs::path journalFile = out / "journal.jsonl";
    if (!resume && fs::exists(journalFile))
        throw Error(out.string() + ": already holds a search; continue it with --resume " + out.string() + " or choose a new folder");
    if (resume && !fs::exists(journalFile)) throw Error(journalFile.string() + ": no journal to resume from");
    fs::create_directories(out);

    SearchSettings settings;
    settings.topK = arguments.integer("top-k", 30, 1, 100000);
    settings.ffnGroups = arguments.integer("ffn-groups", 0, 0, 100000);
    settings.tolerance = arguments.number("tolerance", 0.0, 0.0, 10.0);
    settings.hardAttention = !arguments.flag("no-hard-attention");
    settings.ffnBlocks = !arguments.flag("no-ffn-blocks");
    settings.ffnGroupsAllowed = !arguments.flag("no-ffn-groups");
    settings.attentionBlocks = !arguments.flag("no-attention-blocks");
    settings.heads = !arguments.flag("no-heads");
    if (const auto forced = arguments.value("force")) settings.overrides = parseForced(*forced);

    SearchPrinter printer(arguments.flag("quiet"));
    LoadedModel loaded = loadModelFolder(modelFolder);
    BertModelImpl& model = *loaded.model;
    const BertTokenizer tokenizer = BertTokenizer::fromModelFolder(modelFolder);
    const TaskData data = loadTaskData(task, options.data, options.dataOptions);
    const TaskEvaluator val(task, data.val, data.valQuestions, tokenizer, options.evaluation);
    const TaskEvaluator dev(task, data.dev, data.devQuestions, tokenizer, options.evaluation);

    Plan header;
    header.modelPath = fs::absolute(modelFolder).lexically_normal().string();
    header.modelHash = weightsHash(modelFolder);
    header.task = task.name;
    header.valSeed = options.seed;
    header.valFraction = options.dataOptions.valFraction;
    SearchJournal journal(journalFile, searchIdentity(header, settings));
    if (resume) printer.onMessage("resuming: " + std::to_string(journal.size()) + " candidates already in " + journalFile.string());

    const CostFunction costs = [&](const Approximation& approximation) {
        BertConfig config = model.config();
        config.layers = slicedShapes(config, approximation);
        return std::pair<int64_t, int64_t>{parameterCountFor(config, model.heads()), forwardFlops(config, model.heads(), 1, 128)};
    };
    SearchResult result = runSearch(model, val, header, settings, costs, &journal, &printer);

    // Before and after: val from the search, dev and real speed of the physically sliced model.
    printer.onMessage("measuring dev metrics and latency of the baseline and the sliced model");
    BertModel sliced = sliceModel(model, result.approximation);
    const EvaluationResult devBefore = dev.evaluate(model);
    const EvaluationResult devAfter = dev.evaluate(*sliced);
    LatencySettings latency;
    latency.runs = arguments.integer("latency-runs", 20, 1, 100000);
    const Comparison speed = compareLatency(model, *sliced, latency);
    auto measurement = [&](BertModelImpl& m, double valLoss, double valMetric, const EvaluationResult& devResult, double ms) {
        Measurement result;
        result.valLoss = valLoss;
        result.valMetric = valMetric;
        result.devMetric = primaryMetric(task, devResult.metrics);
        result.parameters = m.parameterCount();
        result.flops = forwardFlops(m.config(), m.heads(), 1, 128);
        result.latencyMs = ms;
        return result;
    };
    const CandidateRecord& last = [&]() -> const CandidateRecord& {
        for (auto it = result.candidates.rbegin(); it != result.candidates.rend(); ++it)
            if (it->accepted) return *it;
        return result.candidates.front();
    }();
    result.plan.baseline = measurement(model, result.candidates.front().valLoss, result.candidates.front().valMetric, devBefore,
                                       speed.base.median);
    result.plan.approximated = measurement(*sliced, last.valLoss, last.valMetric, devAfter, speed.other.median);

    result.plan.save(out / "plan.json");
    writeFileAtomically(out / "pareto.json", paretoJson(result).dump(2) + "\n");
    const std::string report = searchReportMarkdown(result);
    writeFileAtomically(out / "report.md", report);

    const json summary = {{"out", out.string()},
                          {"candidates", result.candidates.size() - 1},
                          {"applied", std::count_if(result.plan.decisions.begin(), result.plan.decisions.end(),
                                                    [](const Decision& d) { return d.applied; })},
                          {"seconds", result.seconds},
                          {"layer_passes", result.layerPasses},
                          {"naive_layer_passes", result.naiveLayerPasses},
                          {"baseline", {{"val_metric", result.plan.baseline->valMetric}, {"dev_metric", *result.plan.baseline->devMetric},
                                        {"params", result.plan.baseline->parameters}, {"latency_ms", speed.base.median}}},
                          {"approximated", {{"val_metric", result.plan.approximated->valMetric}, {"dev_metric", *result.plan.approximated->devMetric},
                                            {"params", result.plan.approximated->parameters}, {"latency_ms", speed.other.median}}},
                          {"speedup", speed.speedup}};
    if (arguments.flag("json")) std::cout << summary.dump() << "\n";
    else std::cout << report;
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
                    "  --tolerance X (0)       accept when loss < min loss * (1 + X): trade accuracy for size\n"
                    "  --no-hard-attention --no-ffn-blocks --no-ffn-groups --no-attention-blocks --no-heads\n"
                    "  --force LIST            force decisions, e.g. head:3:1=off,ffn_block:2=on\n"
                    "                          (kinds: hard_attention attention_block ffn_block head ffn_group)\n"
                    "  --latency-runs N (20)   timed runs for the before/after latency (batch 1, seq 128)\n"
                    "  --max-train N --max-eval N --max-seq-len N --batch-size N --threads N --quiet --json\n",
                    {"json", "no-hard-attention", "no-ffn-blocks", "no-ffn-groups", "no-attention-blocks", "no-heads"},
                    {"model", "out", "resume", "top-k", "ffn-groups", "tolerance", "force", "latency-runs"},
                    runSearchCommand};
    addTaskOptions(command);
    return command;
}

}  // namespace ax::cli
