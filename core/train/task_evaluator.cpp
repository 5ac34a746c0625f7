#include "train/task_evaluator.h"

#include "common/error.h"
#include "common/fnv_hash.h"
#include "common/freed_memory.h"
#include "model/bert_model.h"
#include "train/batch_tensors.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

namespace ax {

std::vector<Feature> encodeForTask(const TaskSpec& task, const std::vector<Example>& examples,
                                   const std::vector<SquadQuestion>& questions, const BertTokenizer& tokenizer,
                                   const EvaluationSettings& settings)
{
    if (task.kind == TaskKind::SpanExtraction)
        return encodeSquad(questions, tokenizer, settings.maxSeqLength, settings.docStride, settings.maxQueryLength);
    return encodeExamples(examples, tokenizer, settings.maxSeqLength);
}

TaskEvaluator::TaskEvaluator(const TaskSpec& task, std::vector<Example> examples, std::vector<SquadQuestion> questions,
                             const BertTokenizer& tokenizer, const EvaluationSettings& settings)
    : m_task(&task), m_examples(std::move(examples)), m_questions(std::move(questions)), m_settings(settings)
{
    m_features = encodeForTask(task, m_examples, m_questions, tokenizer, settings);
    if (m_features.empty()) throw Error("nothing to evaluate: the " + task.name + " split is empty");
    m_batches = makeBatches(m_features, settings.batchSize, false, 0, tokenizer.vocab().padId());
}

EvaluationResult TaskEvaluator::evaluate(BertModelImpl& model, const Approximation* approximation,
                                         const CancelToken* cancel, ProgressObserver* observer) const
{
    const bool wasTraining = model.is_training();
    model.eval();
    const EvaluationResult result = evaluateWith(
        [&](size_t, const BatchTensors& tensors) { return model.forward(tensors.input, approximation); }, cancel, observer);
    if (wasTraining) model.train();
    return result;
}

size_t TaskEvaluator::ownedBatchCount() const
{
    size_t owned = 0;
    for (size_t b = 0; b < m_batches.size(); ++b) owned += ownsBatch(b);
    return owned;
}

uint64_t TaskEvaluator::contentHash() const
{
    FnvHash hash;
    for (const Feature& feature : m_features) {
        hash.addInteger(static_cast<int64_t>(feature.inputIds.size()));
        hash.addBytes(feature.inputIds.data(), feature.inputIds.size() * sizeof(int64_t));
        hash.addBytes(feature.tokenTypeIds.data(), feature.tokenTypeIds.size() * sizeof(int64_t));
        hash.addInteger(feature.label);
        hash.addInteger(static_cast<int64_t>(std::llround(double(feature.score) * 1e6)));
        hash.addInteger(feature.startPosition);
        hash.addInteger(feature.endPosition);
    }
    return hash.value();
}

namespace {

// What evaluateWith collects per feature and per example, zero or empty where another process
// evaluated the batch.
struct Collected {
    std::vector<double> featureLosses;
    std::vector<int> predicted;   // classification, -1 = not evaluated here
    std::vector<double> scores;   // regression
    std::vector<std::vector<float>> startLogits, endLogits;  // span extraction, per feature
};

// A bf16 model's outputs in fp32: the losses (which the search compares to the 1e-4) and the
// logits read below are computed in single precision whatever the model's.
BertOutput inFloat32(BertOutput output)
{
    for (torch::Tensor* tensor : {&output.logits, &output.startLogits, &output.endLogits})
        if (tensor->defined() && tensor->scalar_type() != torch::kFloat32) *tensor = tensor->to(torch::kFloat32);
    return output;
}

// Sums every process's share into one vector, so that each holds the whole. Each value was
// computed by exactly one process and is 0 on the others, so the sums are exact.
void combineShards(Collective& collective, TaskKind kind, const std::vector<Feature>& features, Collected& collected)
{
    std::vector<double> packed = collected.featureLosses;
    if (kind == TaskKind::Classification)
        for (const int label : collected.predicted) packed.push_back(label + 1);
    if (kind == TaskKind::Regression) packed.insert(packed.end(), collected.scores.begin(), collected.scores.end());
    if (kind == TaskKind::SpanExtraction) {
        for (size_t f = 0; f < features.size(); ++f) {
            const size_t length = features[f].inputIds.size();
            for (const auto* logits : {&collected.startLogits[f], &collected.endLogits[f]}) {
                if (logits->empty()) packed.insert(packed.end(), length, 0.0);
                else packed.insert(packed.end(), logits->begin(), logits->end());
            }
        }
    }
    collective.sumInPlace(packed);

    auto next = packed.begin();
    std::copy(next, next + static_cast<ptrdiff_t>(features.size()), collected.featureLosses.begin());
    next += static_cast<ptrdiff_t>(features.size());
    if (kind == TaskKind::Classification)
        for (int& label : collected.predicted) label = static_cast<int>(*next++) - 1;
    if (kind == TaskKind::Regression)
        for (double& score : collected.scores) score = *next++;
    if (kind == TaskKind::SpanExtraction) {
        for (size_t f = 0; f < features.size(); ++f) {
            const auto length = static_cast<ptrdiff_t>(features[f].inputIds.size());
            for (auto* logits : {&collected.startLogits[f], &collected.endLogits[f]}) {
                logits->assign(next, next + length);
                next += length;
            }
        }
    }
}

}  // namespace

EvaluationResult TaskEvaluator::evaluateWith(const BatchForward& forward, const CancelToken* cancel,
                                             ProgressObserver* observer) const
{
    torch::InferenceMode inference;
    const KeepFreedMemory keepFreedMemory;  // trimmed beyond a cap (freed_memory.h)
    const ProgressClock clock;

    EvaluationResult result;
    Collected collected;
    collected.featureLosses.assign(m_features.size(), 0.0);
    collected.startLogits.resize(m_features.size());
    collected.endLogits.resize(m_features.size());
    collected.predicted.assign(m_examples.size(), -1);
    collected.scores.assign(m_examples.size(), 0.0);
    const int64_t ownedBatches = static_cast<int64_t>(ownedBatchCount());
    int64_t done = 0;
    for (size_t b = 0; b < m_batches.size(); ++b) {
        if (!ownsBatch(b)) continue;
        throwIfCancelled(cancel);
        const Batch& batch = m_batches[b];
        const BatchTensors tensors = toTensors(batch);
        const BertOutput output = inFloat32(forward(b, tensors));
        const torch::Tensor losses = rowLosses(*m_task, output, tensors).to(torch::kFloat64).contiguous();
        const double* lossValues = losses.data_ptr<double>();
        torch::Tensor rowPredictions;  // classification: argmax ids; regression: the score
        if (m_task->kind == TaskKind::Classification) rowPredictions = output.logits.argmax(1).contiguous();
        if (m_task->kind == TaskKind::Regression) rowPredictions = output.logits.select(1, 0).to(torch::kFloat64).contiguous();
        for (int64_t row = 0; row < batch.size; ++row) {
            const size_t feature = batch.features[static_cast<size_t>(row)];
            collected.featureLosses[feature] = lossValues[row];
            const size_t example = m_features[feature].exampleIndex;
            if (m_task->kind == TaskKind::Classification) {
                collected.predicted[example] = static_cast<int>(rowPredictions.data_ptr<int64_t>()[row]);
            } else if (m_task->kind == TaskKind::Regression) {
                collected.scores[example] = rowPredictions.data_ptr<double>()[row];
            } else {
                const int64_t length = static_cast<int64_t>(m_features[feature].inputIds.size());
                const torch::Tensor start = output.startLogits[row].slice(0, 0, length).contiguous();
                const torch::Tensor end = output.endLogits[row].slice(0, 0, length).contiguous();
                collected.startLogits[feature].assign(start.data_ptr<float>(), start.data_ptr<float>() + length);
                collected.endLogits[feature].assign(end.data_ptr<float>(), end.data_ptr<float>() + length);
            }
        }
        returnFreedMemoryToSystem();  // or the heap may grow with the number of batches (freed_memory.h)
        if (observer) observer->onProgress(clock.at("evaluate", ++done, ownedBatches));
    }
    if (m_collective && m_collective->size() > 1) combineShards(*m_collective, m_task->kind, m_features, collected);

    // Summed in batch order whether or not the batches were shared, so the mean is the same bits.
    double lossSum = 0;
    for (const Batch& batch : m_batches)
        for (const size_t feature : batch.features) lossSum += collected.featureLosses[feature];
    result.featureLosses = std::move(collected.featureLosses);
    result.meanLoss = lossSum / static_cast<double>(m_features.size());

    if (m_task->kind == TaskKind::Classification) {
        std::vector<int> gold;
        for (const Example& example : m_examples) gold.push_back(example.label);
        result.predictedLabels = std::move(collected.predicted);
        result.metrics = classificationMetrics(*m_task, result.predictedLabels, gold);
    } else if (m_task->kind == TaskKind::Regression) {
        std::vector<double> gold;
        for (const Example& example : m_examples) gold.push_back(example.score);
        result.predictedScores = std::move(collected.scores);
        result.metrics = regressionMetrics(result.predictedScores, gold);
    } else {
        result.answers = squadAnswers(m_questions, m_features, collected.startLogits, collected.endLogits, 20, m_settings.maxAnswerLength);
        result.metrics = squadMetrics(m_questions, result.answers);
    }
    return result;
}

}  // namespace ax
