#include "cli/command.h"

#include "bench/latency.h"
#include "common/fast_runtime.h"
#include "model/attention_products.h"
#include "model/dense_products.h"
#include "model/flops.h"
#include "model/model_folder.h"

#include <nlohmann/json.hpp>

#include <sys/resource.h>

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

namespace ax::cli {

namespace {

using Json = nlohmann::ordered_json;

// The batch sizes issue 4 asks for when the user names none.
const std::vector<int> kDefaultBatches = {1, 32};

struct Subject {
    std::string folder;
    LoadedModel loaded;
    int64_t params = 0;
};

Subject load(const std::string& folder)
{
    Subject subject{folder, loadModelFolder(folder), 0};
    subject.params = subject.loaded.model->parameterCount();
    return subject;
}

int64_t flopsOf(const Subject& subject, const LatencyResult& result)
{
    const BertModelImpl& model = *subject.loaded.model;
    return forwardFlops(model.config(), model.heads(), result.batch, result.sequenceLength);
}

// The process's peak resident memory so far, in MiB: the runtime, the model(s) and the largest
// forward's tensors, since freed memory stays in the process while measuring (common/freed_memory.h).
double peakResidentMiB()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux reports KiB
}

// DESIGN.md §3's object for one model at one shape.
Json measurementJson(const Subject& subject, const LatencyResult& result)
{
    return {{"batch", result.batch},
            {"seq_len", result.sequenceLength},
            {"threads", result.threads},
            {"latency_ms_median", result.median},
            {"latency_ms_min", result.min},
            {"latency_ms_max", result.max},
            {"runs", result.runs},
            {"params", subject.params},
            {"bytes_on_disk", subject.loaded.bytesOnDisk},
            {"flops", flopsOf(subject, result)},
            {"blas", loadedBlasCore()},
            {"attention", attentionProductsEngine(subject.loaded.model->parameters().front().scalar_type())},
            {"dense", denseProductsEngine(subject.loaded.model->parameters().front().scalar_type())},
            {"peak_rss_mib", peakResidentMiB()}};
}

double ratio(double numerator, double denominator) { return denominator > 0 ? numerator / denominator : 0; }

Json comparisonJson(const Subject& base, const Subject& other, const Comparison& comparison)
{
    return {{"base", measurementJson(base, comparison.base)},
            {"compare", measurementJson(other, comparison.other)},
            {"speedup", comparison.speedup},
            {"param_ratio", ratio(static_cast<double>(base.params), static_cast<double>(other.params))},
            {"flops_ratio", ratio(static_cast<double>(flopsOf(base, comparison.base)),
                                  static_cast<double>(flopsOf(other, comparison.other)))}};
}

std::string format(const char* pattern, double value)
{
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, pattern, value);
    return buffer;
}

void printModelLine(const char* label, const Subject& subject)
{
    std::cout << label << subject.folder << "\n"
              << "            " << subject.params << " parameters, "
              << format("%.1f", static_cast<double>(subject.loaded.bytesOnDisk) / 1e6) << " MB on disk\n";
}

void printRuntimeLine(int threads)
{
    const std::string core = loadedBlasCore();
    std::cout << "runtime     " << (core.empty() ? std::string("BLAS not OpenBLAS") : "OpenBLAS, " + core + " kernels")
              << ", " << threads << " thread" << (threads == 1 ? "" : "s") << "\n\n";
}

void printPeakLine()
{
    std::printf("peak resident memory of this process: %.0f MiB\n", peakResidentMiB());
}

void printSingle(const Subject& subject, const std::vector<LatencyResult>& results)
{
    printModelLine("model       ", subject);
    printRuntimeLine(results.front().threads);
    std::cout << "batch    seq  runs  median ms     min ms     max ms     GFLOP  GFLOP/s\n";
    for (const LatencyResult& result : results) {
        const double gflop = static_cast<double>(flopsOf(subject, result)) / 1e9;
        std::printf("%5d  %5d  %4d  %9.2f  %9.2f  %9.2f  %8.2f  %7.1f\n", result.batch, result.sequenceLength,
                    result.runs, result.median, result.min, result.max, gflop, ratio(gflop, result.median / 1e3));
    }
    printPeakLine();
    std::fflush(stdout);
}

void printComparison(const Subject& base, const Subject& other, const std::vector<Comparison>& comparisons)
{
    printModelLine("base        ", base);
    printModelLine("compare     ", other);
    printRuntimeLine(comparisons.front().base.threads);
    std::cout << "batch    seq  runs    base ms  compare ms  speedup  flops ratio  param ratio\n";
    const double paramRatio = ratio(static_cast<double>(base.params), static_cast<double>(other.params));
    for (const Comparison& comparison : comparisons) {
        const double flopsRatio = ratio(static_cast<double>(flopsOf(base, comparison.base)),
                                        static_cast<double>(flopsOf(other, comparison.other)));
        std::printf("%5d  %5d  %4d  %9.2f  %10.2f  %6.2fx  %10.2fx  %10.2fx\n", comparison.base.batch,
                    comparison.base.sequenceLength, comparison.base.runs, comparison.base.median,
                    comparison.other.median, comparison.speedup, flopsRatio, paramRatio);
    }
    std::cout << "(medians; ratios are base / compare, so > 1 means the compared model is faster or smaller)\n";
    printPeakLine();
    std::fflush(stdout);
}

int runBench(const Arguments& arguments)
{
    LatencySettings settings;
    settings.sequenceLength = arguments.integer("seq-len", settings.sequenceLength, 1, 1 << 20);
    settings.runs = arguments.integer("runs", settings.runs, 1, 1000000);
    settings.warmupRuns = arguments.integer("warmup", settings.warmupRuns, 0, 1000000);
    const bool oneBatch = arguments.value("batch").has_value();
    const std::vector<int> batches = oneBatch ? std::vector<int>{arguments.integer("batch", 1, 1, 1 << 20)} : kDefaultBatches;
    const bool json = arguments.flag("json");

    Subject base = load(arguments.required("model"));
    // One object per batch size; a single one (DESIGN.md §3's shape) when --batch is given.
    auto output = [&](std::vector<Json> objects) {
        const Json result = oneBatch ? objects.front() : Json{{"results", objects}};
        std::cout << result.dump() << "\n";
    };

    if (const auto compareFolder = arguments.value("compare")) {
        Subject other = load(*compareFolder);
        std::vector<Comparison> comparisons;
        std::vector<Json> objects;
        for (int batch : batches) {
            settings.batch = batch;
            comparisons.push_back(compareLatency(*base.loaded.model, *other.loaded.model, settings));
            objects.push_back(comparisonJson(base, other, comparisons.back()));
        }
        if (json) output(objects);
        else printComparison(base, other, comparisons);
        return 0;
    }

    std::vector<LatencyResult> results;
    std::vector<Json> objects;
    for (int batch : batches) {
        settings.batch = batch;
        results.push_back(measureLatency(*base.loaded.model, settings));
        objects.push_back(measurementJson(base, results.back()));
    }
    if (json) output(objects);
    else printSingle(base, results);
    return 0;
}

}  // namespace

Command benchCommand()
{
    return {"bench", "measure forward latency, parameters, size on disk and FLOPs; compare two models",
            "usage: axformer bench --model DIR [--compare DIR] [--batch N] [--seq-len N] [--runs N]\n"
            "                      [--warmup N] [--threads N] [--json]\n\n"
            "Times the forward pass (encoder, pooler and task heads) on random token ids with a full\n"
            "attention mask: --warmup runs (default 3), then --runs timed runs (default 20; measuring stops\n"
            "early after 30 s once 5 runs are done). Reports the median, min and max in milliseconds, the\n"
            "thread count, parameters, bytes of weights on disk and the matrix-product FLOPs of one pass\n"
            "(2 per multiply-add; embeddings, LayerNorm, softmax and the masked-LM head not counted).\n\n"
            "  --seq-len N   tokens per sequence (default 128)\n"
            "  --batch N     one batch size; without it, batch 1 and batch 32 are both measured\n"
            "  --compare DIR a second model, measured in turns with the first in this one process\n"
            "                (4 timed forwards of each per turn) so that noise hits both alike\n"
            "  --threads N   LibTorch threads (default: $OMP_NUM_THREADS, else every core)\n\n"
            "JSON (--json), with --batch: one object\n"
            "  {\"batch\", \"seq_len\", \"threads\", \"latency_ms_median\", \"latency_ms_min\", \"latency_ms_max\",\n"
            "   \"runs\", \"params\", \"bytes_on_disk\", \"flops\", \"blas\", \"attention\", \"dense\", \"peak_rss_mib\"}\n"
            "(\"blas\": the OpenBLAS kernels in use, \"\" when not OpenBLAS; \"attention\" and \"dense\": what\n"
            "runs attention's batched products and the layers' dense projections, \"oneDNN (<kernel>)\" or\n"
            "\"LibTorch\"; \"peak_rss_mib\": this process's peak resident memory once the measurement is done,\n"
            "the runtime and the model(s) included). With --compare the object is\n"
            "  {\"base\": {...}, \"compare\": {...}, \"speedup\", \"param_ratio\", \"flops_ratio\"}\n"
            "where every ratio is base / compare (speedup = base median / compare median; > 1 means the\n"
            "compared model is faster or smaller). Without --batch: {\"results\": [batch 1 object, batch 32 object]}.\n",
            {"json"}, {"model", "compare", "batch", "seq-len", "runs", "warmup"}, runBench};
}

}  // namespace ax::cli
