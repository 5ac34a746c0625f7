// Measurement primitives: matrix-product FLOPs counted by hand for a tiny config, for sliced
// models and removed blocks; latency results that are well-formed (never asserting speed: timing
// tests are banned here); side-by-side comparison; and `axformer bench --json`'s exact shape.

#include "bench/latency.h"
#include "model/flops.h"
#include "model/model_folder.h"
#include "model/slicing.h"

#include <torch/torch.h>

#include "test_support.h"

using ax::test::runCli;
using Run = ax::test::CliRun;

#include "common/error.h"

#include <QFileInfo>
#include <QProcess>

#include <nlohmann/json.hpp>

#include <set>

using namespace ax;

namespace {

BertConfig tinyConfig()
{
    // hidden 8, 1 layer, 2 heads of 4, FFN 16
    return BertConfig::standard(50, 8, 1, 2, 16);
}

ModelHeads classifierHeads(int labels)
{
    ModelHeads heads;
    heads.numLabels = labels;
    return heads;
}

BertModel randomModel()
{
    torch::manual_seed(7);
    BertConfig config = BertConfig::standard(120, 32, 4, 4, 48);
    config.maxPositions = 64;
    ModelHeads heads = classifierHeads(3);
    heads.questionAnswering = true;
    BertModel model(config, heads);
    torch::NoGradGuard noGrad;
    for (auto& entry : model->namedWeights()) entry.second.normal_(0.0, 0.3);
    return model;
}

Approximation mixedApproximation()
{
    Approximation approximation = Approximation::none(4);
    approximation.layers[0].headMask = {1, 0, 1, 0};
    approximation.layers[0].ffnGroupRemoved = {false, true, false, true};
    approximation.layers[1].removeAttention = true;
    approximation.layers[1].ffnGroupRemoved = {true, false, false, false};
    approximation.layers[2].headMask = {0, 0, 0, 0};  // every head gone, the (empty) block stays
    approximation.layers[2].removeFfn = true;
    approximation.layers[3].headMask = {0, 1, 1, 1};
    approximation.layers[3].ffnGroupRemoved = {true, true, true, true};
    return approximation;
}

LatencySettings quickSettings()
{
    LatencySettings settings;
    settings.batch = 2;
    settings.sequenceLength = 16;
    settings.warmupRuns = 1;
    settings.runs = 4;
    return settings;
}

void verifySane(const LatencyResult& result, const LatencySettings& settings, int expectedRuns)
{
    QCOMPARE(result.runs, expectedRuns);
    QCOMPARE(static_cast<int>(result.millis.size()), expectedRuns);
    QCOMPARE(result.batch, settings.batch);
    QCOMPARE(result.sequenceLength, settings.sequenceLength);
    QVERIFY(result.threads >= 1);
    for (double ms : result.millis) QVERIFY(ms > 0);
    QVERIFY(result.min > 0);
    QVERIFY(result.min <= result.median);
    QVERIFY(result.median <= result.max);
}

std::set<std::string> keysOf(const nlohmann::json& object)
{
    std::set<std::string> keys;
    for (const auto& item : object.items()) keys.insert(item.key());
    return keys;
}

const std::set<std::string> kMeasurementKeys = {"batch",          "seq_len",        "threads", "latency_ms_median",
                                                "latency_ms_min", "latency_ms_max", "runs",    "params",
                                                "bytes_on_disk",  "flops",          "blas",    "attention",
                                                "dense",          "peak_rss_mib"};

}  // namespace

class TestBench : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void flopsOfATinyConfigByHand()
    {
        // B=2, S=4, H=8, 2 heads of d=4, FFN 16; 2 FLOPs per multiply-add:
        //   Q, K, V     3 * 2*(2*4)*8*8 = 3072
        //   Q·Kᵀ        2*2*2*4*4*4     =  512
        //   P·V         2*2*2*4*4*4     =  512
        //   output      2*(2*4)*8*8     = 1024
        //   FFN in+out  2 * 2*(2*4)*8*16 = 4096
        //   pooler      2*2*8*8         =  256
        //   classifier  2*2*8*2         =   64   -> 9536
        const BertConfig config = tinyConfig();
        QCOMPARE(forwardFlops(config, classifierHeads(2), 2, 4), int64_t{9536});
        QCOMPARE(layerFlops(config, config.layers[0], 2, 4), int64_t{9216});

        ModelHeads withQa = classifierHeads(2);
        withQa.questionAnswering = true;  // + 2*(2*4)*8*2 = 256
        QCOMPARE(forwardFlops(config, withQa, 2, 4), int64_t{9792});
        ModelHeads withMlm = classifierHeads(2);
        withMlm.maskedLm = true;  // not computed by a plain forward, not counted
        QCOMPARE(forwardFlops(config, withMlm, 2, 4), int64_t{9536});

        BertConfig hard = config;
        hard.layers[0].hardAttentionTopK = 2;  // the dense products still run
        QCOMPARE(forwardFlops(hard, classifierHeads(2), 2, 4), int64_t{9536});
    }

    void removingABlockRemovesExactlyItsShare()
    {
        const BertConfig config = tinyConfig();
        const ModelHeads heads = classifierHeads(2);
        const int64_t full = forwardFlops(config, heads, 2, 4);

        BertConfig noAttention = config;
        noAttention.layers[0].hasAttention = false;
        QCOMPARE(full - forwardFlops(noAttention, heads, 2, 4), int64_t{3072 + 512 + 512 + 1024});

        BertConfig noFfn = config;
        noFfn.layers[0].hasFfn = false;
        QCOMPARE(full - forwardFlops(noFfn, heads, 2, 4), int64_t{4096});

        BertConfig oneHead = config;
        oneHead.layers[0].keptHeads = {1};
        QCOMPARE(full - forwardFlops(oneHead, heads, 2, 4), int64_t{(3072 + 512 + 512 + 1024) / 2});

        BertConfig narrowFfn = config;
        narrowFfn.layers[0].intermediateSize = 12;  // a quarter of the neurons gone
        QCOMPARE(full - forwardFlops(narrowFfn, heads, 2, 4), int64_t{4096 / 4});

        BertConfig nothing = config;
        nothing.layers[0].hasAttention = nothing.layers[0].hasFfn = false;
        QCOMPARE(forwardFlops(nothing, heads, 2, 4), int64_t{256 + 64});
    }

    void slicedModelCostsWhatItsShapesSay()
    {
        BertModel model = randomModel();
        const Approximation approximation = mixedApproximation();
        BertModel sliced = sliceModel(*model, approximation);
        const int64_t batch = 2, length = 10;

        // H=32, d=8: an attention block costs 8*B*S*H*h*d + 4*B*h*S*S*d = 47360 per head, an FFN
        // 4*B*S*H*F = 2560 per neuron; pooler 4096 + classifier 384 + QA 2560 = 7040.
        auto expected = [](const std::vector<std::pair<int, int>>& headsAndNeurons) {
            int64_t flops = 7040;
            for (const auto& [heads, neurons] : headsAndNeurons) flops += 47360 * heads + 2560 * neurons;
            return flops;
        };
        const int64_t base = forwardFlops(model->config(), model->heads(), batch, length);
        QCOMPARE(base, expected({{4, 48}, {4, 48}, {4, 48}, {4, 48}}));
        QCOMPARE(base, int64_t{1256320});

        // Sliced: layer 0 two heads and 24 neurons; layer 1 no attention, 36 neurons; layer 2 an
        // attention block with no heads and no FFN; layer 3 three heads and no neurons.
        const int64_t small = forwardFlops(sliced->config(), sliced->heads(), batch, length);
        QCOMPARE(small, expected({{2, 24}, {0, 36}, {0, 0}, {3, 0}}));
        QCOMPARE(small, int64_t{397440});
        QVERIFY(small < base);

        BertConfig predicted = model->config();
        predicted.layers = slicedShapes(model->config(), approximation);
        QCOMPARE(forwardFlops(predicted, model->heads(), batch, length), small);
    }

    void latencyResultIsWellFormed()
    {
        BertModel model = randomModel();
        model->train();
        const LatencySettings settings = quickSettings();
        const LatencyResult result = measureLatency(*model, settings);
        verifySane(result, settings, 4);
        QVERIFY2(model->is_training(), "the training flag is restored");

        Approximation approximation = Approximation::none(4);
        approximation.layers[1].removeFfn = true;
        verifySane(measureLatency(*model, settings, &approximation), settings, 4);
    }

    void timeBudgetStopsEarlyButNotBeforeFiveRuns()
    {
        BertModel model = randomModel();
        LatencySettings settings = quickSettings();
        settings.warmupRuns = 0;
        settings.maxSeconds = 0;  // spent after the first run
        settings.runs = 9;
        QCOMPARE(measureLatency(*model, settings).runs, 5);
        settings.runs = 3;
        QCOMPARE(measureLatency(*model, settings).runs, 3);
    }

    void impossibleSettingsAreErrors()
    {
        BertModel model = randomModel();
        LatencySettings settings = quickSettings();
        settings.sequenceLength = 65;
        try {
            measureLatency(*model, settings);
            QFAIL("a sequence longer than the positions should fail");
        } catch (const Error& error) {
            QVERIFY2(QString(error.what()).contains("64"), error.what());
        }
        settings = quickSettings();
        settings.batch = 0;
        QVERIFY_THROWS_EXCEPTION(Error, measureLatency(*model, settings));
    }

    void medianOfOddAndEvenCounts()
    {
        QCOMPARE(medianOf({3, 1, 2}), 2.0);
        QCOMPARE(medianOf({4, 1, 3, 2}), 2.5);
        QCOMPARE(medianOf({}), 0.0);
    }

    void compareMeasuresBoth()
    {
        BertModel model = randomModel();
        BertModel sliced = sliceModel(*model, mixedApproximation());
        LatencySettings settings = quickSettings();
        settings.runs = 3;
        const Comparison comparison = compareLatency(*model, *sliced, settings);
        verifySane(comparison.base, settings, 3);
        verifySane(comparison.other, settings, 3);
        QCOMPARE(comparison.speedup, comparison.base.median / comparison.other.median);
    }

    // Each model is quoted on the reference's scale, whatever that scale is: the reference timed
    // beside itself comes out near its given figure (here a made-up 1000 ms).
    void relativeLatencyQuotesOnTheReferenceScale()
    {
        BertModel model = randomModel();
        LatencySettings settings = quickSettings();
        settings.runs = 5;
        const RelativeLatency latency(*model, 1000.0, settings);
        const double self = latency.of(*model);
        qInfo("the reference beside itself: %.1f ms on a scale of 1000", self);
        QVERIFY(self > 500 && self < 2000);
        QVERIFY_THROWS_EXCEPTION(Error, RelativeLatency(*model, 0.0, settings));
    }

    void cliPrintsTheDesignJson()
    {
        const QString cli = qEnvironmentVariable("AXFORMER_CLI");
        if (cli.isEmpty() || !QFileInfo(cli).isExecutable()) QSKIP("needs the axformer binary (AXFORMER_CLI)");
        BertModel model = randomModel();
        const auto scratch = ax::test::scratchFolder("bench");
        saveModelFolder(*model, scratch / "base");
        BertModel sliced = sliceModel(*model, mixedApproximation());
        saveModelFolder(*sliced, scratch / "sliced");
        const QString base = QString::fromStdString((scratch / "base").string());
        const QString small = QString::fromStdString((scratch / "sliced").string());
        const QStringList quick = {"--seq-len", "8", "--runs", "2", "--warmup", "0", "--threads", "1", "--json"};

        const Run one = runCli(QStringList{"bench", "--model", base, "--batch", "2"} + quick);
        QVERIFY2(one.exitCode == 0, qPrintable(one.err));
        const auto single = nlohmann::json::parse(one.out.toStdString());
        QCOMPARE(keysOf(single), kMeasurementKeys);
        QCOMPARE(single["batch"].get<int>(), 2);
        QCOMPARE(single["seq_len"].get<int>(), 8);
        QCOMPARE(single["runs"].get<int>(), 2);
        QCOMPARE(single["threads"].get<int>(), 1);
        QCOMPARE(single["params"].get<int64_t>(), model->parameterCount());
        QCOMPARE(single["flops"].get<int64_t>(), forwardFlops(model->config(), model->heads(), 2, 8));
        QVERIFY(single["bytes_on_disk"].get<int64_t>() > 0);
        // LibTorch alone maps well over 10 MiB; a process of this size holds under 4 GiB.
        QVERIFY(single["peak_rss_mib"].get<double>() > 10 && single["peak_rss_mib"].get<double>() < 4096);

        const Run both = runCli(QStringList{"bench", "--model", base, "--compare", small, "--batch", "1"} + quick);
        QVERIFY2(both.exitCode == 0, qPrintable(both.err));
        const auto compared = nlohmann::json::parse(both.out.toStdString());
        QCOMPARE(keysOf(compared), (std::set<std::string>{"base", "compare", "speedup", "param_ratio", "flops_ratio"}));
        QCOMPARE(keysOf(compared["base"]), kMeasurementKeys);
        QCOMPARE(keysOf(compared["compare"]), kMeasurementKeys);
        QCOMPARE(compared["compare"]["params"].get<int64_t>(), sliced->parameterCount());
        QVERIFY(compared["param_ratio"].get<double>() > 1);
        QVERIFY(compared["flops_ratio"].get<double>() > 1);

        const Run defaults = runCli(QStringList{"bench", "--model", base} + quick);
        QVERIFY2(defaults.exitCode == 0, qPrintable(defaults.err));
        const auto results = nlohmann::json::parse(defaults.out.toStdString());
        QCOMPARE(keysOf(results), (std::set<std::string>{"results"}));
        QCOMPARE(results["results"].size(), size_t{2});
        QCOMPARE(results["results"][0]["batch"].get<int>(), 1);
        QCOMPARE(results["results"][1]["batch"].get<int>(), 32);

        QCOMPARE(runCli({"bench", "--model", base, "--batch", "0"}).exitCode, 2);
        QCOMPARE(runCli({"bench", "--model", base, "--batch", "1", "--seq-len", "65", "--runs", "1"}).exitCode, 1);
    }
};

AX_TEST_MAIN(TestBench)
#include "test_bench.moc"
