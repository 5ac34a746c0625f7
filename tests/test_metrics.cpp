// The official metrics against hand-computed values: sklearn's accuracy, F1 and Matthews
// correlation, scipy's Pearson and Spearman, and the SQuAD v1.1 script's normalisation, exact
// match and F1 (expected strings were produced by the official script's own functions, Python 3.11).
#include "test_support.h"

using ax::test::expectErrorMentioning;

#include "common/error.h"
#include "data/example.h"
#include "data/predictions.h"
#include "data/task.h"
#include "metrics/metrics.h"
#include "metrics/scoring.h"

#include <cmath>
#include <fstream>
#include <limits>

using IntList = std::vector<int>;
using RealList = std::vector<double>;
using StringList = std::vector<std::string>;
Q_DECLARE_METATYPE(IntList)
Q_DECLARE_METATYPE(RealList)
Q_DECLARE_METATYPE(StringList)

class TestMetrics : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void accuracyValues_data();
    void accuracyValues();
    void f1Values_data();
    void f1Values();
    void matthewsValues_data();
    void matthewsValues();
    void correlations_data();
    void correlations();
    void undefinedCorrelations_data();
    void undefinedCorrelations();
    void pairwiseErrors();
    void squadNormalization_data();
    void squadNormalization();
    void squadScores_data();
    void squadScores();
    void squadMetricSet();
    void taskMetricSets();
    void metricsJsonWritesNull();
    void taskLookup();
    void scoreGlue();
    void scoreGlueErrors_data();
    void scoreGlueErrors();
};

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void compareReal(double actual, double expected)
{
    if (std::isnan(expected)) {
        QVERIFY2(std::isnan(actual), qPrintable(QString("expected NaN, got %1").arg(actual)));
        return;
    }
    QVERIFY2(std::abs(actual - expected) < 1e-12, qPrintable(QString("got %1, expected %2").arg(actual, 0, 'g', 17).arg(expected, 0, 'g', 17)));
}

ax::Example example(const std::string& id, int label, float score = 0)
{
    ax::Example e;
    e.id = id;
    e.textA = "text " + id;
    e.label = label;
    e.score = score;
    return e;
}

}  // namespace

void TestMetrics::accuracyValues_data()
{
    QTest::addColumn<IntList>("predicted");
    QTest::addColumn<IntList>("gold");
    QTest::addColumn<double>("expected");
    QTest::newRow("all right") << IntList{1, 0, 1} << IntList{1, 0, 1} << 1.0;
    QTest::newRow("all wrong") << IntList{0, 1} << IntList{1, 0} << 0.0;
    QTest::newRow("three of four") << IntList{0, 1, 2, 2} << IntList{0, 1, 2, 0} << 0.75;
    QTest::newRow("one example") << IntList{2} << IntList{2} << 1.0;
}

void TestMetrics::accuracyValues()
{
    QFETCH(IntList, predicted);
    QFETCH(IntList, gold);
    QFETCH(double, expected);
    compareReal(ax::accuracy(predicted, gold), expected);
}

void TestMetrics::f1Values_data()
{
    QTest::addColumn<IntList>("predicted");
    QTest::addColumn<IntList>("gold");
    QTest::addColumn<double>("expected");
    // TP 2, FP 1, FN 1: P = R = 2/3.
    QTest::newRow("typical") << IntList{1, 1, 0, 0, 0, 1} << IntList{1, 1, 1, 0, 0, 0} << 2.0 / 3.0;
    // TP 1, FP 0, FN 2: P = 1, R = 1/3, F1 = 2·(1/3)/(4/3) = 1/2.
    QTest::newRow("precise, low recall") << IntList{1, 0, 0} << IntList{1, 1, 1} << 0.5;
    QTest::newRow("perfect") << IntList{1, 0, 1} << IntList{1, 0, 1} << 1.0;
    // sklearn zero_division=0: no true positives -> 0.
    QTest::newRow("all predicted negative") << IntList{0, 0, 0} << IntList{1, 0, 1} << 0.0;
    QTest::newRow("no positives anywhere") << IntList{0, 0} << IntList{0, 0} << 0.0;
    QTest::newRow("all predicted positive") << IntList{1, 1, 1, 1} << IntList{1, 0, 0, 0} << 0.4;
}

void TestMetrics::f1Values()
{
    QFETCH(IntList, predicted);
    QFETCH(IntList, gold);
    QFETCH(double, expected);
    compareReal(ax::f1Binary(predicted, gold), expected);
}

void TestMetrics::matthewsValues_data()
{
    QTest::addColumn<IntList>("predicted");
    QTest::addColumn<IntList>("gold");
    QTest::addColumn<double>("expected");
    // TP 2, TN 2, FP 1, FN 1: (4 - 1) / sqrt(3·3·3·3) = 1/3.
    QTest::newRow("binary") << IntList{1, 1, 0, 0, 0, 1} << IntList{1, 1, 1, 0, 0, 0} << 1.0 / 3.0;
    QTest::newRow("perfect") << IntList{0, 1, 0, 1} << IntList{0, 1, 0, 1} << 1.0;
    QTest::newRow("inverse") << IntList{1, 0, 1, 0} << IntList{0, 1, 0, 1} << -1.0;
    // Undefined (a zero factor in the denominator): sklearn returns 0.
    QTest::newRow("all one class predicted") << IntList{1, 1, 1, 1} << IntList{0, 1, 0, 1} << 0.0;
    QTest::newRow("all one class gold") << IntList{0, 1, 1, 0} << IntList{1, 1, 1, 1} << 0.0;
    QTest::newRow("both constant") << IntList{0, 0} << IntList{0, 0} << 0.0;
    // 3 classes, c = 3, s = 6, t = p = (2, 2, 2): (3·6 - 12) / sqrt((36 - 12)(36 - 12)) = 1/4.
    QTest::newRow("three classes") << IntList{0, 1, 1, 2, 2, 0} << IntList{0, 0, 1, 1, 2, 2} << 0.25;
    // A predicted class that gold never has: c = 2, s = 4, t = (2, 2), p = (1, 1, 2):
    // (2·4 - (1·2 + 1·2)) / sqrt((16 - 6)(16 - 8)) = 4 / sqrt(80).
    QTest::newRow("class only predicted") << IntList{0, 1, 7, 7} << IntList{0, 1, 0, 1} << 4.0 / std::sqrt(80.0);
}

void TestMetrics::matthewsValues()
{
    QFETCH(IntList, predicted);
    QFETCH(IntList, gold);
    QFETCH(double, expected);
    compareReal(ax::matthewsCorrelation(predicted, gold), expected);
}

void TestMetrics::correlations_data()
{
    QTest::addColumn<RealList>("a");
    QTest::addColumn<RealList>("b");
    QTest::addColumn<double>("pearson");
    QTest::addColumn<double>("spearman");
    // Deviations (-2 -1 0 1 2) and (-2 0 1 0 1): 6 / sqrt(10·6). Ranks of b, ties averaged:
    // (1 2.5 4.5 2.5 4.5), deviations (-2 -.5 1.5 -.5 1.5): 7 / sqrt(10·9).
    QTest::newRow("linear-ish") << RealList{1, 2, 3, 4, 5} << RealList{2, 4, 5, 4, 5} << std::sqrt(0.6)
                                << 7.0 / std::sqrt(90.0);
    // Ranks (1, 2.5, 2.5, 4) and (1, 3, 2, 4): 4.5 / sqrt(4.5·5) = 3 / sqrt(10).
    QTest::newRow("ties share the average rank") << RealList{1, 2, 2, 3} << RealList{1, 3, 2, 4}
                                                 << 0.9486832980505138 << 3.0 / std::sqrt(10.0);
    QTest::newRow("perfect") << RealList{0.5, 1.5, 4} << RealList{1, 3, 8} << 1.0 << 1.0;
    // Deviations (-1 0 1) and (-10 -9 19): 29 / sqrt(2·542).
    QTest::newRow("monotone, not linear") << RealList{1, 2, 3} << RealList{1, 2, 30} << 29.0 / std::sqrt(1084.0) << 1.0;
    QTest::newRow("reversed") << RealList{1, 2, 3, 4} << RealList{8, 6, 4, 2} << -1.0 << -1.0;
    QTest::newRow("two values") << RealList{0, 1} << RealList{5, 3} << -1.0 << -1.0;
    // Ranks (1 2 3 4) and (1.5 1.5 3.5 3.5): deviations (-1.5 -.5 .5 1.5), (-1 -1 1 1): 4 / sqrt(5·4).
    QTest::newRow("many ties") << RealList{10, 20, 30, 40} << RealList{1, 1, 2, 2} << 4.0 / std::sqrt(20.0)
                               << 4.0 / std::sqrt(20.0);
}

void TestMetrics::correlations()
{
    QFETCH(RealList, a);
    QFETCH(RealList, b);
    QFETCH(double, pearson);
    QFETCH(double, spearman);
    compareReal(ax::pearson(a, b), pearson);
    compareReal(ax::spearman(a, b), spearman);
    // Both are symmetric.
    compareReal(ax::pearson(b, a), pearson);
    compareReal(ax::spearman(b, a), spearman);
}

void TestMetrics::undefinedCorrelations_data()
{
    QTest::addColumn<RealList>("a");
    QTest::addColumn<RealList>("b");
    // scipy returns nan for all of these; so do we (JSON: null).
    QTest::newRow("constant prediction") << RealList{2, 2, 2} << RealList{1, 2, 3};
    QTest::newRow("constant gold") << RealList{1, 2, 3} << RealList{4, 4, 4};
    QTest::newRow("constant 0.1 (mean not exact)") << RealList{0.1, 0.1, 0.1} << RealList{1, 2, 3};
    QTest::newRow("one value") << RealList{1} << RealList{2};
    QTest::newRow("NaN input") << RealList{1, kNaN, 3} << RealList{1, 2, 3};
}

void TestMetrics::undefinedCorrelations()
{
    QFETCH(RealList, a);
    QFETCH(RealList, b);
    QVERIFY(std::isnan(ax::pearson(a, b)));
    QVERIFY(std::isnan(ax::spearman(a, b)));
}

void TestMetrics::pairwiseErrors()
{
    expectErrorMentioning([] { ax::accuracy({1, 0}, {1}); }, "2 predictions for 1 gold");
    expectErrorMentioning([] { ax::accuracy({}, {}); }, "no examples");
    expectErrorMentioning([] { ax::f1Binary({}, {}); }, "no examples");
    expectErrorMentioning([] { ax::matthewsCorrelation({1}, {}); }, "1 predictions for 0 gold");
    expectErrorMentioning([] { ax::pearson({}, {}); }, "no examples");
    expectErrorMentioning([] { ax::spearman({1, 2}, {1, 2, 3}); }, "2 predictions for 3 gold");
}

void TestMetrics::squadNormalization_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("lower and article") << QByteArray("The Cat") << QByteArray("cat");
    QTest::newRow("only articles and spaces") << QByteArray("  a  b   an the  ") << QByteArray("b");
    QTest::newRow("punctuation removed first") << QByteArray("the.") << QByteArray("");
    QTest::newRow("hyphen joins") << QByteArray("A-team") << QByteArray("ateam");
    QTest::newRow("articles inside words stay") << QByteArray("theater and banana") << QByteArray("theater and banana");
    QTest::newRow("unicode lower") << QByteArray("Ägypten THE ÉCOLE") << QByteArray("ägypten école");
    QTest::newRow("combining mark is no word char") << QByteArray("the\u0301 end") << QByteArray("\u0301 end");
    QTest::newRow("underscore is punctuation") << QByteArray("The_Beatles") << QByteArray("thebeatles");
    QTest::newRow("accented article stays") << QByteArray("thé") << QByteArray("thé");
    QTest::newRow("no-break space is whitespace") << QByteArray("an\u00a0apple") << QByteArray("apple");
    QTest::newRow("line separator is whitespace") << QByteArray("line\u2028break") << QByteArray("line break");
    QTest::newRow("final sigma") << QByteArray("ΟΔΟΣ") << QByteArray("οδος");
    QTest::newRow("dotted capital I") << QByteArray("İstanbul") << QByteArray("i\u0307stanbul");
    QTest::newRow("digits are word chars") << QByteArray("a1 an2 the3") << QByteArray("a1 an2 the3");
    QTest::newRow("curly quotes are not ASCII punctuation") << QByteArray("“The” end") << QByteArray("“ ” end");
    QTest::newRow("number") << QByteArray("1,000 the") << QByteArray("1000");
    QTest::newRow("money") << QByteArray("$5.00") << QByteArray("500");
    QTest::newRow("empty") << QByteArray("") << QByteArray("");
    QTest::newRow("blank") << QByteArray("  ") << QByteArray("");
    QTest::newRow("lone article") << QByteArray("a") << QByteArray("");
    QTest::newRow("repeated articles") << QByteArray("an an an") << QByteArray("");
    QTest::newRow("articles joined by punctuation") << QByteArray("the-the") << QByteArray("thethe");
    QTest::newRow("full-width article stays") << QByteArray("ＴＨＥ end") << QByteArray("ｔｈｅ end");
    QTest::newRow("roman numeral is a word char") << QByteArray("the\u2163") << QByteArray("the\u2173");
    QTest::newRow("superscript digit is a word char") << QByteArray("the²x") << QByteArray("the²x");
    QTest::newRow("apostrophe") << QByteArray("l'amour") << QByteArray("lamour");
}

void TestMetrics::squadNormalization()
{
    QFETCH(QByteArray, text);
    QFETCH(QByteArray, expected);
    QCOMPARE(QByteArray::fromStdString(ax::normalizeSquadAnswer(text.toStdString())), expected);
}

void TestMetrics::squadScores_data()
{
    QTest::addColumn<QByteArray>("prediction");
    QTest::addColumn<StringList>("golds");
    QTest::addColumn<double>("exact");
    QTest::addColumn<double>("f1");
    QTest::newRow("exact after normalisation") << QByteArray("the Denver Broncos.") << StringList{"Denver Broncos"} << 1.0 << 1.0;
    // "big red dog" ("the" dropped) vs "red dog barks": 2 common tokens, P = R = 2/3.
    QTest::newRow("partial overlap") << QByteArray("the big red dog") << StringList{"red dog barks"} << 0.0 << 2.0 / 3.0;
    // Counter intersection: "b" twice in both: 2 common, P = 2/3, R = 2/3.
    QTest::newRow("repeated tokens") << QByteArray("a b b c") << StringList{"b b d"} << 0.0 << 2.0 / 3.0;
    QTest::newRow("max over references") << QByteArray("Carolina Panthers") << StringList{"Panthers", "the Carolina Panthers", "NFC"}
                                         << 1.0 << 1.0;
    QTest::newRow("best F1 from another reference") << QByteArray("Santa Clara, California")
                                                    << StringList{"Levi's Stadium", "Santa Clara"} << 0.0 << 0.8;
    QTest::newRow("empty prediction") << QByteArray("") << StringList{"Denver"} << 0.0 << 0.0;
    // The v1.1 script: both empty after normalisation -> EM 1 but F1 0 (no common tokens).
    QTest::newRow("empty prediction, article gold") << QByteArray("") << StringList{"the"} << 1.0 << 0.0;
    QTest::newRow("no overlap") << QByteArray("cat") << StringList{"dog"} << 0.0 << 0.0;
}

void TestMetrics::squadScores()
{
    QFETCH(QByteArray, prediction);
    QFETCH(StringList, golds);
    QFETCH(double, exact);
    QFETCH(double, f1);
    compareReal(ax::squadExactMatch(prediction.toStdString(), golds), exact);
    compareReal(ax::squadF1(prediction.toStdString(), golds), f1);
}

void TestMetrics::squadMetricSet()
{
    std::vector<ax::SquadQuestion> questions(4);
    questions[0].id = "q0";
    questions[0].answers = {"Denver Broncos", "Broncos"};
    questions[1].id = "q1";
    questions[1].answers = {"red dog barks"};
    questions[2].id = "q2";
    questions[2].answers = {"Santa Clara"};
    questions[3].id = "q3";
    questions[3].answers = {"1975"};
    const std::map<std::string, std::string> predictions = {
        {"q0", "broncos"}, {"q1", "the big red dog"}, {"q2", ""}, {"unknown", "ignored"}};
    const ax::MetricSet set = ax::squadMetrics(questions, predictions);
    QCOMPARE(set.missing, size_t(1));
    compareReal(set.values.at("exact_match"), 100.0 * 1.0 / 4.0);
    compareReal(set.values.at("squad_f1"), 100.0 * (1.0 + 2.0 / 3.0) / 4.0);
    QCOMPARE(set.values.size(), size_t(2));

    questions[3].answers.clear();
    expectErrorMentioning([&] { ax::squadMetrics(questions, predictions); }, "q3 has no gold answers");
    expectErrorMentioning([&] { ax::squadMetrics({}, predictions); }, "no questions");
}

void TestMetrics::taskMetricSets()
{
    const IntList predicted{1, 1, 0, 0, 0, 1}, gold{1, 1, 1, 0, 0, 0};
    const auto mrpc = ax::classificationMetrics(ax::taskSpec("mrpc"), predicted, gold);
    QCOMPARE(mrpc.values.size(), size_t(2));
    compareReal(mrpc.values.at("accuracy"), 4.0 / 6.0);
    compareReal(mrpc.values.at("f1"), 2.0 / 3.0);
    const auto cola = ax::classificationMetrics(ax::taskSpec("cola"), predicted, gold);
    QCOMPARE(cola.values.size(), size_t(1));
    compareReal(cola.values.at("mcc"), 1.0 / 3.0);
    const auto mnli = ax::classificationMetrics(ax::taskSpec("mnli"), IntList{0, 1, 2}, IntList{0, 2, 2});
    QCOMPARE(mnli.values.size(), size_t(1));
    compareReal(mnli.values.at("accuracy"), 2.0 / 3.0);
    const auto stsb = ax::regressionMetrics({1, 2, 2, 3}, {1, 3, 2, 4});
    compareReal(stsb.values.at("spearman"), 3.0 / std::sqrt(10.0));
    QCOMPARE(stsb.values.size(), size_t(2));
    // Every task's primary metric is one of its metrics.
    for (const auto& name : ax::taskNames()) {
        const auto& task = ax::taskSpec(name);
        QVERIFY(std::find(task.metrics.begin(), task.metrics.end(), task.primaryMetric) != task.metrics.end());
    }
}

void TestMetrics::metricsJsonWritesNull()
{
    const auto set = ax::regressionMetrics({2, 2, 2}, {1, 2, 3});
    const auto json = ax::metricsJson(set);
    QVERIFY(json.at("pearson").is_null());
    QVERIFY(json.at("spearman").is_null());
    QCOMPARE(QString::fromStdString(json.dump()), QString(R"({"pearson":null,"spearman":null})"));
    ax::MetricSet plain;
    plain.values["accuracy"] = 0.5;
    QCOMPARE(QString::fromStdString(ax::metricsJson(plain).dump()), QString(R"({"accuracy":0.5})"));
}

void TestMetrics::taskLookup()
{
    QCOMPARE(ax::taskNames().size(), size_t(10));
    QCOMPARE(QString::fromStdString(ax::taskSpec("SST-2").name), QString("sst2"));
    QCOMPARE(QString::fromStdString(ax::taskSpec("sts-b").name), QString("stsb"));
    QVERIFY(ax::taskSpec("stsb").kind == ax::TaskKind::Regression);
    QVERIFY(ax::taskSpec("squad").kind == ax::TaskKind::SpanExtraction);
    QCOMPARE(ax::taskSpec("mnli").labels, (StringList{"contradiction", "entailment", "neutral"}));
    QCOMPARE(ax::taskSpec("rte").labels, (StringList{"entailment", "not_entailment"}));
    QCOMPARE(ax::taskSpec("qnli").labelId("not_entailment").value_or(-1), 1);
    QVERIFY(!ax::taskSpec("qnli").labelId("neutral"));
    expectErrorMentioning([] { ax::taskSpec("imdb"); }, "cola sst2 mrpc stsb qqp mnli qnli rte wnli squad");
}

void TestMetrics::scoreGlue()
{
    const auto& task = ax::taskSpec("rte");
    ax::Dataset gold;
    gold.task = "rte";
    gold.file = "gold.tsv";
    gold.examples = {example("0", 0), example("1", 1), example("2", 1), example("3", 0)};
    const auto set = ax::scoreGluePredictions(
        task, gold, {{"0", "not_entailment"}, {"1", "entailment"}, {"2", "not_entailment"}, {"3", "entailment"}}, "p.tsv");
    compareReal(set.values.at("accuracy"), 0.5);

    // Written by writeGluePredictions, read back, scored through the file path.
    const auto folder = ax::test::scratchFolder("score");
    const auto file = folder / "predictions.tsv";
    ax::writeGluePredictions(file, task, gold.examples, IntList{0, 1, 1, 1});
    const auto again = ax::scoreGluePredictions(task, gold, ax::readGluePredictions(file), file.string());
    compareReal(again.values.at("accuracy"), 0.75);

    const auto& stsb = ax::taskSpec("stsb");
    ax::Dataset scores;
    scores.file = "gold.tsv";
    scores.examples = {example("a", -1, 1.0f), example("b", -1, 2.0f), example("c", -1, 2.0f), example("d", -1, 3.0f)};
    const auto regression = ax::scoreGluePredictions(stsb, scores, {{"a", "1"}, {"b", "3.000"}, {"c", "2"}, {"d", "4.0"}}, "p");
    compareReal(regression.values.at("spearman"), 3.0 / std::sqrt(10.0));

    ax::ScoreReport report;
    report.task = "rte";
    report.split = "dev";
    report.examples = 4;
    report.metrics = set;
    QCOMPARE(QString::fromStdString(ax::scoreReportJson(report).dump()),
             QString(R"({"examples":4,"metrics":{"accuracy":0.5},"split":"dev","task":"rte"})"));
}

void TestMetrics::scoreGlueErrors_data()
{
    QTest::addColumn<QString>("task");
    QTest::addColumn<QStringList>("predictions");   // id=text pairs
    QTest::addColumn<QString>("fragment");
    QTest::newRow("missing") << "rte" << QStringList{"0=entailment"} << "1 example of 2 in gold.tsv have no prediction (first: index 1)";
    QTest::newRow("unknown index") << "rte" << QStringList{"0=entailment", "1=entailment", "9=entailment"} << "index 9 is not in gold.tsv";
    QTest::newRow("label id, not string") << "rte" << QStringList{"0=0", "1=entailment"} << "index 0: \"0\" is not a rte label";
    QTest::newRow("not a number") << "stsb" << QStringList{"0=high", "1=2"} << "index 0: \"high\" is not a number";
    QTest::newRow("NaN score") << "stsb" << QStringList{"0=nan", "1=2"} << "is not a number";
}

void TestMetrics::scoreGlueErrors()
{
    QFETCH(QString, task);
    QFETCH(QStringList, predictions);
    QFETCH(QString, fragment);
    ax::Dataset gold;
    gold.file = "gold.tsv";
    gold.examples = {example("0", 0, 1.0f), example("1", 1, 2.0f)};
    std::map<std::string, std::string> map;
    for (const auto& pair : predictions) map[pair.section('=', 0, 0).toStdString()] = pair.section('=', 1).toStdString();
    expectErrorMentioning([&] { ax::scoreGluePredictions(ax::taskSpec(task.toStdString()), gold, map, "p.tsv"); }, fragment);
}

AX_TEST_MAIN(TestMetrics)
#include "test_metrics.moc"
