#include "metrics/metrics.h"

#include "common/error.h"
#include "text/unicode_text.h"

#include <unicode/locid.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <unordered_map>

namespace ax {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

template <typename A, typename B>
void checkSizes(const std::vector<A>& predicted, const std::vector<B>& gold, const char* metric)
{
    if (predicted.size() != gold.size())
        throw Error(std::string(metric) + ": " + std::to_string(predicted.size()) + " predictions for " +
                    std::to_string(gold.size()) + " gold values");
    if (gold.empty()) throw Error(std::string(metric) + ": nothing to score (no examples)");
}

// Average 1-based ranks, ties sharing the mean of the ranks they span (scipy's rankdata "average").
std::vector<double> averageRanks(const std::vector<double>& values)
{
    std::vector<size_t> order(values.size());
    std::iota(order.begin(), order.end(), size_t(0));
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return values[a] < values[b]; });
    std::vector<double> ranks(values.size());
    for (size_t i = 0; i < order.size();) {
        size_t j = i;
        while (j + 1 < order.size() && values[order[j + 1]] == values[order[i]]) ++j;
        const double rank = (static_cast<double>(i) + static_cast<double>(j)) / 2.0 + 1.0;
        for (size_t k = i; k <= j; ++k) ranks[order[k]] = rank;
        i = j + 1;
    }
    return ranks;
}

bool isConstant(const std::vector<double>& values)
{
    return std::all_of(values.begin(), values.end(), [&](double v) { return v == values.front(); });
}

bool hasNaN(const std::vector<double>& values)
{
    return std::any_of(values.begin(), values.end(), [](double v) { return std::isnan(v); });
}

// Python's re \w in a str pattern: str.isalnum() (letters L*, and anything with a numeric type) or '_'.
bool isPythonWordCharacter(char32_t c)
{
    const auto cp = static_cast<UChar32>(c);
    return c == U'_' || u_isalpha(cp) || u_getIntPropertyValue(cp, UCHAR_NUMERIC_TYPE) != U_NT_NONE;
}

// re.sub(r'\b(a|an|the)\b', ' ', text): whole words "a", "an", "the" become a space.
std::u32string removeArticles(const std::u32string& text)
{
    const auto wordAt = [&](size_t i) { return i < text.size() && isPythonWordCharacter(text[i]); };
    std::u32string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size();) {
        size_t matched = 0;
        if (i == 0 || !wordAt(i - 1)) {
            for (const std::u32string_view article : {U"a", U"an", U"the"}) {
                if (text.compare(i, article.size(), article) == 0 && !wordAt(i + article.size())) {
                    matched = article.size();
                    break;
                }
            }
        }
        if (matched > 0) {
            out += U' ';
            i += matched;
        } else {
            out += text[i++];
        }
    }
    return out;
}

std::vector<std::string> splitOnSpaces(const std::string& text)
{
    std::vector<std::string> words;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find(' ', start);
        if (end == std::string::npos) end = text.size();
        if (end > start) words.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return words;
}

double tokenF1(const std::vector<std::string>& prediction, const std::vector<std::string>& gold)
{
    std::unordered_map<std::string, int> counts;
    for (const auto& token : gold) ++counts[token];
    int same = 0;
    for (const auto& token : prediction) {
        auto it = counts.find(token);
        if (it != counts.end() && it->second > 0) {
            --it->second;
            ++same;
        }
    }
    if (same == 0) return 0.0;
    const double precision = double(same) / double(prediction.size());
    const double recall = double(same) / double(gold.size());
    return 2.0 * precision * recall / (precision + recall);
}

}  // namespace

double accuracy(const std::vector<int>& predicted, const std::vector<int>& gold)
{
    checkSizes(predicted, gold, "accuracy");
    size_t correct = 0;
    for (size_t i = 0; i < gold.size(); ++i) correct += predicted[i] == gold[i] ? 1 : 0;
    return double(correct) / double(gold.size());
}

double f1Binary(const std::vector<int>& predicted, const std::vector<int>& gold, int positive)
{
    checkSizes(predicted, gold, "F1");
    size_t truePositives = 0, falsePositives = 0, falseNegatives = 0;
    for (size_t i = 0; i < gold.size(); ++i) {
        const bool p = predicted[i] == positive, g = gold[i] == positive;
        truePositives += p && g;
        falsePositives += p && !g;
        falseNegatives += !p && g;
    }
    if (truePositives == 0) return 0.0;
    return 2.0 * double(truePositives) / double(2 * truePositives + falsePositives + falseNegatives);
}

double matthewsCorrelation(const std::vector<int>& predicted, const std::vector<int>& gold)
{
    checkSizes(predicted, gold, "Matthews correlation");
    // sklearn: cov(y, ŷ) / sqrt(cov(y, y) cov(ŷ, ŷ)) from the confusion matrix C:
    // (c·s − Σ p_k t_k) / sqrt((s² − Σ p_k²)(s² − Σ t_k²)), c = trace, s = samples.
    std::map<int, double> truePerClass, predictedPerClass;
    double correct = 0;
    for (size_t i = 0; i < gold.size(); ++i) {
        truePerClass[gold[i]] += 1;
        predictedPerClass[predicted[i]] += 1;
        correct += predicted[i] == gold[i] ? 1 : 0;
    }
    const double samples = double(gold.size());
    double productSum = 0, predictedSquares = 0, trueSquares = 0;
    for (const auto& [label, count] : truePerClass) {
        trueSquares += count * count;
        const auto it = predictedPerClass.find(label);
        if (it != predictedPerClass.end()) productSum += count * it->second;
    }
    for (const auto& [label, count] : predictedPerClass) predictedSquares += count * count;
    const double covariance = correct * samples - productSum;
    const double denominator = (samples * samples - predictedSquares) * (samples * samples - trueSquares);
    if (denominator == 0) return 0.0;
    return covariance / std::sqrt(denominator);
}

double pearson(const std::vector<double>& a, const std::vector<double>& b)
{
    checkSizes(a, b, "Pearson correlation");
    if (a.size() < 2 || hasNaN(a) || hasNaN(b) || isConstant(a) || isConstant(b)) return kNaN;
    const double n = double(a.size());
    const double meanA = std::accumulate(a.begin(), a.end(), 0.0) / n;
    const double meanB = std::accumulate(b.begin(), b.end(), 0.0) / n;
    double sab = 0, saa = 0, sbb = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        const double da = a[i] - meanA, db = b[i] - meanB;
        sab += da * db;
        saa += da * da;
        sbb += db * db;
    }
    const double r = sab / std::sqrt(saa * sbb);
    return std::clamp(r, -1.0, 1.0);
}

double spearman(const std::vector<double>& a, const std::vector<double>& b)
{
    checkSizes(a, b, "Spearman correlation");
    if (hasNaN(a) || hasNaN(b)) return kNaN;
    return pearson(averageRanks(a), averageRanks(b));
}

std::string normalizeSquadAnswer(const std::string& text)
{
    std::string lowered;
    icu::UnicodeString::fromUTF8(text).toLower(icu::Locale::getRoot()).toUTF8String(lowered);
    static const std::string punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
    lowered.erase(std::remove_if(lowered.begin(), lowered.end(),
                                 [](char c) { return punctuation.find(c) != std::string::npos; }),
                  lowered.end());
    const std::u32string words = removeArticles(unicode::decodeUtf8(lowered));
    std::string out;
    bool pendingSpace = false;
    for (const char32_t c : words) {
        if (unicode::isPythonWhitespace(c)) {
            pendingSpace = !out.empty();
            continue;
        }
        if (pendingSpace) out += ' ';
        pendingSpace = false;
        unicode::appendUtf8(out, c);
    }
    return out;
}

double squadExactMatch(const std::string& prediction, const std::vector<std::string>& golds)
{
    const std::string normalized = normalizeSquadAnswer(prediction);
    for (const auto& gold : golds)
        if (normalizeSquadAnswer(gold) == normalized) return 1.0;
    return 0.0;
}

double squadF1(const std::string& prediction, const std::vector<std::string>& golds)
{
    const auto predictedTokens = splitOnSpaces(normalizeSquadAnswer(prediction));
    double best = 0;
    for (const auto& gold : golds) best = std::max(best, tokenF1(predictedTokens, splitOnSpaces(normalizeSquadAnswer(gold))));
    return best;
}

MetricSet classificationMetrics(const TaskSpec& task, const std::vector<int>& predicted, const std::vector<int>& gold)
{
    MetricSet set;
    for (const auto& metric : task.metrics) {
        if (metric == "accuracy") set.values[metric] = accuracy(predicted, gold);
        else if (metric == "f1") set.values[metric] = f1Binary(predicted, gold, 1);
        else if (metric == "mcc") set.values[metric] = matthewsCorrelation(predicted, gold);
        else throw Error("task " + task.name + ": \"" + metric + "\" is not a classification metric");
    }
    return set;
}

MetricSet regressionMetrics(const std::vector<double>& predicted, const std::vector<double>& gold)
{
    MetricSet set;
    set.values["pearson"] = pearson(predicted, gold);
    set.values["spearman"] = spearman(predicted, gold);
    return set;
}

MetricSet squadMetrics(const std::vector<SquadQuestion>& questions, const std::map<std::string, std::string>& predictions)
{
    if (questions.empty()) throw Error("SQuAD metrics: nothing to score (no questions)");
    MetricSet set;
    double exact = 0, f1 = 0;
    for (const auto& question : questions) {
        if (question.answers.empty()) throw Error("SQuAD metrics: question " + question.id + " has no gold answers");
        const auto it = predictions.find(question.id);
        if (it == predictions.end()) {
            ++set.missing;
            continue;
        }
        exact += squadExactMatch(it->second, question.answers);
        f1 += squadF1(it->second, question.answers);
    }
    const double total = double(questions.size());
    set.values["exact_match"] = 100.0 * exact / total;
    set.values["squad_f1"] = 100.0 * f1 / total;
    return set;
}

nlohmann::json metricsJson(const MetricSet& metrics)
{
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [name, value] : metrics.values) out[name] = std::isnan(value) ? nlohmann::json(nullptr) : nlohmann::json(value);
    return out;
}

}  // namespace ax
