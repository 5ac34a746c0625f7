// The AxFormer search on a small model trained here: the method's order and acceptance rule,
// incremental evaluation (what it keeps within a layer and of other layers' inputs, any budget) equal to full passes, masked equal to sliced, resume after cancel giving
// the same plan, user overrides, search variants in one run, and plan.json round trips and refusals.

#include "model/slicing.h"
#include "search/axformer_search.h"
#include "search/layer_cache.h"
#include "search/model_costs.h"
#include "search/pareto.h"
#include "search/search_report.h"
#include "search/significance.h"
#include "search/search_job.h"
#include "model/model_folder.h"
#include "train/fine_tuner.h"
#include "train/task_data.h"
#include "train/task_model.h"

#include <torch/torch.h>

#include "synthetic_task.h"
#include "test_support.h"

#include "common/atomic_file.h"
#include "common/error.h"

#include <cmath>
#include <fstream>
#include <iterator>

using namespace ax;
namespace fs = std::filesystem;

namespace {

struct Fixture {
    fs::path data;  // train.tsv, dev.tsv and vocab.txt
    BertModel model{nullptr};
    std::unique_ptr<TaskEvaluator> val;
    Plan header;
};

// A 3-layer model fine-tuned briefly on the synthetic negation task (a few seconds).
Fixture& fixture()
{
    static Fixture f = [] {
        Fixture made;
        const fs::path data = ax::test::writeSyntheticSentiment(900, 100, 11);
        made.data = data;
        const BertTokenizer tokenizer(Vocab::fromFile(data / "vocab.txt"), true);
        const TaskSpec& task = taskSpec("sst2");
        const TaskData split = loadTaskData(task, data, DataOptions{});
        torch::manual_seed(2);
        BertModel base(BertConfig::standard(int(tokenizer.vocab().size()), 32, 3, 4, 64), ModelHeads{});
        made.model = modelForTask(*base, task, 2, true);
        EvaluationSettings evaluation;
        evaluation.maxSeqLength = 16;
        const std::vector<Feature> train = encodeForTask(task, split.train, {}, tokenizer, evaluation);
        made.val = std::make_unique<TaskEvaluator>(task, split.val, std::vector<SquadQuestion>{}, tokenizer, evaluation);
        FineTuneSettings settings;
        settings.epochs = 8;
        settings.optimizer.learningRate = 2e-3;
        settings.seed = 2;
        fineTune(*made.model, task, train, nullptr, settings);
        const EvaluationResult trained = made.val->evaluate(*made.model);
        qInfo("fixture: val loss %.3f, accuracy %.3f", trained.meanLoss, trained.metrics.values.at("accuracy"));
        if (trained.metrics.values.at("accuracy") < 0.9) qFatal("the search fixture did not learn its task");
        made.header.modelPath = "synthetic";
        made.header.modelHash = "0123456789abcdef";
        made.header.task = "sst2";
        return made;
    }();
    return f;
}

CostFunction costsFor(BertModelImpl& model)
{
    return [&model](const Approximation& approximation) {
        BertConfig config = model.config();
        config.layers = slicedShapes(config, approximation);
        return std::pair<int64_t, int64_t>{parameterCountFor(config, model.heads()), 0};
    };
}

// The fixture's model saved with its vocabulary in <scratch folder `name`>/model, as a user has it.
fs::path fixtureModelFolder(const QString& name)
{
    Fixture& f = fixture();
    const fs::path model = ax::test::scratchFolder(name) / "model";
    saveModelFolder(*f.model, model);
    fs::copy_file(f.data / "vocab.txt", model / "vocab.txt");
    return model;
}

// A whole search job (CLI and studio path) on the fixture model, saved with its vocabulary in a
// scratch folder; the run goes to that folder's "run".
SearchJob jobOnTheFixture(const QString& name)
{
    Fixture& f = fixture();
    SearchJob job;
    job.model = fixtureModelFolder(name);
    job.task = &taskSpec("sst2");
    job.data = f.data;
    job.evaluation.maxSeqLength = 16;
    job.out = job.model.parent_path() / "run";
    return job;
}

class CancelAfterCandidates : public SearchObserver {
public:
    CancelAfterCandidates(CancelToken& token, size_t count) : m_token(token), m_count(count) {}
    void onCandidate(const CandidateRecord& candidate) override
    {
        if (candidate.sequence >= m_count) m_token.cancel();
    }

private:
    CancelToken& m_token;
    size_t m_count;
};

void compareDecisions(const std::vector<Decision>& a, const std::vector<Decision>& b)
{
    QCOMPARE(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
        QVERIFY(a[i].element == b[i].element);
        QCOMPARE(a[i].applied, b[i].applied);
        QCOMPARE(a[i].loss, b[i].loss);
        QCOMPARE(a[i].agreeCount, b[i].agreeCount);
    }
}

}  // namespace

class TestSearch : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void followsTheMethod()
    {
        Fixture& f = fixture();
        const SearchResult result = runSearch(*f.model, *f.val, f.header, SearchSettings{}, costsFor(*f.model));
        const auto& decisions = result.plan.decisions;
        QVERIFY(decisions.size() >= 3 + 3 * 2);
        // Hard attention first, bottom-up; then pruning top-down, FFN before attention in a layer.
        for (int l = 0; l < 3; ++l) {
            QVERIFY(decisions[size_t(l)].element.kind == ElementKind::HardAttention);
            QCOMPARE(decisions[size_t(l)].element.layer, l);
        }
        for (size_t i = 4; i < decisions.size(); ++i) QVERIFY(decisions[i].element.layer <= decisions[i - 1].element.layer);
        // The acceptance test, replayed from the recorded numbers.
        double minLoss = result.baselineVal.meanLoss;
        const int64_t majority = int64_t(std::floor(0.5 * double(result.baselineVal.featureLosses.size())));
        int applied = 0;
        for (const Decision& d : decisions) {
            QCOMPARE(d.applied, d.loss < minLoss && d.agreeCount > majority);
            if (d.applied) {
                minLoss = d.loss;
                ++applied;
            }
        }
        qInfo("%zu decisions, %d applied, val loss %.4f -> %.4f, the work of %.1f of %lld layer passes", decisions.size(), applied,
              result.baselineVal.meanLoss, minLoss, result.work.passes, (long long)result.work.naivePasses);
        QVERIFY(result.work.passes < double(result.work.naivePasses));
        QCOMPARE(result.candidates.size(), decisions.size() + 1);
        QVERIFY(result.candidates.back().parameters <= result.candidates.front().parameters);
        // FFN groups and heads are only tried when their block was rejected but close.
        for (size_t i = 0; i < decisions.size(); ++i) {
            if (decisions[i].element.kind != ElementKind::FfnGroup || decisions[i].element.index != 0) continue;
            QVERIFY(decisions[i - 1].element.kind == ElementKind::FfnBlock && !decisions[i - 1].applied);
        }
    }

    void incrementalEqualsFullPassesAndSlicingAgrees()
    {
        Fixture& f = fixture();
        const SearchResult result = runSearch(*f.model, *f.val, f.header, SearchSettings{}, costsFor(*f.model));
        for (const CandidateRecord& candidate : result.candidates) {
            Plan plan = result.plan;
            plan.decisions.clear();
            for (const Element& element : candidate.applied) plan.decisions.push_back({element, "search", true, 0, 0, 0});
            const Approximation approximation = plan.approximation(f.model->config());
            const double full = f.val->evaluate(*f.model, &approximation).meanLoss;
            QVERIFY2(std::abs(full - candidate.valLoss) < 1e-5,
                     qPrintable(QString("candidate %1: %2 vs %3").arg(candidate.sequence).arg(full).arg(candidate.valLoss)));
        }
        // The candidates reused what the cache kept (attention outputs for FFN candidates, the
        // activation for FFN groups, probabilities for heads, layer inputs on a move down), and
        // were still equal to full passes above.
        const LayerWork& work = result.work;
        qInfo("the work of %.1f layer passes of %lld; reused %lld attention outputs, %lld attention weights, %lld FFN "
              "activations, %lld layer inputs",
              work.passes, (long long)work.naivePasses, (long long)work.reusedAttentionOutputs,
              (long long)work.reusedAttentionWeights, (long long)work.reusedFfnActivations, (long long)work.restoredLayerInputs);
        auto tried = [&](ElementKind kind) {
            return std::any_of(result.plan.decisions.begin(), result.plan.decisions.end(),
                               [&](const Decision& d) { return d.element.kind == kind && d.element.index > 0; });
        };
        QVERIFY(work.reusedAttentionOutputs > 0);
        QVERIFY(work.restoredLayerInputs > 0);
        QCOMPARE(work.reusedFfnActivations > 0, tried(ElementKind::FfnGroup));
        QCOMPARE(work.reusedAttentionWeights > 0, tried(ElementKind::Head));
        QVERIFY(work.passes < double(work.naivePasses));
        const EvaluationResult masked = f.val->evaluate(*f.model, &result.approximation);
        BertModel sliced = sliceModel(*f.model, result.approximation);
        const EvaluationResult physical = f.val->evaluate(*sliced);
        QCOMPARE(physical.predictedLabels, masked.predictedLabels);
        for (size_t i = 0; i < masked.featureLosses.size(); ++i)
            QVERIFY(std::abs(masked.featureLosses[i] - physical.featureLosses[i]) < 1e-5);
        QCOMPARE(sliced->parameterCount(), parameterCountFor(sliced->config(), sliced->heads()));
        const auto lastAccepted = std::find_if(result.candidates.rbegin(), result.candidates.rend(),
                                               [](const CandidateRecord& c) { return c.accepted; });
        QCOMPARE(sliced->parameterCount(), lastAccepted->parameters);
    }

    void withoutLayerCacheEveryCandidateIsAFullPass()
    {
        Fixture& f = fixture();
        const SearchResult cached = runSearch(*f.model, *f.val, f.header, SearchSettings{}, costsFor(*f.model));
        SearchSettings uncachedSettings;
        uncachedSettings.layerCache = false;
        const SearchResult uncached = runSearch(*f.model, *f.val, f.header, uncachedSettings, costsFor(*f.model));
        QCOMPARE(uncached.plan.decisions.size(), cached.plan.decisions.size());
        for (size_t i = 0; i < cached.plan.decisions.size(); ++i) {
            const Decision &a = cached.plan.decisions[i], &b = uncached.plan.decisions[i];
            QVERIFY(a.element == b.element);
            QCOMPARE(a.applied, b.applied);
            QCOMPARE(a.agreeCount, b.agreeCount);
            // The same operations on the same inputs: the same bits.
            QCOMPARE(a.loss, b.loss);
        }
        QVERIFY(uncached.approximation.layers == cached.approximation.layers);
        QCOMPARE(uncached.work.passes, double(uncached.work.naivePasses));
        QCOMPARE(uncached.work.naivePasses, cached.work.naivePasses);
        QCOMPARE(uncached.work.reusedAttentionOutputs, int64_t{0});
    }

    void aSmallerLayerCacheBudgetKeepsLessWithTheSameResults()
    {
        Fixture& f = fixture();
        const SearchResult full = runSearch(*f.model, *f.val, f.header, SearchSettings{}, costsFor(*f.model));
        SearchSettings lean;
        lean.layerCacheMemory = 0;
        const SearchResult leanResult = runSearch(*f.model, *f.val, f.header, lean, costsFor(*f.model));
        QCOMPARE(leanResult.plan.decisions.size(), full.plan.decisions.size());
        for (size_t i = 0; i < full.plan.decisions.size(); ++i) QCOMPARE(leanResult.plan.decisions[i].loss, full.plan.decisions[i].loss);
        // Nothing beyond the current layer's input and attention output: those two still save work.
        QCOMPARE(leanResult.work.reusedAttentionWeights, int64_t{0});
        QCOMPARE(leanResult.work.reusedFfnActivations, int64_t{0});
        QCOMPARE(leanResult.work.restoredLayerInputs, int64_t{0});
        QCOMPARE(leanResult.work.reusedLayerOutputs, int64_t{0});
        QVERIFY(leanResult.work.reusedAttentionOutputs > 0);
        QVERIFY(full.work.passes < leanResult.work.passes);
        QVERIFY(leanResult.work.passes < double(leanResult.work.naivePasses));
    }

    // Hard attention is tried bottom-up. The move up after a candidate runs no layer: it starts from
    // the input the baseline's pass kept when the candidate was rejected, and from the candidate's
    // own output when it was accepted. The losses are still those of full passes.
    void movingUpAfterACandidateRunsNoLayer()
    {
        Fixture& f = fixture();
        const Approximation none = Approximation::none(int(f.model->layerCount()));
        auto hardenedUpTo = [&](int last) {
            Approximation hardened = none;
            for (int l = 0; l <= last; ++l) hardened.layers[size_t(l)].hardAttentionTopK = 4;
            return hardened;
        };
        LayerCache cache(*f.model, *f.val, kDefaultLayerCacheMemory);
        cache.moveTo(0, none, nullptr);
        cache.evaluate(none, nullptr, nullptr);  // the baseline, through every layer
        cache.evaluate(hardenedUpTo(0), nullptr, nullptr);

        double passes = cache.work().passes;
        cache.moveTo(1, none, nullptr);  // layer 0's candidate rejected
        QCOMPARE(cache.work().passes, passes);
        QCOMPARE(cache.work().restoredLayerInputs, int64_t(f.val->ownedBatchCount()));
        Approximation candidate = none;
        candidate.layers[1].hardAttentionTopK = 4;
        QCOMPARE(cache.evaluate(candidate, nullptr, nullptr).meanLoss, f.val->evaluate(*f.model, &candidate).meanLoss);

        passes = cache.work().passes;
        cache.moveTo(2, candidate, nullptr);  // layer 1's accepted
        QCOMPARE(cache.work().passes, passes);
        QCOMPARE(cache.work().reusedLayerOutputs, int64_t(f.val->ownedBatchCount()));
        candidate.layers[2].hardAttentionTopK = 4;
        QCOMPARE(cache.evaluate(candidate, nullptr, nullptr).meanLoss, f.val->evaluate(*f.model, &candidate).meanLoss);

        // Without memory for them, the same moves run the layers again.
        LayerCache lean(*f.model, *f.val, 0);
        lean.moveTo(0, none, nullptr);
        lean.evaluate(none, nullptr, nullptr);
        lean.evaluate(hardenedUpTo(0), nullptr, nullptr);
        passes = lean.work().passes;
        lean.moveTo(1, none, nullptr);
        QCOMPARE(lean.work().passes, passes + double(f.val->ownedBatchCount()));
        QCOMPARE(lean.work().restoredLayerInputs + lean.work().reusedLayerOutputs, int64_t{0});
    }

    void resumesAfterCancelWithTheSamePlan()
    {
        Fixture& f = fixture();
        const fs::path folder = ax::test::scratchFolder("journal");
        const nlohmann::json identity = searchIdentity(f.header, SearchSettings{});
        SearchJournal uninterruptedJournal(folder / "a.jsonl", identity);
        const SearchResult uninterrupted =
            runSearch(*f.model, *f.val, f.header, SearchSettings{}, costsFor(*f.model), &uninterruptedJournal);

        CancelToken token;
        CancelAfterCandidates observer(token, 6);
        {
            SearchJournal journal(folder / "b.jsonl", identity);
            try {
                runSearch(*f.model, *f.val, f.header, SearchSettings{}, costsFor(*f.model), &journal, &observer, &token);
                QFAIL("the search should have been cancelled");
            } catch (const Cancelled&) {
            }
            QVERIFY(journal.size() >= 5 && journal.size() < uninterrupted.plan.decisions.size());
        }
        const size_t journalled = SearchJournal(folder / "b.jsonl", identity).size();
        SearchJournal reopened(folder / "b.jsonl", identity);
        const SearchResult resumed = runSearch(*f.model, *f.val, f.header, SearchSettings{}, costsFor(*f.model), &reopened);
        compareDecisions(resumed.plan.decisions, uninterrupted.plan.decisions);
        // The report counts what this run evaluated, not what it replayed.
        QCOMPARE(uninterrupted.replayedCandidates, size_t(0));
        QCOMPARE(resumed.replayedCandidates, journalled);
        QVERIFY(resumed.work.naivePasses < uninterrupted.work.naivePasses);
        QVERIFY(searchReportMarkdown(resumed).find("(" + std::to_string(journalled) + " of them from the journal of an earlier run)") !=
                std::string::npos);
        // Another search's journal is refused.
        SearchSettings other;
        other.topK = 5;
        try {
            SearchJournal wrong(folder / "b.jsonl", searchIdentity(f.header, other));
            QFAIL("a journal of another search must be refused");
        } catch (const Error& error) {
            QVERIFY(QString(error.what()).contains("another search"));
        }
    }

    void respectsUserOverrides()
    {
        Fixture& f = fixture();
        const SearchResult free = runSearch(*f.model, *f.val, f.header, SearchSettings{}, costsFor(*f.model));
        SearchSettings settings;
        const Element hard0{ElementKind::HardAttention, 0, -1};
        const Element ffn2{ElementKind::FfnBlock, 2, -1};
        bool hardApplied = free.plan.decisions[0].applied;
        settings.overrides[hard0] = !hardApplied;
        settings.overrides[ffn2] = true;
        const SearchResult forced = runSearch(*f.model, *f.val, f.header, settings, costsFor(*f.model));
        QCOMPARE(forced.plan.decisions[0].applied, !hardApplied);
        QCOMPARE(forced.plan.decisions[0].source, std::string("user"));
        bool sawFfn2 = false;
        for (const Decision& d : forced.plan.decisions) {
            if (!(d.element == ffn2)) continue;
            sawFfn2 = true;
            QVERIFY(d.applied);
            QCOMPARE(d.source, std::string("user"));
        }
        QVERIFY(sawFfn2);
        QVERIFY(forced.approximation.layers[2].removeFfn);
    }

    void planRoundTripsAndRefusesNonsense()
    {
        Fixture& f = fixture();
        SearchResult result = runSearch(*f.model, *f.val, f.header, SearchSettings{}, costsFor(*f.model));
        result.plan.baseline = Measurement{0.5, 0.9, 0.88, 1000, 2000, 1.5};
        const fs::path file = ax::test::scratchFolder("plan") / "plan.json";
        result.plan.save(file);
        const Plan reread = Plan::fromFile(file);
        compareDecisions(reread.decisions, result.plan.decisions);
        QCOMPARE(*reread.baseline->devMetric, 0.88);
        QVERIFY(!reread.approximated);
        const Approximation approximation = reread.approximation(f.model->config());
        for (size_t l = 0; l < approximation.layers.size(); ++l) QVERIFY(approximation.layers[l] == result.approximation.layers[l]);

        const nlohmann::json good = result.plan.toJson();
        const std::vector<std::pair<std::function<void(nlohmann::json&)>, QString>> cases = {
            {[](nlohmann::json& j) { j["version"] = 7; }, "version 7"},
            {[](nlohmann::json& j) { j.erase("format"); }, "not an AxFormer plan"},
            {[](nlohmann::json& j) { j["decisions"][0]["kind"] = "neuron"; }, "unknown decision kind"},
            {[](nlohmann::json& j) { j["decisions"][0]["state"] = "maybe"; }, "state must be"},
            {[](nlohmann::json& j) { j["decisions"] = {{{"kind", "head"}, {"layer", 1}, {"state", "applied"}}}; }, "needs an index"},
            {[](nlohmann::json& j) { j["top_k"] = 0; }, "top_k"},
            // A format or version of the wrong type escaped as json::type_error, naming no file.
            {[](nlohmann::json& j) { j["format"] = 5; }, "not an AxFormer plan"},
            {[](nlohmann::json& j) { j["version"] = "1"; }, "\"version\" must be an integer"},
            // get<int>() truncated 2^32 + 1 to 1: a corrupt index became a valid-looking one.
            {[](nlohmann::json& j) {
                 j["decisions"] = {{{"kind", "head"}, {"layer", 1}, {"index", 4294967297LL}, {"state", "applied"}}};
             },
             "\"index\" is out of range"},
            {[](nlohmann::json& j) { j["decisions"][0]["layer"] = -4294967296LL; }, "\"layer\" is out of range"},
            {[](nlohmann::json& j) { j["top_k"] = 8.5; }, "\"top_k\" must be an integer"},
        };
        for (const auto& [edit, expected] : cases) {
            nlohmann::json broken = good;
            edit(broken);
            try {
                Plan::fromJson(broken, "edited.json");
                QFAIL(qPrintable("accepted a plan that should fail with: " + expected));
            } catch (const Error& error) {
                QVERIFY2(QString(error.what()).contains(expected) && QString(error.what()).contains("edited.json"), error.what());
            }
        }
        // Indices the model does not have.
        nlohmann::json impossible = good;
        impossible["decisions"] = {{{"kind", "head"}, {"layer", 1}, {"index", 9}, {"state", "applied"}}};
        try {
            Plan::fromJson(impossible, "edited.json").approximation(f.model->config(), "edited.json");
            QFAIL("head 9 of a 4-head layer must be refused");
        } catch (const Error& error) {
            QVERIFY2(QString(error.what()).contains("4 heads"), error.what());
        }
        impossible["decisions"] = {{{"kind", "ffn_block"}, {"layer", 5}, {"index", -1}, {"state", "applied"}}};
        try {
            Plan::fromJson(impossible, "edited.json").approximation(f.model->config(), "edited.json");
            QFAIL("layer 5 of a 3-layer model must be refused");
        } catch (const Error& error) {
            QVERIFY2(QString(error.what()).contains("3 layers"), error.what());
        }
        impossible["ffn_groups"] = 4;
        impossible["decisions"] = {{{"kind", "ffn_group"}, {"layer", 0}, {"index", 4}, {"state", "applied"}}};
        ax::test::expectErrorMentioning([&] { Plan::fromJson(impossible, "edited.json").approximation(f.model->config(), "edited.json"); },
                                        "edited.json: layer 0 FFN group 4: the plan has 4 FFN groups per layer");
        impossible["ffn_groups"] = 1000;
        impossible["decisions"][0]["index"] = 0;
        ax::test::expectErrorMentioning([&] { Plan::fromJson(impossible, "edited.json").approximation(f.model->config(), "edited.json"); },
                                        "edited.json: ffn_groups 1000 cannot split layer 0's 64 FFN neurons");
    }

    // A plan names heads and groups by position: applied to other weights it would prune the wrong
    // ones, so the core refuses it (the CLI's apply and the studio's export both ask), and the CLI
    // names the plan file and its way out.
    void planForAnotherModelIsRefused()
    {
        Fixture& f = fixture();
        const fs::path model = fixtureModelFolder("other-model");
        const fs::path scratch = model.parent_path();
        Plan plan = f.header;
        plan.ffnGroups = 4;
        plan.decisions.push_back(Decision{Element{ElementKind::Head, 1, 2}, "user", true});
        plan.modelHash = weightsHash(model);
        requirePlanForModel(plan, model, "plan.json");  // its own model
        plan.modelHash = "0123456789abcdef";
        ax::test::expectErrorMentioning([&] { requirePlanForModel(plan, model, "other/plan.json"); },
                                        "other/plan.json: the plan was made for another model (weights hash 0123456789abcdef");
        plan.modelHash.clear();
        requirePlanForModel(plan, model, "plan.json");  // written by hand: nothing to compare

        plan.modelHash = "0123456789abcdef";
        const fs::path planFile = scratch / "plan.json";
        plan.save(planFile);
        const auto path = [](const fs::path& p) { return QString::fromStdString(p.string()); };
        const ax::test::CliRun refused = ax::test::runCli({"apply", "--model", path(model), "--plan", path(planFile), "--out", path(scratch / "small")});
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.err.contains(path(planFile) + ": the plan was made for another model") && refused.err.contains("--ignore-hash"),
                 qPrintable(refused.err));
        QVERIFY(!fs::exists(scratch / "small"));
        const ax::test::CliRun forced = ax::test::runCli({"apply", "--model", path(model), "--plan", path(planFile), "--out",
                                                          path(scratch / "small"), "--ignore-hash", "--quiet"});
        QVERIFY2(forced.exitCode == 0, qPrintable(forced.err));
    }

    // A maximum sequence length beyond the model's positions failed only at the first batch that
    // long (mid-training for finetune), naming neither config.json nor --max-seq-len.
    void sequenceLengthBeyondPositionsIsRefusedUpFront()
    {
        Fixture& f = fixture();
        const fs::path model = fixtureModelFolder("positions");
        const QString positions = QString::number(f.model->config().maxPositions);
        const ax::test::CliRun run = ax::test::runCli({"eval", "--model", QString::fromStdString(model.string()), "--task", "sst2",
                                                       "--data", QString::fromStdString(f.data.string()), "--max-seq-len",
                                                       QString::number(f.model->config().maxPositions + 1), "--quiet"});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(QString::fromStdString((model / "config.json").string()) + ": max_position_embeddings is " + positions) &&
                     run.err.contains("--max-seq-len"),
                 qPrintable(run.err));
    }

    // `--int8` and `--bf16`: the baseline and the final configuration, quantized or converted, join
    // pareto.json as points of their variant (val metric near their float twins, latency measured)
    // and report.md's table.
    void precisionConfigurationsJoinTheFront_data()
    {
        QTest::addColumn<QString>("variant");
        QTest::addColumn<QString>("title");
        QTest::newRow("int8") << "int8" << "## Int8";
        QTest::newRow("bf16") << "bf16" << "## Bf16";
    }

    void precisionConfigurationsJoinTheFront()
    {
        QFETCH(QString, variant);
        QFETCH(QString, title);
        SearchJob job = jobOnTheFixture(variant);
        job.settings.topK = 4;
        job.latencyRuns = 2;
        job.candidateLatencyRuns = 1;
        job.int8 = variant == "int8";
        job.bf16 = variant == "bf16";
        const SearchJobResult outcome = runSearchJob(job);
        const std::optional<SearchResult>& made = job.int8 ? outcome.int8 : outcome.bf16;
        QVERIFY(made.has_value());
        QCOMPARE(outcome.optionPoints().size(), size_t(1));
        const std::vector<CandidateRecord>& points = made->candidates;
        const bool anyApplied = std::any_of(outcome.search.plan.decisions.begin(), outcome.search.plan.decisions.end(),
                                            [](const Decision& d) { return d.applied; });
        QCOMPARE(points.size(), size_t(anyApplied ? 2 : 1));
        QVERIFY(points.front().applied.empty());
        const CandidateRecord& floatBaseline = outcome.search.candidates.front();
        qInfo("baseline val metric: float %.4f, %s %.4f (loss %.5f against %.5f)", floatBaseline.valMetric, qPrintable(variant),
              points.front().valMetric, points.front().valLoss, floatBaseline.valLoss);
        QVERIFY(std::abs(points.front().valMetric - floatBaseline.valMetric) < 0.05);
        QVERIFY(points.front().valLoss != floatBaseline.valLoss);  // really another precision
        QVERIFY(std::abs(points.front().valLoss - floatBaseline.valLoss) < 0.05 * floatBaseline.valLoss + 0.01);
        QCOMPARE(points.front().parameters, floatBaseline.parameters);
        for (const CandidateRecord& point : points) QVERIFY(point.latencyMs.has_value() && *point.latencyMs > 0);

        const nlohmann::json pareto = nlohmann::json::parse(readWholeFile(job.out / "pareto.json"));
        size_t variantPoints = 0;
        for (const nlohmann::json& point : pareto["points"]) variantPoints += point.value("variant", "") == variant.toStdString() ? 1 : 0;
        QCOMPARE(variantPoints, points.size());
        const std::string report = readWholeFile(job.out / "report.md");
        QVERIFY(report.find(title.toStdString()) != std::string::npos &&
                report.find("| baseline + " + variant.toStdString() + " | 0 |") != std::string::npos);
    }

    // A model exported in bfloat16 (apply --quantize bf16) is searched as it runs: its baseline is
    // the float32 search's bf16 baseline point. It refuses --int8 and --bf16 points, which are
    // made from a float32 model, before any work.
    void searchRunsOnABf16Model()
    {
        SearchJob floatJob = jobOnTheFixture("bf16-source");
        floatJob.settings.topK = 4;
        floatJob.bf16 = true;
        const SearchJobResult floatOutcome = runSearchJob(floatJob);
        const double bf16Point = floatOutcome.bf16->candidates.front().valLoss;

        SearchJob job = jobOnTheFixture("bf16-model");
        {
            LoadedModel loaded = loadModelFolder(job.model);
            loaded.model->convertToBf16();
            saveModelFolder(*loaded.model, job.model, job.model);
        }
        job.settings.topK = 4;
        const SearchJobResult outcome = runSearchJob(job);
        const double baseline = outcome.search.candidates.front().valLoss;
        qInfo("val loss: float32 baseline %.6f, its bf16 point %.6f, baseline of the bf16 model's search %.6f",
              floatOutcome.search.candidates.front().valLoss, bf16Point, baseline);
        QVERIFY(std::abs(baseline - bf16Point) <= 1e-5 * bf16Point);
        QVERIFY(baseline != floatOutcome.search.candidates.front().valLoss);
        QVERIFY(outcome.search.candidates.size() > 1);  // the candidates ran in bfloat16 too

        job.out = job.model.parent_path() / "run-with-points";
        job.int8 = true;
        ax::test::expectErrorMentioning([&] { runSearchJob(job); },
                                        "already runs in bfloat16; int8 and bf16 points are made from a float32 model");
        QVERIFY(!fs::exists(job.out / "journal.jsonl"));
    }

    // `--distill`: the final configuration, sliced and fine-tuned again with the model as teacher,
    // joins pareto.json as a point of variant "distilled" (the same configuration, other weights)
    // and report.md's table; the distillation options without --distill are a usage error.
    void distilledConfigurationsJoinTheFront()
    {
        SearchJob job = jobOnTheFixture("distilled");
        job.settings.topK = 4;
        job.latencyRuns = 2;
        job.candidateLatencyRuns = 1;
        FineTuneSettings distill;
        distill.epochs = 1;
        distill.batchSize = 16;
        distill.optimizer.learningRate = 1e-3;
        job.distill = distill;
        const SearchJobResult outcome = runSearchJob(job);
        const CandidateRecord& final = lastAccepted(outcome.search);
        QVERIFY2(!final.applied.empty(), "the fixture's search must change something for a distilled point to exist");
        QVERIFY(outcome.distilled.has_value());
        const std::vector<CandidateRecord>& points = outcome.distilled->candidates;
        QCOMPARE(points.size(), size_t(1));
        QVERIFY(points.front().applied == final.applied);
        QCOMPARE(points.front().parameters, final.parameters);
        qInfo("final configuration val loss %.4f, distilled %.4f", final.valLoss, points.front().valLoss);
        QVERIFY(points.front().valLoss != final.valLoss);  // really trained
        QVERIFY(std::isfinite(points.front().valMetric));
        QVERIFY(points.front().latencyMs.has_value() && *points.front().latencyMs > 0);

        const nlohmann::json pareto = nlohmann::json::parse(readWholeFile(job.out / "pareto.json"));
        size_t distilledPoints = 0;
        for (const nlohmann::json& point : pareto["points"]) distilledPoints += point.value("variant", "") == "distilled" ? 1 : 0;
        QCOMPARE(distilledPoints, size_t(1));
        const std::string report = readWholeFile(job.out / "report.md");
        QVERIFY(report.find("## Distilled") != std::string::npos && report.find(" + distillation | ") != std::string::npos);

        const ax::test::CliRun usage = ax::test::runCli({"search", "--model", "m", "--task", "sst2", "--data", "d", "--out", "o",
                                                         "--temperature", "3"});
        QCOMPARE(usage.exitCode, 2);
        QVERIFY2(usage.err.contains("--temperature sets the distilled points: give --distill EPOCHS too"), qPrintable(usage.err));
    }

    // `--task custom` on the fixture's data written as JSONL under other names: the same plan and
    // dev metrics as the built-in task on the GLUE-layout TSV, the task's settings in plan.json,
    // and a resume under another column mapping refused.
    void customTaskSearchMatchesTheBuiltInTask()
    {
        Fixture& f = fixture();
        const fs::path model = fixtureModelFolder("custom-task");
        const fs::path scratch = model.parent_path();
        const fs::path data = scratch / "data";
        fs::create_directories(data);
        for (const char* split : {"train", "dev"}) {
            std::ifstream tsv(f.data / (std::string(split) + ".tsv"));
            std::ofstream jsonl(data / (std::string(split) + ".jsonl"));
            std::string line;
            std::getline(tsv, line);  // sentence<TAB>label
            while (std::getline(tsv, line)) {
                const size_t tab = line.find('\t');
                jsonl << nlohmann::json{{"words", line.substr(0, tab)}, {"gold", std::stoi(line.substr(tab + 1))}}.dump() << "\n";
            }
        }
        const auto path = [](const fs::path& p) { return QString::fromStdString(p.string()); };
        const QStringList common = {"--model", path(model), "--max-seq-len", "16", "--quiet", "--json"};
        const QStringList searchSettings = {"--top-k", "4", "--latency-runs", "1", "--candidate-latency-runs", "0"};
        const QStringList builtIn = {"--task", "sst2", "--data", path(f.data)};
        const QStringList custom = {"--task", "custom", "--data", path(data), "--text-column", "words", "--label-column", "gold"};
        const ax::test::CliRun glue = ax::test::runCli(QStringList{"search"} + common + searchSettings + builtIn + QStringList{"--out", path(scratch / "glue")});
        QVERIFY2(glue.exitCode == 0, qPrintable(glue.err));
        const ax::test::CliRun mine = ax::test::runCli(QStringList{"search"} + common + searchSettings + custom + QStringList{"--out", path(scratch / "mine")});
        QVERIFY2(mine.exitCode == 0, qPrintable(mine.err));

        const Plan a = Plan::fromFile(scratch / "glue" / "plan.json");
        const Plan b = Plan::fromFile(scratch / "mine" / "plan.json");
        compareDecisions(a.decisions, b.decisions);
        QVERIFY(a.decisions.size() > 3);
        QCOMPARE(b.task, std::string("custom"));
        QVERIFY(a.taskSettings.is_null());
        QCOMPARE(b.taskSettings["columns"]["text"], nlohmann::json("words"));
        QCOMPARE(b.taskSettings["labels"], nlohmann::json({"0", "1"}));
        QCOMPARE(a.approximated->devMetric, b.approximated->devMetric);
        const std::string report = readWholeFile(scratch / "mine" / "report.md");
        QVERIFY(report.find("- task: custom `{\"columns\"") != std::string::npos);

        const ax::test::CliRun evalGlue = ax::test::runCli(QStringList{"eval"} + common + builtIn);
        const ax::test::CliRun evalMine = ax::test::runCli(QStringList{"eval"} + common + custom);
        QVERIFY2(evalGlue.exitCode == 0 && evalMine.exitCode == 0, qPrintable(evalGlue.err + evalMine.err));
        QCOMPARE(nlohmann::json::parse(evalMine.out.toStdString())["loss"], nlohmann::json::parse(evalGlue.out.toStdString())["loss"]);

        // The journal records the task's settings: the run resumed with another metric is refused.
        const ax::test::CliRun resumed = ax::test::runCli(QStringList{"search"} + common + searchSettings + custom +
                                                          QStringList{"--metric", "mcc", "--resume", path(scratch / "mine")});
        QCOMPARE(resumed.exitCode, 1);
        QVERIFY2(resumed.err.contains("this journal belongs to another search"), qPrintable(resumed.err));
        // Labels in another order than the model was fine-tuned with would grade every prediction wrong.
        const ax::test::CliRun reordered = ax::test::runCli(QStringList{"eval"} + common + custom + QStringList{"--labels", "1,0"});
        QCOMPARE(reordered.exitCode, 1);
        QVERIFY2(reordered.err.contains("the model's labels are (0, 1) in its config.json, the task's are (1, 0)"), qPrintable(reordered.err));
        // A custom task's option with a built-in task is a usage error.
        const ax::test::CliRun misused = ax::test::runCli(QStringList{"eval"} + common + builtIn + QStringList{"--text-column", "words"});
        QCOMPARE(misused.exitCode, 2);
        QVERIFY2(misused.err.contains("--text-column describes a custom task: use it with --task custom"), qPrintable(misused.err));
    }

    // k at least as long as every val sequence makes hard attention a no-op that the report would
    // call "rejected"; the job refuses it before any work.
    void topKThatKeepsEveryTokenIsRefused()
    {
        Fixture& f = fixture();
        SearchJob job = jobOnTheFixture("top-k");
        job.settings.topK = 30;  // the default; the synthetic sentences are shorter
        ax::test::expectErrorMentioning([&] { runSearchJob(job); }, "--top-k 30 keeps every token: the longest val sequence of " +
                                                                        QString::fromStdString(f.data.string()) + " has ");
        QVERIFY(!fs::exists(job.out / "plan.json"));
    }

    // `--variants`: further searches in one run. Their points join pareto.json's front (computed
    // over all of them), the plan stays the main search's, and a run stopped inside a variant
    // resumes to the same outputs.
    void variantsJoinTheFrontAndResume()
    {
        SearchJob job = jobOnTheFixture("variants");
        const fs::path scratch = job.out.parent_path();
        job.settings.topK = 4;
        job.latencyRuns = 2;
        job.candidateLatencyRuns = 1;
        SearchSettings tolerant = job.settings;
        tolerant.tolerance = 0.5;
        SearchSettings pruningOnly = job.settings;
        pruningOnly.hardAttention = false;
        pruningOnly.heads = false;
        job.variants = {{"tolerance=0.5", tolerant}, {"no-hard-attention,no-heads", pruningOnly}};
        job.out = scratch / "whole";
        const SearchJobResult whole = runSearchJob(job);

        QCOMPARE(whole.variants.size(), size_t(2));
        for (const Decision& decision : whole.variants[1].plan.decisions)
            QVERIFY(decision.element.kind != ElementKind::HardAttention && decision.element.kind != ElementKind::Head);
        const auto readJson = [](const fs::path& file) { return nlohmann::json::parse(std::ifstream(file)); };
        const nlohmann::json pareto = readJson(job.out / "pareto.json");
        const size_t mainCount = whole.search.candidates.size();
        QCOMPARE(pareto["points"].size(), mainCount + whole.variants[0].candidates.size() + whole.variants[1].candidates.size());
        QVERIFY(!pareto["points"][0].contains("variant"));
        QCOMPARE(pareto["points"][mainCount]["variant"].get<std::string>(), std::string("tolerance=0.5"));
        QCOMPARE(pareto["points"].back()["variant"].get<std::string>(), std::string("no-hard-attention,no-heads"));
        std::vector<ParetoPoint> points;
        for (const auto& point : pareto["points"])
            points.push_back({point["val_metric"].get<double>(), point["params"].get<int64_t>(), point["latency_ms"].get<double>()});
        const std::vector<bool> front = paretoFront(points);
        for (size_t i = 0; i < points.size(); ++i) QCOMPARE(pareto["points"][i]["on_front"].get<bool>(), bool(front[i]));
        // The plan is the main search's, which the variants do not change.
        compareDecisions(Plan::fromFile(job.out / "plan.json").decisions, whole.search.plan.decisions);
        const Plan variantPlan = Plan::fromFile(job.out / "plan-variant-1.json");
        compareDecisions(variantPlan.decisions, whole.variants[0].plan.decisions);
        QCOMPARE(variantPlan.tolerance, 0.5);
        std::ifstream reportFile(job.out / "report.md");
        const QString report = QString::fromStdString(std::string(std::istreambuf_iterator<char>(reportFile), {}));
        QVERIFY(report.contains("## Variants") && report.contains("| tolerance=0.5 |") && report.contains("| no-hard-attention,no-heads |"));

        // Stopped in the middle of the first variant, then resumed: the same configurations.
        class CancelAfterTotal : public SearchObserver {
        public:
            CancelAfterTotal(CancelToken& token, size_t count) : m_token(token), m_count(count) {}
            void onCandidate(const CandidateRecord&) override
            {
                if (++m_seen >= m_count) m_token.cancel();
            }

        private:
            CancelToken& m_token;
            size_t m_count, m_seen = 0;
        };
        CancelToken token;
        CancelAfterTotal observer(token, mainCount + 3);
        job.out = scratch / "stopped";
        try {
            runSearchJob(job, &observer, &token);
            QFAIL("the run should have been cancelled");
        } catch (const Cancelled&) {
        }
        QVERIFY(fs::exists(job.out / "journal-variant-1.jsonl"));
        QVERIFY(!fs::exists(job.out / "pareto.json"));
        job.resume = true;
        const SearchJobResult resumed = runSearchJob(job);
        for (size_t v = 0; v < 2; ++v) {
            QCOMPARE(resumed.variants[v].candidates.size(), whole.variants[v].candidates.size());
            compareDecisions(resumed.variants[v].plan.decisions, whole.variants[v].plan.decisions);
        }
    }

    void badVariantsAreUsageErrors()
    {
        for (const auto& [variants, expected] : std::vector<std::pair<QString, QString>>{
                 {"tolerance=abc", "--variants: tolerance takes a number from 0 to 10, got \"abc\""},
                 {"tolerance=0.1;top-k=2.5", "--variants: top-k takes a whole number from 1 to 100000, got \"2.5\""},
                 {"no-heads,shuffle", "--variants: unknown setting \"shuffle\" in \"no-heads,shuffle\""}}) {
            const ax::test::CliRun run = ax::test::runCli(
                {"search", "--model", "m", "--task", "sst2", "--data", "d", "--out", "o", "--variants", variants});
            QCOMPARE(run.exitCode, 2);
            QVERIFY2(run.err.contains(expected), qPrintable(run.err));
        }
    }

    void paretoFrontKeepsTheUndominated()
    {
        const std::vector<ParetoPoint> points = {{0.90, 100, 10}, {0.91, 120, 12}, {0.89, 80, 9}, {0.88, 90, 11}, {0.90, 100, 10}};
        QCOMPARE(paretoFront(points), (std::vector<bool>{true, true, true, false, true}));
    }

    void reportNamesEveryDecision()
    {
        Fixture& f = fixture();
        const SearchResult result = runSearch(*f.model, *f.val, f.header, SearchSettings{}, costsFor(*f.model));
        const QString report = QString::fromStdString(searchReportMarkdown(result));
        QVERIFY(report.contains("layer 0 hard attention"));
        QCOMPARE(report.count("| search |"), int(result.plan.decisions.size()));
        const nlohmann::json pareto = paretoJson(result);
        QCOMPARE(pareto["points"].size(), result.candidates.size());
    }

    void reportSaysWhenTheApproximatedModelIsSlower()
    {
        Fixture& f = fixture();
        SearchResult result = runSearch(*f.model, *f.val, f.header, SearchSettings{}, costsFor(*f.model));
        for (Decision& decision : result.plan.decisions) decision.applied = false;
        Measurement baseline, approximated;
        baseline.latencyMs = 3.0;
        approximated.latencyMs = 2.0;
        result.plan.baseline = baseline;
        result.plan.approximated = approximated;
        QString report = QString::fromStdString(searchReportMarkdown(result));
        QVERIFY(report.contains("| 3.00 | 2.00 | 1.50x faster |"));
        QVERIFY(!report.contains("runs slower"));

        result.plan.approximated->latencyMs = 3.6;
        report = QString::fromStdString(searchReportMarkdown(result));
        QVERIFY(report.contains("| 3.00 | 3.60 | 1.20x slower |"));
        QVERIFY(!report.contains("runs slower"));  // pruning alone: nothing to blame on hard attention

        Decision& hard = result.plan.decisions.front();  // layer 0 hard attention on the baseline
        QCOMPARE(hard.element.kind, ElementKind::HardAttention);
        hard.applied = true;
        report = QString::fromStdString(searchReportMarkdown(result));
        QVERIFY(report.contains("The approximated model runs slower") && report.contains("--no-hard-attention"));
    }

    void toleranceRelaxesBothPartsOfTheTest()
    {
        Fixture& f = fixture();
        SearchSettings settings;
        settings.tolerance = 0.5;
        const SearchResult result = runSearch(*f.model, *f.val, f.header, settings, costsFor(*f.model));
        const Decision& first = result.plan.decisions.front();  // layer 0 hard attention on the baseline
        QCOMPARE(first.element, (Element{ElementKind::HardAttention, 0, -1}));
        const std::vector<double> reference = f.val->evaluate(*f.model).featureLosses;
        Approximation approximation = Approximation::none(f.model->config().numLayers);
        applyElement(approximation, first.element, f.model->config(), settings.topK, 4, "test");
        const std::vector<double> losses = f.val->evaluate(*f.model, &approximation).featureLosses;
        int64_t within = 0, strict = 0;
        for (size_t i = 0; i < losses.size(); ++i) {
            within += losses[i] <= reference[i] * 1.5 ? 1 : 0;
            strict += losses[i] <= reference[i] ? 1 : 0;
        }
        QCOMPARE(first.agreeCount, within);
        QVERIFY(within >= strict);
        const SearchResult exact = runSearch(*f.model, *f.val, f.header, SearchSettings{}, costsFor(*f.model));
        QCOMPARE(exact.plan.decisions.front().agreeCount, strict);
        auto appliedCount = [](const SearchResult& r) {
            return std::count_if(r.plan.decisions.begin(), r.plan.decisions.end(), [](const Decision& d) { return d.applied; });
        };
        QVERIFY(appliedCount(result) >= appliedCount(exact));
    }

    void significanceMatchesSingleRemovals()
    {
        Fixture& f = fixture();
        SignificanceSettings settings;
        settings.topK = 4;
        const Significance s = analyseSignificance(*f.model, *f.val, settings);
        const BertConfig& config = f.model->config();
        QCOMPARE(s.layers, 3);
        QCOMPARE(s.heads, 4);
        QCOMPARE(s.ffnGroups, 4);
        QVERIFY(std::abs(s.baselineLoss - f.val->evaluate(*f.model).meanLoss) < 1e-6);
        auto lossWith = [&](const Element& element) {
            Approximation approximation = Approximation::none(config.numLayers);
            applyElement(approximation, element, config, settings.topK, s.ffnGroups, "test");
            return f.val->evaluate(*f.model, &approximation).meanLoss;
        };
        for (int l = 0; l < s.layers; ++l) {
            QVERIFY(std::abs(s.hardAttentionLoss[size_t(l)] - lossWith({ElementKind::HardAttention, l, -1})) < 1e-5);
            QVERIFY(std::abs(s.attentionBlockLoss[size_t(l)] - lossWith({ElementKind::AttentionBlock, l, -1})) < 1e-5);
            QVERIFY(std::abs(s.ffnBlockLoss[size_t(l)] - lossWith({ElementKind::FfnBlock, l, -1})) < 1e-5);
            double headSquares = 0, groupSquares = 0;
            for (int h = 0; h < s.heads; ++h) {
                const size_t cell = size_t(l * s.heads + h);
                QVERIFY(std::abs(s.headLoss[cell] - lossWith({ElementKind::Head, l, h})) < 1e-5);
                QVERIFY(s.headMetric[cell] >= 0 && s.headMetric[cell] <= 1);
                headSquares += s.headGradient[cell] * s.headGradient[cell];
            }
            for (int g = 0; g < s.ffnGroups; ++g) {
                const size_t cell = size_t(l * s.ffnGroups + g);
                QVERIFY(std::abs(s.ffnGroupLoss[cell] - lossWith({ElementKind::FfnGroup, l, g})) < 1e-5);
                groupSquares += s.ffnGroupGradient[cell] * s.ffnGroupGradient[cell];
            }
            // Gradient importance is normalised per layer, as Michel et al. do.
            QVERIFY(std::abs(headSquares - 1) < 1e-6);
            QVERIFY(std::abs(groupSquares - 1) < 1e-6);
        }
    }

    void significanceOfADeadHeadIsZero()
    {
        // A head whose output projection is zero contributes nothing: removing it changes no loss
        // and its gradient importance is exactly 0.
        Fixture& f = fixture();
        torch::Tensor weight;
        for (const auto& [name, tensor] : f.model->namedWeights())
            if (name == "bert.encoder.layer.1.attention.output.dense.weight") weight = tensor;
        QVERIFY(weight.defined());
        const torch::Tensor saved = weight.detach().clone();
        const int64_t headDim = f.model->config().hiddenSize / f.model->config().numHeads;
        {
            torch::NoGradGuard noGrad;
            weight.narrow(1, 2 * headDim, headDim).zero_();
        }
        const Significance s = analyseSignificance(*f.model, *f.val, SignificanceSettings{});
        {
            torch::NoGradGuard noGrad;
            weight.copy_(saved);
        }
        const size_t cell = size_t(1 * s.heads + 2);
        QVERIFY(std::abs(s.headLoss[cell] - s.baselineLoss) < 1e-6);
        QCOMPARE(s.headGradient[cell], 0.0);
        QVERIFY(s.headGradient[cell - 1] > 0);
    }

    void significanceRoundTripsAndRefusesNonsense()
    {
        Fixture& f = fixture();
        SignificanceSettings settings;
        settings.removal = false;
        const Significance s = analyseSignificance(*f.model, *f.val, settings);
        QVERIFY(std::isnan(s.headLoss[0]));  // not measured
        const fs::path file = ax::test::scratchFolder("significance") / "significance.json";
        s.save(file);
        const Significance back = Significance::fromFile(file);
        QCOMPARE(back.layers, s.layers);
        QVERIFY(std::isnan(back.headLoss[0]));
        QCOMPARE(back.headGradient, s.headGradient);
        Significance hashed = s;
        hashed.modelHash = "0123456789abcdef";
        QCOMPARE(Significance::fromJson(hashed.toJson(), "sig.json").modelHash, hashed.modelHash);
        nlohmann::json broken = s.toJson();
        broken["head"]["gradient"] = nlohmann::json::array({1, 2});
        ax::test::expectErrorMentioning([&] { Significance::fromJson(broken, "sig.json"); }, "sig.json head");
        // Fields of the wrong type escaped as json::type_error, naming no file.
        broken = s.toJson();
        broken["format"] = 5;
        ax::test::expectErrorMentioning([&] { Significance::fromJson(broken, "sig.json"); }, "sig.json: not an AxFormer significance file");
        broken = s.toJson();
        broken["seconds"] = "slow";
        ax::test::expectErrorMentioning([&] { Significance::fromJson(broken, "sig.json"); }, "sig.json: malformed header");
        ax::test::writeFile(file, "{\"format\": \"axformer-significance\", ");
        ax::test::expectErrorMentioning([&] { Significance::fromFile(file); }, "not valid JSON");
    }
};

AX_TEST_MAIN(TestSearch)
#include "test_search.moc"
