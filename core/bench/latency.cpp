#include "bench/latency.h"

#include "common/error.h"
#include "common/freed_memory.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <random>

namespace ax {

namespace {

using Clock = std::chrono::steady_clock;

// Runs of fewer than this many are never cut short by maxSeconds.
constexpr int kMinimumRuns = 5;

// compareLatency's timed forwards per model and turn.
constexpr int kTimedRunsPerTurn = 4;

void validate(const BertModelImpl& model, const LatencySettings& settings)
{
    const BertConfig& config = model.config();
    if (settings.batch < 1) throw Error("latency: batch must be at least 1, got " + std::to_string(settings.batch));
    if (settings.sequenceLength < 1 || settings.sequenceLength > config.maxPositions)
        throw Error("latency: sequence length must be in [1, " + std::to_string(config.maxPositions) +
                    "] (the model's positions), got " + std::to_string(settings.sequenceLength));
    if (settings.runs < 1) throw Error("latency: runs must be at least 1, got " + std::to_string(settings.runs));
    if (settings.warmupRuns < 0)
        throw Error("latency: warm-up runs must not be negative, got " + std::to_string(settings.warmupRuns));
    if (config.vocabSize < 2) throw Error("latency: the model's vocabulary is too small to draw tokens from");
}

ModelInput fixedInput(const BertConfig& config, const LatencySettings& settings)
{
    // Drawn with our own generator so that measuring leaves LibTorch's global RNG alone.
    std::mt19937_64 generator(settings.seed);
    const int64_t low = config.vocabSize > 1000 ? 1000 : 1;  // skip [PAD], [CLS], [unused...] in real vocabularies
    std::uniform_int_distribution<int64_t> token(low, config.vocabSize - 1);
    std::vector<int64_t> ids(static_cast<size_t>(settings.batch) * static_cast<size_t>(settings.sequenceLength));
    for (auto& id : ids) id = token(generator);
    ModelInput input;
    input.inputIds = torch::tensor(ids, torch::kInt64).view({settings.batch, settings.sequenceLength});
    input.tokenTypeIds = torch::zeros_like(input.inputIds);
    input.attentionMask = torch::ones_like(input.inputIds);
    return input;
}

// Puts a module in eval mode and restores its training flag when done.
class EvalModeGuard {
public:
    explicit EvalModeGuard(BertModelImpl& model) : m_model(model), m_wasTraining(model.is_training()) { m_model.eval(); }
    ~EvalModeGuard() { m_model.train(m_wasTraining); }
    EvalModeGuard(const EvalModeGuard&) = delete;
    EvalModeGuard& operator=(const EvalModeGuard&) = delete;

private:
    BertModelImpl& m_model;
    bool m_wasTraining;
};

double timedForward(BertModelImpl& model, const ModelInput& input, const Approximation* approximation)
{
    const auto start = Clock::now();
    const BertOutput output = model.forward(input, approximation);
    const auto end = Clock::now();
    return std::chrono::duration<double, std::milli>(end - start).count();
}

LatencyResult summarise(const LatencySettings& settings, std::vector<double> millis)
{
    LatencyResult result;
    result.batch = settings.batch;
    result.sequenceLength = settings.sequenceLength;
    result.threads = at::get_num_threads();
    result.runs = static_cast<int>(millis.size());
    if (!millis.empty()) {
        result.min = *std::min_element(millis.begin(), millis.end());
        result.max = *std::max_element(millis.begin(), millis.end());
        result.median = medianOf(millis);
    }
    result.millis = std::move(millis);
    return result;
}

bool budgetSpent(const LatencySettings& settings, double measuredMillis, size_t runsDone)
{
    const size_t minimum = static_cast<size_t>(std::min(kMinimumRuns, settings.runs));
    return runsDone >= minimum && measuredMillis >= settings.maxSeconds * 1000.0;
}

}  // namespace

double medianOf(std::vector<double> values)
{
    if (values.empty()) return 0;
    const size_t middle = values.size() / 2;
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(middle), values.end());
    const double upper = values[middle];
    if (values.size() % 2 == 1) return upper;
    const double lower = *std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(middle));
    return (lower + upper) / 2;
}

LatencyResult measureLatency(BertModelImpl& model, const LatencySettings& settings, const Approximation* approximation)
{
    validate(model, settings);
    const EvalModeGuard evalMode(model);
    const torch::InferenceMode inference;
    // As evaluation and the search run the model: tensors above glibc's 32 MB mmap ceiling (BERT-base's
    // FFN activations at batch 32 are 50 MB) would otherwise be unmapped on free and faulted in
    // again every run, which made that forward 1.4x slower (docs/BENCHMARKS.md).
    const KeepFreedMemory keepFreedMemory;
    const ModelInput input = fixedInput(model.config(), settings);

    for (int i = 0; i < settings.warmupRuns; ++i) timedForward(model, input, approximation);
    std::vector<double> millis;
    double measured = 0;
    for (int i = 0; i < settings.runs; ++i) {
        millis.push_back(timedForward(model, input, approximation));
        measured += millis.back();
        if (budgetSpent(settings, measured, millis.size())) break;
    }
    return summarise(settings, std::move(millis));
}

Comparison compareLatency(BertModelImpl& base, BertModelImpl& other, const LatencySettings& settings)
{
    validate(base, settings);
    validate(other, settings);
    const EvalModeGuard baseEval(base), otherEval(other);
    const torch::InferenceMode inference;
    const KeepFreedMemory keepFreedMemory;  // as measureLatency
    const ModelInput baseInput = fixedInput(base.config(), settings);
    const ModelInput otherInput = fixedInput(other.config(), settings);

    for (int i = 0; i < settings.warmupRuns; ++i) {
        timedForward(base, baseInput, nullptr);
        timedForward(other, otherInput, nullptr);
    }
    // The models take turns in short blocks, each opened by an untimed forward: the turns cancel
    // the machine's drift, while every timed forward finds its own weights in the caches, as a
    // model serving requests does. Alternating every forward timed each one just after the other
    // model had evicted them, which cost a sliced BERT-Mini at batch 1 more than the unsliced one
    // (docs/BENCHMARKS.md, "Tokens shared out over the threads").
    std::vector<double> baseMillis, otherMillis;
    double measured = 0;
    while (static_cast<int>(baseMillis.size()) < settings.runs && !budgetSpent(settings, measured, baseMillis.size())) {
        const int block = std::min(kTimedRunsPerTurn, settings.runs - static_cast<int>(baseMillis.size()));
        for (auto [model, input, millis] : {std::tie(base, baseInput, baseMillis), std::tie(other, otherInput, otherMillis)}) {
            timedForward(model, input, nullptr);
            for (int i = 0; i < block; ++i) {
                millis.push_back(timedForward(model, input, nullptr));
                measured += millis.back();
            }
        }
    }
    Comparison comparison;
    comparison.base = summarise(settings, std::move(baseMillis));
    comparison.other = summarise(settings, std::move(otherMillis));
    comparison.speedup = comparison.other.median > 0 ? comparison.base.median / comparison.other.median : 0;
    return comparison;
}

RelativeLatency::RelativeLatency(BertModelImpl& reference, double referenceMs, const LatencySettings& settings)
    : m_reference(reference), m_referenceMs(referenceMs), m_settings(settings)
{
    if (!(referenceMs > 0)) throw Error("a relative latency needs the reference's latency, got " + std::to_string(referenceMs) + " ms");
}

double RelativeLatency::of(BertModelImpl& model) const
{
    const Comparison comparison = compareLatency(m_reference, model, m_settings);
    return m_referenceMs * comparison.other.median / comparison.base.median;
}

}  // namespace ax
