#include "train/task_evaluator.h"

#include "common/error.h"
#include "common/freed_memory.h"
#include "model/bert_model.h"
#include "train/batch_tensors.h"

#include <torch/torch.h>

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

EvaluationResult TaskEvaluator::evaluateWith(const BatchForward& forward, const CancelToken* cancel,
                                             ProgressObserver* observer) const
{
    torch::InferenceMode inference;
    const ProgressClock clock;

    EvaluationResult result;
    result.featureLosses.assign(m_features.size(), 0.0);
    std::vector<std::vector<float>> startLogits(m_features.size()), endLogits(m_features.size());
    std::vector<int> predicted(m_examples.size(), -1);
    std::vector<double> scores(m_examples.size(), 0.0);
    double lossSum = 0;
    for (size_t b = 0; b < m_batches.size(); ++b) {
        throwIfCancelled(cancel);
        const Batch& batch = m_batches[b];
        const BatchTensors tensors = toTensors(batch);
        const BertOutput output = forward(b, tensors);
        const torch::Tensor losses = rowLosses(*m_task, output, tensors).to(torch::kFloat64).contiguous();
        const double* lossValues = losses.data_ptr<double>();
        torch::Tensor rowPredictions;  // classification: argmax ids; regression: the score
        if (m_task->kind == TaskKind::Classification) rowPredictions = output.logits.argmax(1).contiguous();
        if (m_task->kind == TaskKind::Regression) rowPredictions = output.logits.select(1, 0).to(torch::kFloat64).contiguous();
        for (int64_t row = 0; row < batch.size; ++row) {
            const size_t feature = batch.features[static_cast<size_t>(row)];
            result.featureLosses[feature] = lossValues[row];
            lossSum += lossValues[row];
            const size_t example = m_features[feature].exampleIndex;
            if (m_task->kind == TaskKind::Classification) {
                predicted[example] = static_cast<int>(rowPredictions.data_ptr<int64_t>()[row]);
            } else if (m_task->kind == TaskKind::Regression) {
                scores[example] = rowPredictions.data_ptr<double>()[row];
            } else {
                const int64_t length = static_cast<int64_t>(m_features[feature].inputIds.size());
                const torch::Tensor start = output.startLogits[row].slice(0, 0, length).contiguous();
                const torch::Tensor end = output.endLogits[row].slice(0, 0, length).contiguous();
                startLogits[feature].assign(start.data_ptr<float>(), start.data_ptr<float>() + length);
                endLogits[feature].assign(end.data_ptr<float>(), end.data_ptr<float>() + length);
            }
        }
        returnFreedMemoryToSystem();  // or the heap grows with the number of batches (freed_memory.h)
        if (observer) observer->onProgress(clock.at("evaluate", static_cast<int64_t>(b + 1), static_cast<int64_t>(m_batches.size())));
    }
    result.meanLoss = lossSum / static_cast<double>(m_features.size());

    if (m_task->kind == TaskKind::Classification) {
        std::vector<int> gold;
        for (const Example& example : m_examples) gold.push_back(example.label);
        result.predictedLabels = predicted;
        result.metrics = classificationMetrics(*m_task, predicted, gold);
    } else if (m_task->kind == TaskKind::Regression) {
        std::vector<double> gold;
        for (const Example& example : m_examples) gold.push_back(example.score);
        result.predictedScores = scores;
        result.metrics = regressionMetrics(scores, gold);
    } else {
        result.answers = squadAnswers(m_questions, m_features, startLogits, endLogits, 20, m_settings.maxAnswerLength);
        result.metrics = squadMetrics(m_questions, result.answers);
    }
    return result;
}

}  // namespace ax
