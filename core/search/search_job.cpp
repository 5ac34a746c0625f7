#include "search/search_job.h"

#include "common/atomic_file.h"
#include "common/error.h"
#include "common/freed_memory.h"
#include "data/custom_task.h"
#include "model/flops.h"
#include "model/model_folder.h"
#include "model/precision_names.h"
#include "model/slicing.h"
#include "search/model_costs.h"
#include "search/option_points.h"
#include "search/search_report.h"
#include "text/bert_tokenizer.h"
#include "train/fine_tuner.h"
#include "train/task_model.h"

#include <torch/torch.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>

namespace ax {

namespace fs = std::filesystem;

namespace {

Measurement measure(BertModelImpl& model, const TaskSpec& task, double valLoss, double valMetric, const EvaluationResult& dev,
                    double latencyMs)
{
    Measurement result;
    result.valLoss = valLoss;
    result.valMetric = valMetric;
    result.devMetric = primaryMetric(task, dev.metrics);
    result.parameters = model.parameterCount();
    result.flops = forwardFlops(model.config(), model.heads(), 1, 128);
    result.latencyMs = latencyMs;
    return result;
}

// Latency of a configuration: (top-k, sorted applied elements) -> median ms.
using LatencyCache = std::map<std::pair<int, std::vector<Element>>, double>;

// Times each distinct configuration the search evaluated, physically sliced, side by side with the
// model (RelativeLatency), so that the Pareto front can use real latency. Configurations repeat (a
// rejected candidate's base is the accepted one before it, and variants share many with the main
// search), so `measured`, shared by all, measures each once.
void measureCandidateLatency(BertModelImpl& model, SearchResult& result, const RelativeLatency& latency, LatencyCache& measured,
                             SearchObserver* observer, const CancelToken* cancel)
{
    const ProgressClock clock;
    for (size_t i = 0; i < result.candidates.size(); ++i) {
        throwIfCancelled(cancel);
        CandidateRecord& candidate = result.candidates[i];
        std::pair<int, std::vector<Element>> key{result.plan.topK, candidate.applied};
        std::sort(key.second.begin(), key.second.end());
        auto found = measured.find(key);
        if (found == measured.end()) {
            Approximation approximation = Approximation::none(model.config().numLayers);
            for (const Element& element : candidate.applied)
                applyElement(approximation, element, model.config(), result.plan.topK, result.plan.ffnGroups, "latency");
            BertModel sliced = sliceModel(model, approximation);
            found = measured.emplace(key, latency.of(*sliced)).first;
        }
        candidate.latencyMs = found->second;
        if (observer) observer->onProgress(clock.at("latency of each configuration", int64_t(i + 1), int64_t(result.candidates.size())));
    }
}

// A variant's progress, messages and configurations reach the observer; its decisions do not,
// since they are not the run's plan (the studio's log and plan view show the main search's).
class VariantObserver : public SearchObserver {
public:
    VariantObserver(SearchObserver* observer, std::string name) : m_observer(observer), m_name(std::move(name)) {}
    void onProgress(const Progress& progress) override
    {
        Progress renamed = progress;
        renamed.stage = "variant " + m_name + ": " + progress.stage;
        m_observer->onProgress(renamed);
    }
    void onMessage(const std::string& line) override { m_observer->onMessage(line); }
    void onCandidate(const CandidateRecord& candidate) override { m_observer->onCandidate(candidate); }

private:
    SearchObserver* m_observer;
    std::string m_name;
};

// Checks that `job.out` may take this run (a new search, or the resume of one) and clears what a
// kill while writing an output left beside it.
void prepareRunFolder(const SearchJob& job)
{
    const fs::path journalFile = job.out / "journal.jsonl";
    if (!job.resume && fs::exists(journalFile))
        throw Error(job.out.string() + ": already holds a search; resume it or choose a new folder");
    if (job.resume && !fs::exists(journalFile)) throw Error(journalFile.string() + ": no journal to resume from");
    fs::create_directories(job.out);
    if (job.resume) {
        for (const char* output : {"plan.json", "pareto.json", "report.md", "significance.json"}) removeLeftoverTemporaries(job.out / output);
        for (size_t i = 0; i < job.variants.size(); ++i)
            removeLeftoverTemporaries(job.out / ("plan-variant-" + std::to_string(i + 1) + ".json"));
    }
}

// The lead opens (or creates) the journal file; the other processes get a replica of what it held.
SearchJournal openJournal(Collective* collective, const fs::path& file, const nlohmann::json& identity)
{
    std::optional<SearchJournal> leadJournal;
    const std::string text = fromLead(collective, [&] {
        std::string held;
        if (fs::exists(file)) {
            std::ifstream in(file, std::ios::binary);
            held.assign(std::istreambuf_iterator<char>(in), {});
        }
        leadJournal.emplace(file, identity);
        return held;
    });
    return leadJournal ? std::move(*leadJournal) : SearchJournal::replica(file, text, identity);
}

}  // namespace

std::vector<NamedSearch> SearchJobResult::optionPoints() const
{
    std::vector<NamedSearch> points;
    if (int8) points.push_back({"int8", &*int8});
    if (bf16) points.push_back({"bf16", &*bf16});
    if (distilled) points.push_back({"distilled", &*distilled});
    return points;
}

SearchJobResult runSearchJob(const SearchJob& job, SearchObserver* observer, const CancelToken* cancel)
{
    if (!job.task) throw Error("a search needs a task");
    Collective* const collective = job.collective;
    const bool lead = isLead(collective);
    if (job.distill && collective && collective->size() > 1)
        throw Error("--distill fine-tunes, and fine-tuning does not run across processes: run the distillation in one process");
    fromLead(collective, [&] {
        prepareRunFolder(job);
        return std::string();
    });

    // The search evaluates the same val batches for every candidate: keep the memory they free.
    const KeepFreedMemory keepFreedMemory;
    const TaskSpec& task = *job.task;
    LoadedModel loaded = loadModelFolder(job.model);
    BertModelImpl& model = *loaded.model;
    // Each option converts the float32 model; checked now, not after the search's hours.
    if ((job.int8 || job.bf16) && model.precision() != Precision::Float32)
        throw Error(job.model.string() + ": the model already runs in " + describePrecision(model.precision()) +
                    "; int8 and bf16 points are made from a float32 model");
    const BertTokenizer tokenizer = BertTokenizer::fromModelFolder(job.model);
    checkInputsFit(loaded, tokenizer.vocab(), job.evaluation.maxSeqLength);
    requireHeadFor(model, task, job.model);
    const TaskData data = loadTaskData(task, job.data, job.dataOptions);
    if (data.val.empty()) throw Error(job.data.string() + ": the val split is empty; the search needs --val-fraction > 0");
    TaskEvaluator val(task, data.val, data.valQuestions, tokenizer, job.evaluation);
    TaskEvaluator dev(task, data.dev, data.devQuestions, tokenizer, job.evaluation);
    val.shardAcross(collective);
    dev.shardAcross(collective);
    const std::string modelHash = weightsHash(job.model);
    requireSameEverywhere(collective, modelHash + " " + std::to_string(val.contentHash()) + " " + std::to_string(dev.contentHash()),
                          "model weights or val and dev data");
    // Hard attention keeps k probabilities per query: with k at least as long as every val sequence
    // it keeps them all, and the report would show hard attention "rejected" for a change never made.
    size_t longest = 0;
    for (const Feature& feature : val.features()) longest = std::max(longest, feature.inputIds.size());
    const auto checkTopK = [&](const SearchSettings& settings) {
        if (settings.topK >= static_cast<int64_t>(longest))
            throw Error("--top-k " + std::to_string(settings.topK) + " keeps every token: the longest val sequence of " +
                        job.data.string() + " has " + std::to_string(longest) + " tokens, so hard attention would change "
                        "nothing; choose a k below " + std::to_string(longest));
    };
    checkTopK(job.settings);
    for (const SearchVariant& variant : job.variants) checkTopK(variant.settings);

    SearchJobResult outcome;
    outcome.out = job.out;
    if (job.significance) {
        if (observer) observer->onMessage("significance analysis: every head, FFN group and block removed alone");
        SignificanceSettings settings;
        settings.topK = job.settings.topK;
        settings.ffnGroups = job.settings.ffnGroups;
        outcome.significance = analyseSignificance(model, val, settings, observer, cancel);
        // So that a significance.json copied beside another model's plan is recognised (the studio's re-runs copy it).
        outcome.significance->modelHash = modelHash;
        if (lead) outcome.significance->save(job.out / "significance.json");
    }

    Plan header;
    header.modelPath = fs::absolute(job.model).lexically_normal().string();
    header.modelHash = modelHash;
    header.task = task.name;
    header.taskSettings = customTaskJson(task);
    header.valSeed = job.dataOptions.splitSeed;
    header.valFraction = job.dataOptions.valFraction;
    const fs::path journalFile = job.out / "journal.jsonl";
    SearchJournal journal = openJournal(collective, journalFile, searchIdentity(header, job.settings));
    if (job.resume && observer)
        observer->onMessage("resuming: " + std::to_string(journal.size()) + " candidates already in " + journalFile.string());

    const CostFunction costs = [&](const Approximation& approximation) {
        BertConfig config = model.config();
        config.layers = slicedShapes(config, approximation);
        return std::pair<int64_t, int64_t>{parameterCountFor(config, model.heads()), forwardFlops(config, model.heads(), 1, 128)};
    };
    outcome.search = runSearch(model, val, header, job.settings, costs, &journal, observer, cancel);
    SearchResult& result = outcome.search;
    for (size_t i = 0; i < job.variants.size(); ++i) {
        const SearchVariant& variant = job.variants[i];
        if (observer) observer->onMessage("variant " + std::to_string(i + 1) + " of " + std::to_string(job.variants.size()) + ": " + variant.name);
        SearchJournal variantJournal = openJournal(collective, job.out / ("journal-variant-" + std::to_string(i + 1) + ".jsonl"),
                                                   searchIdentity(header, variant.settings));
        VariantObserver variantObserver(observer, variant.name);
        outcome.variants.push_back(
            runSearch(model, val, header, variant.settings, costs, &variantJournal, observer ? &variantObserver : nullptr, cancel));
    }

    // Before and after: val from the search, dev and real speed of the physically sliced model.
    if (observer) observer->onMessage("measuring dev metrics and latency of the baseline and the sliced model");
    BertModel sliced = sliceModel(model, result.approximation);
    throwIfCancelled(cancel);
    const EvaluationResult devBefore = dev.evaluate(model, nullptr, cancel);
    const EvaluationResult devAfter = dev.evaluate(*sliced, nullptr, cancel);
    LatencySettings latency;
    latency.runs = job.latencyRuns;
    latency.sequenceLength = std::min(latency.sequenceLength, model.config().maxPositions);
    // Latency is the lead's to time: other processes would time the same models meanwhile, on the
    // same cores when they share a machine.
    if (lead) outcome.speed = compareLatency(model, *sliced, latency);
    const int candidateLatencyRuns = lead ? job.candidateLatencyRuns : 0;
    const CandidateRecord& base = result.candidates.front();
    const CandidateRecord& last = lastAccepted(result);
    result.plan.baseline = measure(model, task, base.valLoss, base.valMetric, devBefore, outcome.speed.base.median);
    result.plan.approximated = measure(*sliced, task, last.valLoss, last.valMetric, devAfter, outcome.speed.other.median);

    // Every point of the front is timed beside the model and quoted on the scale of its median above.
    std::optional<RelativeLatency> pointLatency;
    if (candidateLatencyRuns > 0) {
        LatencySettings settings = latency;
        settings.runs = candidateLatencyRuns;
        settings.warmupRuns = 2;
        pointLatency.emplace(model, outcome.speed.base.median, settings);
        LatencyCache measured;
        measureCandidateLatency(model, result, *pointLatency, measured, observer, cancel);
        for (SearchResult& variant : outcome.variants) measureCandidateLatency(model, variant, *pointLatency, measured, observer, cancel);
    }
    const RelativeLatency* const timing = pointLatency ? &*pointLatency : nullptr;

    if (job.int8) {
        if (observer) observer->onMessage("int8: the baseline and each search's final configuration, quantized");
        std::vector<const SearchResult*> searches = {&result};
        for (const SearchResult& variant : outcome.variants) searches.push_back(&variant);
        outcome.int8 = int8Configurations(model, val, searches, timing, observer, cancel);
    }

    if (job.bf16) {
        if (observer) observer->onMessage("bf16: the baseline and each search's final configuration in bfloat16");
        std::vector<const SearchResult*> searches = {&result};
        for (const SearchResult& variant : outcome.variants) searches.push_back(&variant);
        outcome.bf16 = bf16Configurations(model, val, searches, timing, observer, cancel);
    }

    if (job.distill) {
        if (observer) observer->onMessage("distillation: each search's final configuration fine-tuned again with the model as teacher");
        std::vector<const SearchResult*> searches = {&result};
        for (const SearchResult& variant : outcome.variants) searches.push_back(&variant);
        const std::vector<Feature> train = encodeForTask(task, data.train, data.trainQuestions, tokenizer, job.evaluation);
        outcome.distilled =
            distilledConfigurations(model, train, val, searches, *job.distill, timing, observer, cancel);
    }

    if (!lead) return outcome;
    std::vector<NamedSearch> variants;
    for (size_t i = 0; i < job.variants.size(); ++i) variants.push_back({job.variants[i].name, &outcome.variants[i]});
    result.plan.save(job.out / "plan.json");
    // Each variant's own decisions, so that `axformer apply --plan RUN/plan-variant-N.json` exports it.
    for (size_t i = 0; i < outcome.variants.size(); ++i)
        outcome.variants[i].plan.save(job.out / ("plan-variant-" + std::to_string(i + 1) + ".json"));
    std::vector<NamedSearch> pointSources = variants;
    for (const NamedSearch& points : outcome.optionPoints()) pointSources.push_back(points);
    writeFileAtomically(job.out / "pareto.json", paretoJson(result, pointSources).dump(2) + "\n");
    writeFileAtomically(job.out / "report.md", searchReportMarkdown(result, variants, outcome.optionPoints()));
    return outcome;
}

}  // namespace ax
