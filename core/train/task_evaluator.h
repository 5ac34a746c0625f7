// Evaluates a model (optionally under an approximation) on one split of a task: the mean loss,
// every example's loss (the AxFormer acceptance test compares them), predictions and the official
// metrics. Features and batches are prepared once, so a search can evaluate many candidates.
#pragma once

#include "common/progress.h"
#include "data/batching.h"
#include "data/example.h"
#include "data/features.h"
#include "data/squad.h"
#include "data/task.h"
#include "distributed/collective.h"
#include "metrics/metrics.h"
#include "model/approximation.h"
#include "text/bert_tokenizer.h"

#include <functional>
#include <map>

namespace ax {

class BertModelImpl;
struct BertOutput;
struct BatchTensors;

// Computes a batch's model outputs; the search supplies one that starts from cached hidden states.
using BatchForward = std::function<BertOutput(size_t batchIndex, const BatchTensors& batch)>;

struct EvaluationResult {
    double meanLoss = 0;                 // over features (examples, or SQuAD windows)
    std::vector<double> featureLosses;   // one per feature, in feature order
    MetricSet metrics;
    std::vector<int> predictedLabels;    // classification, one per example
    std::vector<double> predictedScores; // regression, one per example
    std::map<std::string, std::string> answers;  // span extraction: question id -> answer
};

struct EvaluationSettings {
    int maxSeqLength = 128;
    int batchSize = 64;
    int docStride = 64;        // SQuAD windows
    int maxQueryLength = 64;
    int maxAnswerLength = 30;
};

class TaskEvaluator {
public:
    // GLUE-style tasks: `examples`; SQuAD: `questions` (examples are ignored).
    TaskEvaluator(const TaskSpec& task, std::vector<Example> examples, std::vector<SquadQuestion> questions,
                  const BertTokenizer& tokenizer, const EvaluationSettings& settings);

    EvaluationResult evaluate(BertModelImpl& model, const Approximation* approximation = nullptr,
                              const CancelToken* cancel = nullptr, ProgressObserver* observer = nullptr) const;

    // The same, with the outputs of each batch computed by `forward` (in inference mode).
    EvaluationResult evaluateWith(const BatchForward& forward, const CancelToken* cancel = nullptr,
                                  ProgressObserver* observer = nullptr) const;

    // Shares the batches among `collective`'s processes (batch b goes to rank b % size): each
    // evaluates its own, and the results are summed so that every process gets the whole,
    // identical to one process's. Every process must then call evaluate() in the same order.
    void shardAcross(Collective* collective) { m_collective = collective; }
    bool ownsBatch(size_t batch) const
    {
        return !m_collective || static_cast<int>(batch % static_cast<size_t>(m_collective->size())) == m_collective->rank();
    }
    size_t ownedBatchCount() const;
    // A hash of what is evaluated (token ids, token types, gold labels and scores), for processes
    // to check that they share the same data (distributed/collective.h).
    uint64_t contentHash() const;

    const TaskSpec& task() const { return *m_task; }
    const std::vector<Batch>& batches() const { return m_batches; }
    const std::vector<Example>& examples() const { return m_examples; }
    const std::vector<Feature>& features() const { return m_features; }
    size_t size() const { return m_task->kind == TaskKind::SpanExtraction ? m_questions.size() : m_examples.size(); }

private:
    const TaskSpec* m_task;
    std::vector<Example> m_examples;
    std::vector<SquadQuestion> m_questions;
    std::vector<Feature> m_features;
    std::vector<Batch> m_batches;
    EvaluationSettings m_settings;
    Collective* m_collective = nullptr;
};

// Encodes examples (or SQuAD questions) into features, as training and evaluation both need.
std::vector<Feature> encodeForTask(const TaskSpec& task, const std::vector<Example>& examples,
                                   const std::vector<SquadQuestion>& questions, const BertTokenizer& tokenizer,
                                   const EvaluationSettings& settings);

}  // namespace ax
