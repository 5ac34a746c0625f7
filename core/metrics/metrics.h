// The official metrics, computed exactly as the reference implementations define them:
// scikit-learn (accuracy_score, f1_score, matthews_corrcoef), scipy (pearsonr, spearmanr) and the
// official SQuAD v1.1 evaluation script.
#pragma once

#include "data/squad.h"
#include "data/task.h"

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

namespace ax {

// All pairwise metrics throw ax::Error when the two lists differ in length or are empty.

// Fraction of equal entries.
double accuracy(const std::vector<int>& predicted, const std::vector<int>& gold);
// sklearn f1_score(average="binary", pos_label=positive, zero_division=0): 2TP / (2TP + FP + FN),
// 0 when there are no true positives.
double f1Binary(const std::vector<int>& predicted, const std::vector<int>& gold, int positive = 1);
// sklearn matthews_corrcoef, the general multi-class form over the confusion matrix; 0 when it is
// undefined (a constant prediction or gold), as sklearn returns.
double matthewsCorrelation(const std::vector<int>& predicted, const std::vector<int>& gold);
// scipy pearsonr's r. Constant input (every value equal) or fewer than 2 values leave r undefined:
// NaN, as scipy returns, which JSON output writes as null. NaN in the input gives NaN.
double pearson(const std::vector<double>& a, const std::vector<double>& b);
// scipy spearmanr: Pearson's r of the ranks, tied values sharing their average rank. NaN likewise.
double spearman(const std::vector<double>& a, const std::vector<double>& b);

// The official SQuAD v1.1 normalize_answer: Python's str.lower() (full Unicode), drop ASCII
// punctuation (string.punctuation), replace the words a/an/the by a space (regex \b(a|an|the)\b
// with Unicode word characters), then collapse whitespace (str.split(): Unicode whitespace).
std::string normalizeSquadAnswer(const std::string& text);
// 1 when the normalised prediction equals some normalised gold answer, else 0 (not ×100).
double squadExactMatch(const std::string& prediction, const std::vector<std::string>& golds);
// The best token-overlap F1 against any gold answer, in [0, 1]; 0 when nothing overlaps (so also
// when both are empty after normalisation, as the v1.1 script does).
double squadF1(const std::string& prediction, const std::vector<std::string>& golds);

struct MetricSet {
    // Keys: accuracy f1 mcc pearson spearman (fractions in [0, 1]; correlations in [-1, 1], NaN
    // when undefined), exact_match squad_f1 (0-100, as the official script reports them).
    std::map<std::string, double> values;
    // SQuAD: questions without a prediction (scored 0, as the official script does and warns).
    size_t missing = 0;
};

// The task's metrics (TaskSpec::metrics) for class ids; F1's positive class is label id 1.
MetricSet classificationMetrics(const TaskSpec& task, const std::vector<int>& predicted, const std::vector<int>& gold);
// pearson and spearman.
MetricSet regressionMetrics(const std::vector<double>& predicted, const std::vector<double>& gold);
// exact_match and squad_f1 over all questions, ×100. A question without a prediction scores 0 and
// is counted in `missing`; predictions for unknown ids are ignored, as in the official script.
// Throws ax::Error for a question without gold answers.
MetricSet squadMetrics(const std::vector<SquadQuestion>& questions, const std::map<std::string, std::string>& predictions);

// {"accuracy": 0.91, ...}, NaN written as null.
nlohmann::json metricsJson(const MetricSet& metrics);

}  // namespace ax
