// GLUE data: every task's real files load with the README's counts; QQP and MNLI (too large to
// ship) from hand-written files in their standard layouts (tests/data/QQP, tests/data/MNLI: same
// headers and column counts as the download script's files, with a row broken by a newline, an
// empty question and stray quotes, as the real files have); malformed rows fail with file:line;
// the validation split, features, batching, prediction files and scoring.
#include "test_support.h"

using ax::test::writeFile;
using ax::test::expectErrorMentioning;

#include "common/error.h"
#include "data/batching.h"
#include "data/features.h"
#include "data/glue_loader.h"
#include "data/predictions.h"
#include "data/split.h"
#include "data/task.h"
#include "metrics/scoring.h"
#include "text/bert_tokenizer.h"

#include <fstream>
#include <set>

class TestGlueData : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void realSplits_data();
    void realSplits();
    void glueRootFolder();
    void qqpStandardLayout();
    void mnliStandardLayout_data();
    void mnliStandardLayout();
    void testSplitsHaveNoLabels();
    void lenientFormatting();
    void malformed_data();
    void malformed();
    void validationSplit();
    void validationSplitPinned();
    void validationSplitErrors();
    void encodeRealPairs();
    void encodeTruncates();
    void batchesInOrder();
    void batchesBucketed();
    void batchErrors();
    void predictionsRoundTrip();
    void predictionFileErrors_data();
    void predictionFileErrors();
    void scoreRealDev();
};

namespace {

QString q(const std::string& text) { return QString::fromStdString(text); }

ax::Example numbered(size_t i)
{
    ax::Example example;
    example.id = std::to_string(i);
    example.textA = "example " + std::to_string(i);
    example.label = static_cast<int>(i % 2);
    return example;
}

std::vector<ax::Example> numberedExamples(size_t count)
{
    std::vector<ax::Example> examples;
    for (size_t i = 0; i < count; ++i) examples.push_back(numbered(i));
    return examples;
}

std::set<std::string> idsOf(const std::vector<ax::Example>& examples)
{
    std::set<std::string> ids;
    for (const auto& example : examples) ids.insert(example.id);
    return ids;
}

// A feature of `length` tokens whose ids encode (feature, position), to check padding and order.
ax::Feature syntheticFeature(size_t index, int64_t length)
{
    ax::Feature feature;
    for (int64_t t = 0; t < length; ++t) {
        feature.inputIds.push_back(static_cast<int64_t>(index) * 1000 + t + 1);
        feature.tokenTypeIds.push_back(t >= length / 2 ? 1 : 0);
    }
    feature.label = static_cast<int>(index % 3);
    feature.score = static_cast<float>(index) / 2;
    feature.exampleIndex = index;
    feature.startPosition = static_cast<int>(index % 5);
    feature.endPosition = static_cast<int>(index % 5) + 1;
    return feature;
}

// Every row of a batch holds its feature's tokens, then padding with mask 0.
void checkBatch(const ax::Batch& batch, const std::vector<ax::Feature>& features, int64_t padId)
{
    QCOMPARE(batch.size, static_cast<int64_t>(batch.features.size()));
    int64_t longest = 0;
    for (const size_t f : batch.features) longest = std::max(longest, features[f].length());
    QCOMPARE(batch.length, longest);
    QCOMPARE(batch.inputIds.size(), static_cast<size_t>(batch.size * batch.length));
    QCOMPARE(batch.tokenTypeIds.size(), batch.inputIds.size());
    QCOMPARE(batch.attentionMask.size(), batch.inputIds.size());
    QCOMPARE(batch.labels.size(), batch.features.size());
    QCOMPARE(batch.scores.size(), batch.features.size());
    QCOMPARE(batch.startPositions.size(), batch.features.size());
    QCOMPARE(batch.endPositions.size(), batch.features.size());
    for (int64_t r = 0; r < batch.size; ++r) {
        const ax::Feature& feature = features[batch.features[static_cast<size_t>(r)]];
        for (int64_t t = 0; t < batch.length; ++t) {
            const size_t cell = static_cast<size_t>(r * batch.length + t);
            if (t < feature.length()) {
                QCOMPARE(batch.inputIds[cell], feature.inputIds[static_cast<size_t>(t)]);
                QCOMPARE(batch.tokenTypeIds[cell], feature.tokenTypeIds[static_cast<size_t>(t)]);
                QCOMPARE(batch.attentionMask[cell], int64_t(1));
            } else {
                QCOMPARE(batch.inputIds[cell], padId);
                QCOMPARE(batch.tokenTypeIds[cell], int64_t(0));
                QCOMPARE(batch.attentionMask[cell], int64_t(0));
            }
        }
        QCOMPARE(batch.labels[static_cast<size_t>(r)], int64_t(feature.label));
        QCOMPARE(batch.scores[static_cast<size_t>(r)], feature.score);
        QCOMPARE(batch.startPositions[static_cast<size_t>(r)], int64_t(feature.startPosition));
        QCOMPARE(batch.endPositions[static_cast<size_t>(r)], int64_t(feature.endPosition));
    }
}

}  // namespace

void TestGlueData::realSplits_data()
{
    QTest::addColumn<QString>("task");
    QTest::addColumn<QString>("folder");
    QTest::addColumn<QString>("split");
    QTest::addColumn<int>("count");
    QTest::addColumn<int>("labelOneCount");   // examples with label id 1 (-1: not checked)
    QTest::addColumn<QString>("firstId");
    QTest::addColumn<QString>("firstTextA");
    QTest::addColumn<QString>("firstTextB");  // prefix; empty for single sentences
    QTest::addColumn<QString>("firstGold");   // label string or score

    QTest::newRow("sst2 train") << "sst2" << "SST-2" << "train" << 67349 << 37569 << "0"
                                << "hide new secretions from the parental units " << "" << "0";
    QTest::newRow("sst2 dev") << "sst2" << "SST-2" << "dev" << 872 << -1 << "0"
                              << "it 's a charming and often affecting journey . " << "" << "1";
    QTest::newRow("cola train") << "cola" << "CoLA" << "train" << 8551 << 6023 << "0"
                                << "Our friends won't buy this analysis, let alone the next one we propose." << "" << "1";
    // The dev file's last line has no final newline.
    QTest::newRow("cola dev") << "cola" << "CoLA" << "dev" << 1043 << -1 << "0"
                              << "The sailors rode the breeze clear of the rocks." << "" << "1";
    // MRPC's header starts with a BOM; texts contain stray '"' (no quoting).
    QTest::newRow("mrpc train") << "mrpc" << "MRPC" << "train" << 3668 << 2474 << "0"
                                << "Amrozi accused his brother , whom he called \" the witness \" , of deliberately distorting his evidence ."
                                << "Referring to him as only \" the witness \"" << "1";
    QTest::newRow("mrpc dev") << "mrpc" << "MRPC" << "dev" << 408 << -1 << "0"
                              << "He said the foodservice pie business doesn 't fit the company 's long-term growth strategy ."
                              << "\" The foodservice pie business" << "1";
    QTest::newRow("rte train") << "rte" << "RTE" << "train" << 2490 << 1241 << "0"
                               << "No Weapons of Mass Destruction Found in Iraq Yet." << "Weapons of Mass Destruction Found in Iraq." << "not_entailment";
    QTest::newRow("rte dev") << "rte" << "RTE" << "dev" << 277 << -1 << "0"
                             << "Dana Reeve, the widow of the actor Christopher Reeve, has died of lung cancer at age 44, according to the Christopher Reeve Foundation."
                             << "Christopher Reeve had an accident." << "not_entailment";
    QTest::newRow("stsb train") << "stsb" << "STS-B" << "train" << 5749 << -1 << "0"
                                << "A plane is taking off." << "An air plane is taking off." << "5";
    QTest::newRow("stsb dev") << "stsb" << "STS-B" << "dev" << 1500 << -1 << "0"
                              << "A man with a hard hat is dancing." << "A man wearing a hard hat is dancing." << "5";
    QTest::newRow("wnli train") << "wnli" << "WNLI" << "train" << 635 << 312 << "0"
                                << "I stuck a pin through a carrot. When I pulled the pin out, it had a hole." << "The carrot had a hole." << "1";
    QTest::newRow("wnli dev") << "wnli" << "WNLI" << "dev" << 71 << -1 << "0"
                              << "The drain is clogged with hair. It has to be cleaned." << "The hair has to be cleaned." << "0";
    QTest::newRow("qnli dev") << "qnli" << "QNLI" << "dev" << 5463 << 2761 << "0"
                              << "What came into force after the new constitution was herald?"
                              << "As of that day, the new constitution heralding the Second Republic came into force." << "entailment";
    // The dev split by row index: ids keep the official dev's index column.
    QTest::newRow("qnli-devsplit train") << "qnli" << "QNLI-devsplit" << "train" << 4370 << -1 << "1"
                                         << "What is the first major city in the stream of the Rhine?"
                                         << "The most important tributaries" << "not_entailment";
    QTest::newRow("qnli-devsplit dev") << "qnli" << "QNLI-devsplit" << "dev" << 1093 << -1 << "0"
                                       << "What came into force after the new constitution was herald?"
                                       << "As of that day" << "entailment";
}

void TestGlueData::realSplits()
{
    QFETCH(QString, task);
    QFETCH(QString, folder);
    QFETCH(QString, split);
    QFETCH(int, count);
    QFETCH(int, labelOneCount);
    QFETCH(QString, firstId);
    QFETCH(QString, firstTextA);
    QFETCH(QString, firstTextB);
    QFETCH(QString, firstGold);
    AX_REQUIRE_SHARED(taskFolder, "data/glue/" + folder.toStdString());

    const ax::TaskSpec& spec = ax::taskSpec(task.toStdString());
    const ax::Dataset data = ax::loadGlueSplit(spec, taskFolder, split.toStdString());
    QCOMPARE(data.examples.size(), size_t(count));
    QCOMPARE(data.skipped, size_t(0));
    QCOMPARE(q(data.task), task);
    QCOMPARE(idsOf(data.examples).size(), data.examples.size());

    const ax::Example& first = data.examples.front();
    QCOMPARE(q(first.id), firstId);
    QCOMPARE(q(first.textA), firstTextA);
    QCOMPARE(first.hasTextB, spec.pair);
    QVERIFY2(q(first.textB).startsWith(firstTextB), qPrintable(q(first.textB)));
    QVERIFY2(q(first.source).endsWith(split + ".tsv:" + (task == "cola" ? "1" : "2")), qPrintable(q(first.source)));
    if (spec.kind == ax::TaskKind::Regression) {
        QCOMPARE(QString::number(double(first.score)), firstGold);
        for (const auto& example : data.examples) QVERIFY(example.score >= 0 && example.score <= 5);
    } else {
        QCOMPARE(q(spec.labels.at(static_cast<size_t>(first.label))), firstGold);
        int ones = 0;
        for (const auto& example : data.examples) {
            QVERIFY(example.label >= 0 && static_cast<size_t>(example.label) < spec.labels.size());
            QVERIFY(!example.textA.empty());
            ones += example.label == 1;
        }
        if (labelOneCount >= 0) QCOMPARE(ones, labelOneCount);
    }
}

void TestGlueData::glueRootFolder()
{
    AX_REQUIRE_SHARED(glue, "data/glue");
    const auto data = ax::loadGlueSplit(ax::taskSpec("sst2"), glue, "dev");
    QCOMPARE(data.examples.size(), size_t(872));
    QVERIFY(q(data.file).endsWith("SST-2/dev.tsv"));
}

void TestGlueData::qqpStandardLayout()
{
    const auto folder = ax::test::testDataFolder() / "QQP";
    const auto& qqp = ax::taskSpec("qqp");
    const auto train = ax::loadGlueSplit(qqp, folder, "train");
    // Lines 5-6 are one row broken by a newline inside question1 (4 + 3 columns), line 8 has an
    // empty question2: skipped and counted, as the real QQP file needs, never silently.
    QCOMPARE(train.examples.size(), size_t(5));
    QCOMPARE(train.skipped, size_t(3));
    QCOMPARE(train.skipReasons.size(), size_t(3));
    QVERIFY2(q(train.skipReasons[0]).contains("train.tsv:5: 4 columns, expected 6"), qPrintable(q(train.skipReasons[0])));
    QVERIFY2(q(train.skipReasons[1]).contains("train.tsv:6: 3 columns, expected 6"), qPrintable(q(train.skipReasons[1])));
    QVERIFY2(q(train.skipReasons[2]).contains("train.tsv:8: empty text in column \"question2\""), qPrintable(q(train.skipReasons[2])));
    QCOMPARE(q(train.examples[0].id), QString("201359"));
    QCOMPARE(train.examples[0].label, 1);
    // A stray quote is text (quotechar=None), not the start of a quoted field.
    QCOMPARE(q(train.examples[3].textA), QString("Why do cats knock \"things off tables?"));
    QCOMPARE(q(train.examples[3].textB), QString("How do I teach my dog to sit?"));
    QCOMPARE(q(train.examples[3].id), QString("15329"));

    const auto dev = ax::loadGlueSplit(qqp, folder, "dev");
    QCOMPARE(dev.examples.size(), size_t(3));
    QCOMPARE(dev.skipped, size_t(0));
    QCOMPARE(q(dev.examples[2].textA), QString("Is it safe to swim right after \"eating?"));
    QCOMPARE(dev.examples[2].label, 1);
}

void TestGlueData::mnliStandardLayout_data()
{
    QTest::addColumn<QString>("split");
    QTest::addColumn<int>("count");
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("lastGold");
    QTest::newRow("train (12 columns)") << "train" << 5 << "train.tsv" << "entailment";
    QTest::newRow("dev is dev_matched (16 columns)") << "dev" << 3 << "dev_matched.tsv" << "entailment";
    QTest::newRow("dev_matched") << "dev_matched" << 3 << "dev_matched.tsv" << "entailment";
    QTest::newRow("dev_mismatched") << "dev_mismatched" << 2 << "dev_mismatched.tsv" << "entailment";
}

void TestGlueData::mnliStandardLayout()
{
    QFETCH(QString, split);
    QFETCH(int, count);
    QFETCH(QString, file);
    QFETCH(QString, lastGold);
    const auto& mnli = ax::taskSpec("mnli");
    const auto data = ax::loadGlueSplit(mnli, ax::test::testDataFolder() / "MNLI", split.toStdString());
    QCOMPARE(data.examples.size(), size_t(count));
    QCOMPARE(data.skipped, size_t(0));
    QVERIFY(q(data.file).endsWith("MNLI/" + file));
    QCOMPARE(q(mnli.labels.at(static_cast<size_t>(data.examples.back().label))), lastGold);
    QCOMPARE(q(data.examples.front().id), QString("0"));
    if (split == "train") {
        // sentence1/sentence2 by header name, the gold label the last column, the quote kept.
        QCOMPARE(q(data.examples[3].textA), QString("He said \"I will be there soon and then left."));
        QCOMPARE(q(data.examples[3].textB), QString("He never said anything."));
        QCOMPARE(data.examples[3].label, 0);
        QCOMPARE(data.examples[2].label, 2);
    }
}

void TestGlueData::testSplitsHaveNoLabels()
{
    const auto qqp = ax::loadGlueSplit(ax::taskSpec("qqp"), ax::test::testDataFolder() / "QQP", "test");
    QCOMPARE(qqp.examples.size(), size_t(2));
    QCOMPARE(q(qqp.examples[1].id), QString("1"));
    QCOMPARE(qqp.examples[1].label, -1);
    const auto mnli = ax::loadGlueSplit(ax::taskSpec("mnli"), ax::test::testDataFolder() / "MNLI", "test");
    QCOMPARE(mnli.examples.size(), size_t(1));
    QCOMPARE(mnli.examples[0].label, -1);
    QVERIFY(mnli.examples[0].hasTextB);

    // CoLA's test file has a header (index, sentence) where train/dev have none.
    const auto folder = ax::test::scratchFolder("cola-test");
    writeFile(folder / "test.tsv", "index\tsentence\n0\tBill whistled past the house.\n1\tThe car honked its way.\n");
    const auto cola = ax::loadGlueSplit(ax::taskSpec("cola"), folder, "test");
    QCOMPARE(cola.examples.size(), size_t(2));
    QCOMPARE(q(cola.examples[1].textA), QString("The car honked its way."));
    QCOMPARE(cola.examples[1].label, -1);
    // STS-B test: no score column.
    writeFile(folder / "stsb" / "test.tsv",
              "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\n"
              "0\tmain-captions\tMSRvid\t2012test\t0024\tnone\tnone\tA girl is styling her hair.\tA girl is brushing her hair.\n");
    const auto stsb = ax::loadGlueSplit(ax::taskSpec("stsb"), folder / "stsb", "test");
    QCOMPARE(stsb.examples.size(), size_t(1));
    QCOMPARE(stsb.examples[0].score, 0.0f);
}

void TestGlueData::lenientFormatting()
{
    // Windows line ends, a BOM, trailing blank lines and a missing final newline are fine.
    const auto folder = ax::test::scratchFolder("formatting");
    writeFile(folder / "train.tsv", "\xEF\xBB\xBFsentence\tlabel\r\ngood film\t1\r\nbad film\t0\r\n\r\n\n");
    writeFile(folder / "dev.tsv", "sentence\tlabel\nfine\t1");
    const auto& sst2 = ax::taskSpec("sst2");
    const auto train = ax::loadGlueSplit(sst2, folder, "train");
    QCOMPARE(train.examples.size(), size_t(2));
    QCOMPARE(q(train.examples[1].textA), QString("bad film"));
    QCOMPARE(train.examples[1].label, 0);
    QCOMPARE(q(train.examples[1].id), QString("1"));
    QCOMPARE(ax::loadGlueSplit(sst2, folder, "dev").examples.size(), size_t(1));
}

void TestGlueData::malformed_data()
{
    QTest::addColumn<QString>("task");
    QTest::addColumn<QByteArray>("content");   // written as train.tsv; empty = no file
    QTest::addColumn<QString>("split");
    QTest::addColumn<QString>("fragment");

    QTest::newRow("too few columns") << "sst2" << QByteArray("sentence\tlabel\ngood\t1\nno label here\n") << "train"
                                     << "train.tsv:3: 1 column, expected 2";
    QTest::newRow("too many columns") << "rte" << QByteArray("index\tsentence1\tsentence2\tlabel\n0\ta\tb\tentailment\textra\n")
                                      << "train" << "train.tsv:2: 5 columns, expected 4";
    QTest::newRow("blank line inside") << "sst2" << QByteArray("sentence\tlabel\ngood\t1\n\nbad\t0\n") << "train"
                                       << "train.tsv:3: 1 column, expected 2";
    QTest::newRow("unknown label") << "sst2" << QByteArray("sentence\tlabel\ngood\t1\nbad\t2\n") << "train"
                                   << "train.tsv:3: unknown label \"2\" for sst2, expected one of \"0\", \"1\"";
    QTest::newRow("label id for a string label") << "rte" << QByteArray("index\tsentence1\tsentence2\tlabel\n0\ta\tb\t1\n")
                                                 << "train" << "train.tsv:2: unknown label \"1\" for rte";
    QTest::newRow("MNLI '-' gold label") << "mnli"
                                         << QByteArray("index\tpromptID\tpairID\tgenre\tsentence1_binary_parse\tsentence2_binary_parse\t"
                                                       "sentence1_parse\tsentence2_parse\tsentence1\tsentence2\tlabel1\tgold_label\n"
                                                       "0\t1\t1n\tslate\t( a )\t( b )\t(ROOT a)\t(ROOT b)\tA.\tB.\tneutral\t-\n")
                                         << "train" << "train.tsv:2: unknown label \"-\" for mnli";
    QTest::newRow("score not a number") << "stsb"
                                        << QByteArray("index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore\n"
                                                      "0\tg\tf\ty\t0\tnone\tnone\tA.\tB.\tfive\n")
                                        << "train" << "train.tsv:2: the score \"five\" is not a number";
    QTest::newRow("score empty") << "stsb"
                                 << QByteArray("index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore\n"
                                               "0\tg\tf\ty\t0\tnone\tnone\tA.\tB.\t\n")
                                 << "train" << "train.tsv:2: the score \"\" is not a number";
    QTest::newRow("score infinite") << "stsb"
                                    << QByteArray("index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore\n"
                                                  "0\tg\tf\ty\t0\tnone\tnone\tA.\tB.\tinf\n")
                                    << "train" << "is not a number";
    QTest::newRow("score outside 0-5") << "stsb"
                                       << QByteArray("index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore\n"
                                                     "0\tg\tf\ty\t0\tnone\tnone\tA.\tB.\t7.5\n")
                                       << "train" << "train.tsv:2: the score \"7.5\" is outside stsb's range [0, 5]";
    QTest::newRow("empty text") << "rte" << QByteArray("index\tsentence1\tsentence2\tlabel\n0\ta\t \tentailment\n") << "train"
                                << "train.tsv:2: empty text in column \"sentence2\"";
    QTest::newRow("header lacks a column") << "mrpc" << QByteArray("Quality\t#1 ID\t#2 ID\t#1 String\n1\t2\t3\ta\n") << "train"
                                           << "train.tsv:1: the header has no column \"#2 String\" that mrpc needs";
    QTest::newRow("wrong task's folder") << "rte" << QByteArray("sentence\tlabel\ngood\t1\n") << "train"
                                         << "has no column \"sentence1\"";
    QTest::newRow("repeated index") << "wnli" << QByteArray("index\tsentence1\tsentence2\tlabel\n7\ta\tb\t1\n7\tc\td\t0\n") << "train"
                                    << "train.tsv:3: index \"7\" repeats line 2";
    QTest::newRow("not UTF-8") << "sst2" << QByteArray("sentence\tlabel\ngood\t1\nbad \xff film\t0\n") << "train"
                               << "train.tsv:3: not UTF-8";
    QTest::newRow("CoLA without header, 3 columns") << "cola" << QByteArray("gj04\t1\t\tFine.\ngj04\t1\tBroken.\n") << "train"
                                                    << "train.tsv:2: 3 columns, expected 4";
    QTest::newRow("CoLA bad label") << "cola" << QByteArray("gj04\tyes\t\tFine.\n") << "train" << "train.tsv:1: unknown label \"yes\"";
    QTest::newRow("empty file") << "sst2" << QByteArray("") << "train" << "train.tsv: empty file";
    QTest::newRow("header only") << "sst2" << QByteArray("sentence\tlabel\n") << "train" << "train.tsv: no examples";
    QTest::newRow("QQP, every row broken") << "qqp" << QByteArray("id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate\n1\t2\n")
                                           << "train" << "train.tsv: no examples (all 1 rows skipped)";
    QTest::newRow("QQP unknown label is still an error") << "qqp"
                                                         << QByteArray("id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate\n1\t2\t3\ta?\tb?\tyes\n")
                                                         << "train" << "train.tsv:2: unknown label \"yes\"";
    QTest::newRow("missing file") << "sst2" << QByteArray() << "dev" << "dev.tsv: no such file";
    QTest::newRow("unknown split") << "sst2" << QByteArray() << "validation" << "task sst2 has no split \"validation\": expected one of train dev test";
    QTest::newRow("mismatched is MNLI only") << "rte" << QByteArray() << "dev_mismatched" << "task rte has no split";
    QTest::newRow("SQuAD is no GLUE task") << "squad" << QByteArray() << "dev" << "use the SQuAD loader";
}

void TestGlueData::malformed()
{
    QFETCH(QString, task);
    QFETCH(QByteArray, content);
    QFETCH(QString, split);
    QFETCH(QString, fragment);
    const auto folder = ax::test::scratchFolder("malformed");
    if (!content.isNull()) writeFile(folder / "train.tsv", content.toStdString());
    expectErrorMentioning([&] { ax::loadGlueSplit(ax::taskSpec(task.toStdString()), folder, split.toStdString()); }, fragment);
}

void TestGlueData::validationSplit()
{
    const auto examples = numberedExamples(1000);
    const auto split = ax::carveValidation(examples);
    QCOMPARE(split.val.size(), size_t(150));
    QCOMPARE(split.train.size(), size_t(850));
    const auto valIds = idsOf(split.val), trainIds = idsOf(split.train);
    QCOMPARE(valIds.size(), size_t(150));
    for (const auto& id : valIds) QVERIFY(!trainIds.count(id));
    std::set<std::string> all = valIds;
    all.insert(trainIds.begin(), trainIds.end());
    QCOMPARE(all, idsOf(examples));
    // Both halves keep the file order.
    for (size_t i = 1; i < split.val.size(); ++i) QVERIFY(std::stoi(split.val[i - 1].id) < std::stoi(split.val[i].id));
    for (size_t i = 1; i < split.train.size(); ++i) QVERIFY(std::stoi(split.train[i - 1].id) < std::stoi(split.train[i].id));

    QCOMPARE(idsOf(ax::carveValidation(examples, 0.15, 42).val), valIds);
    QVERIFY(idsOf(ax::carveValidation(examples, 0.15, 43).val) != valIds);
    // sklearn's ceil: 15% of 10 is 2 (1.5 rounded up), of 7 is 2 (1.05).
    QCOMPARE(ax::carveValidation(numberedExamples(10)).val.size(), size_t(2));
    QCOMPARE(ax::carveValidation(numberedExamples(7)).val.size(), size_t(2));
    QCOMPARE(ax::carveValidation(examples, 0.0).val.size(), size_t(0));
    QCOMPARE(ax::carveValidation(examples, 0.5, 7).val.size(), size_t(500));
    QCOMPARE(ax::carveValidation({}).val.size(), size_t(0));
}

void TestGlueData::validationSplitPinned()
{
    // The split must not change across platforms or releases: a val chosen on one machine is
    // the val on every other. These ids were produced by this implementation (mt19937_64, seed
    // 42, Fisher-Yates with rejection sampling) and pin it.
    const auto split = ax::carveValidation(numberedExamples(40), 0.15, 42);
    QStringList ids;
    for (const auto& example : split.val) ids << q(example.id);
    QCOMPARE(ids.join(' '), QString("0 4 7 12 23 34"));
}

void TestGlueData::validationSplitErrors()
{
    const auto examples = numberedExamples(10);
    expectErrorMentioning([&] { ax::carveValidation(examples, 1.0); }, "outside [0, 1)");
    expectErrorMentioning([&] { ax::carveValidation(examples, -0.1); }, "outside [0, 1)");
    expectErrorMentioning([&] { ax::carveValidation(numberedExamples(1), 0.15); }, "leaves none of the 1 training examples");
}

void TestGlueData::encodeRealPairs()
{
    AX_REQUIRE_SHARED(vocab, "vocab/bert-base-uncased/vocab.txt");
    AX_REQUIRE_SHARED(rte, "data/glue/RTE");
    const ax::BertTokenizer tokenizer(ax::Vocab::fromFile(vocab), true);
    const auto data = ax::loadGlueSplit(ax::taskSpec("rte"), rte, "dev");
    const auto features = ax::encodeExamples(data.examples, tokenizer, 128);
    QCOMPARE(features.size(), data.examples.size());
    size_t truncated = 0;
    for (size_t i = 0; i < features.size(); ++i) {
        const auto& feature = features[i];
        QVERIFY(feature.length() <= 128);
        truncated += feature.length() == 128;
        QCOMPARE(feature.inputIds.front(), tokenizer.vocab().clsId());
        QCOMPARE(feature.inputIds.back(), tokenizer.vocab().sepId());
        QCOMPARE(feature.tokenTypeIds.size(), feature.inputIds.size());
        QCOMPARE(feature.tokenTypeIds.back(), int64_t(1));
        QCOMPARE(feature.label, data.examples[i].label);
        QCOMPARE(feature.exampleIndex, i);
        // Exactly what the tokenizer's own pair encoding gives.
        const auto encoding = tokenizer.encode(data.examples[i].textA, data.examples[i].textB, 128);
        QCOMPARE(feature.inputIds, encoding.inputIds);
    }
    QVERIFY(truncated > 0);   // RTE has premises longer than 128 tokens

    // Dynamic padding: batches of the shuffled dev set are much shorter than 128 on average.
    const auto batches = ax::makeBatches(features, 32, true, 1);
    int64_t cells = 0;
    for (const auto& batch : batches) cells += batch.size * batch.length;
    QVERIFY2(cells < int64_t(features.size()) * 128 * 3 / 4, qPrintable(QString::number(cells)));
}

void TestGlueData::encodeTruncates()
{
    const auto folder = ax::test::scratchFolder("vocab");
    writeFile(folder / "vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\na\nb\nc\n");
    const ax::BertTokenizer tokenizer(ax::Vocab::fromFile(folder / "vocab.txt"), true);
    ax::Example single;
    single.textA = "a b c a b c";
    single.label = 1;
    ax::Example pair;
    pair.textA = "a a a a a";
    pair.textB = "b b";
    pair.hasTextB = true;
    pair.score = 2.5f;
    const auto features = ax::encodeExamples({single, pair}, tokenizer, 6);
    QCOMPARE(features[0].inputIds, (std::vector<int64_t>{2, 5, 6, 7, 5, 3}));
    QCOMPARE(features[0].label, 1);
    // Longest first into 6 - 3 = 3 tokens: a drops to 2 tokens, then b (not shorter) to 1.
    QCOMPARE(features[1].inputIds, (std::vector<int64_t>{2, 5, 5, 3, 6, 3}));
    QCOMPARE(features[1].tokenTypeIds, (std::vector<int64_t>{0, 0, 0, 0, 1, 1}));
    QCOMPARE(features[1].score, 2.5f);
    QCOMPARE(features[1].exampleIndex, size_t(1));
}

void TestGlueData::batchesInOrder()
{
    std::vector<ax::Feature> features;
    const std::vector<int64_t> lengths{5, 3, 9, 2, 2, 7, 4};
    for (size_t i = 0; i < lengths.size(); ++i) features.push_back(syntheticFeature(i, lengths[i]));
    const auto batches = ax::makeBatches(features, 3, false, 0, 99);
    QCOMPARE(batches.size(), size_t(3));
    QCOMPARE(batches[0].features, (std::vector<size_t>{0, 1, 2}));
    QCOMPARE(batches[1].features, (std::vector<size_t>{3, 4, 5}));
    QCOMPARE(batches[2].features, (std::vector<size_t>{6}));
    QCOMPARE(batches[0].length, int64_t(9));
    QCOMPARE(batches[1].length, int64_t(7));
    QCOMPARE(batches[2].length, int64_t(4));   // padded to its own longest, not to the data's
    for (const auto& batch : batches) checkBatch(batch, features, 99);
}

void TestGlueData::batchesBucketed()
{
    // 1000 features of lengths 2..129 in a scrambled order.
    std::vector<ax::Feature> features;
    for (size_t i = 0; i < 1000; ++i) features.push_back(syntheticFeature(i, 2 + static_cast<int64_t>((i * 7919) % 128)));
    const auto batches = ax::makeBatches(features, 16, true, 42);
    QCOMPARE(batches.size(), size_t(63));
    std::vector<int> seen(features.size(), 0);
    int64_t cells = 0, tokens = 0;
    for (const auto& batch : batches) {
        checkBatch(batch, features, 0);
        QVERIFY(batch.size >= 1 && batch.size <= 16);
        for (const size_t f : batch.features) {
            ++seen[f];
            tokens += features[f].length();
        }
        cells += batch.size * batch.length;
    }
    for (const int count : seen) QCOMPARE(count, 1);
    // Buckets sorted by length: little padding (random batches of these lengths pad ~50%).
    QVERIFY2(double(cells) < 1.1 * double(tokens), qPrintable(QString("%1 cells for %2 tokens").arg(cells).arg(tokens)));
    // The batch order is shuffled: not sorted by length overall.
    bool ascending = true;
    for (size_t b = 1; b < batches.size(); ++b) ascending = ascending && batches[b].length >= batches[b - 1].length;
    QVERIFY(!ascending);

    const auto again = ax::makeBatches(features, 16, true, 42);
    const auto other = ax::makeBatches(features, 16, true, 43);
    bool same = true, differs = false;
    for (size_t b = 0; b < batches.size(); ++b) {
        same = same && again[b].features == batches[b].features;
        differs = differs || other[b].features != batches[b].features;
    }
    QVERIFY(same);
    QVERIFY(differs);
    QVERIFY(ax::makeBatches({}, 8, true, 1).empty());
}

void TestGlueData::batchErrors()
{
    std::vector<ax::Feature> features{syntheticFeature(0, 3)};
    expectErrorMentioning([&] { ax::makeBatches(features, 0, false, 0); }, "batch size 0 must be at least 1");
    features.push_back(ax::Feature{});
    expectErrorMentioning([&] { ax::makeBatches(features, 2, false, 0); }, "feature 1 has no tokens");
    features[1] = syntheticFeature(1, 4);
    features[1].tokenTypeIds.pop_back();
    expectErrorMentioning([&] { ax::makeBatches(features, 2, false, 0); }, "feature 1 has 3 token types for 4 tokens");
}

void TestGlueData::predictionsRoundTrip()
{
    const auto folder = ax::test::scratchFolder("predictions");
    std::vector<ax::Example> examples{numbered(0), numbered(1), numbered(2)};
    examples[2].id = "17";
    const auto& mnli = ax::taskSpec("mnli");
    ax::writeGluePredictions(folder / "mnli.tsv", mnli, examples, std::vector<int>{2, 0, 1});
    std::ifstream in(folder / "mnli.tsv", std::ios::binary);
    const std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    QCOMPARE(q(content), QString("index\tprediction\n0\tneutral\n1\tcontradiction\n17\tentailment\n"));
    const auto read = ax::readGluePredictions(folder / "mnli.tsv");
    QCOMPARE(read.size(), size_t(3));
    QCOMPARE(q(read.at("17")), QString("entailment"));

    const auto& stsb = ax::taskSpec("stsb");
    ax::writeGluePredictions(folder / "stsb.tsv", stsb, examples, std::vector<double>{3.25, 0.0004, -0.0001});
    const auto scores = ax::readGluePredictions(folder / "stsb.tsv");
    QCOMPARE(q(scores.at("0")), QString("3.250"));
    QCOMPARE(q(scores.at("1")), QString("0.000"));
    QCOMPARE(q(scores.at("17")), QString("0.000"));

    expectErrorMentioning([&] { ax::writeGluePredictions(folder / "x.tsv", mnli, examples, std::vector<int>{0, 1}); },
                          "cannot write 2 predictions for 3 examples");
    expectErrorMentioning([&] { ax::writeGluePredictions(folder / "x.tsv", mnli, examples, std::vector<int>{0, 1, 3}); },
                          "prediction 3 for example 17 is not a label id of mnli");
    expectErrorMentioning([&] { ax::writeGluePredictions(folder / "x.tsv", mnli, examples, std::vector<double>{0, 1, 2}); },
                          "does not predict scores");
    QVERIFY(!std::filesystem::exists(folder / "x.tsv"));
}

void TestGlueData::predictionFileErrors_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("fragment");
    QTest::newRow("no header") << QByteArray("0\t1\n") << "p.tsv:1: expected the header \"index<TAB>prediction\"";
    QTest::newRow("empty") << QByteArray("") << "p.tsv: empty file";
    QTest::newRow("three columns") << QByteArray("index\tprediction\n0\t1\n1\t0\textra\n") << "p.tsv:3: 3 columns, expected 2";
    QTest::newRow("repeated index") << QByteArray("index\tprediction\n0\t1\n0\t0\n") << "p.tsv:3: index 0 repeats line 2";
    QTest::newRow("empty index") << QByteArray("index\tprediction\n\t1\n") << "p.tsv:2: empty index";
}

void TestGlueData::predictionFileErrors()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, fragment);
    const auto file = writeFile(ax::test::scratchFolder("bad-predictions") / "p.tsv", content.toStdString());
    expectErrorMentioning([&] { ax::readGluePredictions(file); }, fragment);
}

void TestGlueData::scoreRealDev()
{
    AX_REQUIRE_SHARED(rte, "data/glue/RTE");
    AX_REQUIRE_SHARED(stsbFolder, "data/glue/STS-B");
    const auto folder = ax::test::scratchFolder("score-real");

    // Gold labels as predictions: perfect; a constant "entailment": the share of that class.
    const auto& task = ax::taskSpec("rte");
    const auto dev = ax::loadGlueSplit(task, rte, "dev");
    std::vector<int> gold, constant(dev.examples.size(), 0);
    for (const auto& example : dev.examples) gold.push_back(example.label);
    ax::writeGluePredictions(folder / "gold.tsv", task, dev.examples, gold);
    auto report = ax::scorePredictionsFile(task, rte, folder / "gold.tsv");
    QCOMPARE(report.examples, size_t(277));
    QCOMPARE(report.metrics.values.at("accuracy"), 1.0);
    ax::writeGluePredictions(folder / "constant.tsv", task, dev.examples, constant);
    report = ax::scorePredictionsFile(task, rte, folder / "constant.tsv");
    const double entailed = double(std::count(gold.begin(), gold.end(), 0)) / double(gold.size());
    QCOMPARE(report.metrics.values.at("accuracy"), entailed);
    const auto json = ax::scoreReportJson(report);
    QCOMPARE(q(json.at("task").get<std::string>()), QString("rte"));
    QCOMPARE(q(json.at("split").get<std::string>()), QString("dev"));
    QCOMPARE(json.at("examples").get<int>(), 277);

    // STS-B gold scores written with 3 decimals: correlations of 1, but for Spearman's ties (dev
    // has a gold 2.33333333333333, which ties with 2.333 once rounded).
    const auto& stsb = ax::taskSpec("stsb");
    const auto stsbDev = ax::loadGlueSplit(stsb, stsbFolder, "dev");
    std::vector<double> scores;
    for (const auto& example : stsbDev.examples) scores.push_back(example.score);
    ax::writeGluePredictions(folder / "stsb.tsv", stsb, stsbDev.examples, scores);
    report = ax::scorePredictionsFile(stsb, stsbFolder, folder / "stsb.tsv");
    QVERIFY(report.metrics.values.at("pearson") > 1 - 1e-9);
    QVERIFY2(report.metrics.values.at("spearman") > 1 - 1e-5, qPrintable(QString::number(report.metrics.values.at("spearman"), 'g', 17)));

    // Train-split predictions against dev: the first unknown index is named.
    const auto train = ax::loadGlueSplit(task, rte, "train");
    ax::writeGluePredictions(folder / "train.tsv", task, train.examples, std::vector<int>(train.examples.size(), 0));
    expectErrorMentioning([&] { ax::scorePredictionsFile(task, rte, folder / "train.tsv"); }, "is not in");
    expectErrorMentioning([&] { ax::scorePredictionsFile(task, rte, folder / "none.tsv"); }, "none.tsv: no such file");
}

AX_TEST_MAIN(TestGlueData)
#include "test_glue_data.moc"
