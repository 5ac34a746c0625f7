// A user's own task: the same examples read from TSV, CSV (quoted commas, newlines and quotes)
// and JSONL; column mapping, labels from the train file (sorted numerically or as text) or given,
// pairs, ids, regression, validation.* as the dev split; every malformed input fails naming its
// file and line.
#include "test_support.h"

#include "common/error.h"
#include "data/custom_task.h"
#include "data/table_file.h"
#include "data/task_split.h"

#include <nlohmann/json.hpp>

using ax::test::expectErrorMentioning;
using ax::test::writeFile;
namespace fs = std::filesystem;

namespace {

QString q(const std::string& text) { return QString::fromStdString(text); }

ax::CustomTaskSettings reviewSettings()
{
    ax::CustomTaskSettings settings;
    settings.columns.text = "review";
    settings.columns.label = "stars";
    return settings;
}

// The same three reviews as TSV, CSV and JSONL; the CSV quotes a comma, a newline and a quote.
fs::path reviewsIn(const QString& name, const std::string& format)
{
    const fs::path folder = ax::test::scratchFolder(name);
    if (format == "tsv") {
        writeFile(folder / "train.tsv", "review\tstars\ngood, really\t5\nbad news\t1\nsaid \"fine\"\t10\n");
        writeFile(folder / "dev.tsv", "review\tstars\nok\t5\n");
    } else if (format == "csv") {
        writeFile(folder / "train.csv", "review,stars\r\n\"good, really\",5\r\n\"bad news\",1\r\n\"said \"\"fine\"\"\",10\r\n");
        writeFile(folder / "validation.csv", "review,stars\nok,5\n");
    } else {
        writeFile(folder / "train.jsonl", "{\"review\": \"good, really\", \"stars\": 5}\n{\"review\": \"bad news\", \"stars\": 1}\n\n"
                                          "{\"stars\": \"10\", \"review\": \"said \\\"fine\\\"\", \"extra\": [1]}\n");
        writeFile(folder / "dev.jsonl", "{\"review\": \"ok\", \"stars\": 5}\n");
    }
    return folder;
}

}  // namespace

class TestCustomTask : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void sameExamplesFromEveryFormat_data()
    {
        QTest::addColumn<QString>("format");
        QTest::newRow("tsv") << "tsv";
        QTest::newRow("csv") << "csv";
        QTest::newRow("jsonl") << "jsonl";
    }

    void sameExamplesFromEveryFormat()
    {
        QFETCH(QString, format);
        const fs::path data = reviewsIn("formats-" + format, format.toStdString());
        const ax::TaskSpec task = ax::customTaskSpec(reviewSettings(), data);
        // Integer labels sort as numbers: "10" after "5".
        QCOMPARE(task.labels, (std::vector<std::string>{"1", "5", "10"}));
        QCOMPARE(task.metrics, (std::vector<std::string>{"accuracy", "mcc"}));
        QCOMPARE(task.primaryMetric, std::string("accuracy"));
        QVERIFY(!task.pair);
        const ax::Dataset train = ax::loadTaskSplit(task, data, "train");
        QCOMPARE(train.examples.size(), size_t(3));
        QCOMPARE(q(train.examples[0].textA), QStringLiteral("good, really"));
        QCOMPARE(q(train.examples[1].textA), QStringLiteral("bad news"));
        QCOMPARE(q(train.examples[2].textA), QStringLiteral("said \"fine\""));
        QCOMPARE(train.examples[0].label, 1);
        QCOMPARE(train.examples[1].label, 0);
        QCOMPARE(train.examples[2].label, 2);
        QCOMPARE(q(train.examples[2].id), QStringLiteral("2"));  // row numbers without an id column
        const ax::Dataset dev = ax::loadTaskSplit(task, data, "dev");
        QCOMPARE(dev.examples.size(), size_t(1));
        QCOMPARE(dev.examples[0].label, 1);
    }

    void csvQuotedNewlinesKeepTheirLine()
    {
        const fs::path file = writeFile(ax::test::scratchFolder("csv-lines") / "train.csv",
                                        "text,label\n\"two\nlines\",a\nnext,b\n\"x\",\"c\"\"\"\n");
        const auto records = ax::readTable(file, {"text", "label"});
        QCOMPARE(records.size(), size_t(3));
        QCOMPARE(q(records[0].values[0]), QStringLiteral("two\nlines"));
        QCOMPARE(q(records[1].where), q(file.string() + ":4"));
        QCOMPARE(q(records[2].values[1]), QStringLiteral("c\""));
    }

    void pairsIdsGivenLabelsAndMetric()
    {
        const fs::path data = ax::test::scratchFolder("pairs");
        writeFile(data / "train.tsv", "id\tq\tp\tgold\nx1\tis it?\tit is\tyes\nx2\tis it?\tno\tno\n");
        writeFile(data / "dev.tsv", "id\tq\tp\tgold\nd1\tand this?\tyes\tno\n");
        ax::CustomTaskSettings settings;
        settings.columns = {"q", "p", "gold", "id"};
        settings.labels = {"yes", "no"};  // the user's order, not the sorted one
        settings.metric = "f1";
        const ax::TaskSpec task = ax::customTaskSpec(settings, data);
        QCOMPARE(task.metrics, (std::vector<std::string>{"accuracy", "f1", "mcc"}));
        QCOMPARE(task.primaryMetric, std::string("f1"));
        QVERIFY(task.pair);
        const ax::Dataset train = ax::loadTaskSplit(task, data, "train");
        QCOMPARE(q(train.examples[1].id), QStringLiteral("x2"));
        QCOMPARE(q(train.examples[1].textB), QStringLiteral("no"));
        QVERIFY(train.examples[1].hasTextB);
        QCOMPARE(train.examples[0].label, 0);
        QCOMPARE(train.examples[1].label, 1);
        const nlohmann::json recorded = ax::customTaskJson(task);
        QCOMPARE(q(recorded["columns"]["text_pair"].get<std::string>()), QStringLiteral("p"));
        QCOMPARE(recorded["labels"], nlohmann::json({"yes", "no"}));
        QCOMPARE(q(recorded["metric"].get<std::string>()), QStringLiteral("f1"));
        QVERIFY(ax::customTaskJson(ax::taskSpec("sst2")).is_null());
    }

    void textLabelsSortAsText()
    {
        const fs::path data = ax::test::scratchFolder("text-labels");
        writeFile(data / "train.csv", "text,label\na,positive\nb,negative\nc,neutral\nd,negative\n");
        writeFile(data / "dev.csv", "text,label\ne,neutral\n");
        const ax::TaskSpec task = ax::customTaskSpec(ax::CustomTaskSettings{}, data);  // default columns text, label
        QCOMPARE(task.labels, (std::vector<std::string>{"negative", "neutral", "positive"}));
    }

    void regressionScores()
    {
        const fs::path data = ax::test::scratchFolder("regression");
        writeFile(data / "train.jsonl", "{\"text\": \"a\", \"label\": 0.25}\n{\"text\": \"b\", \"label\": -3}\n");
        writeFile(data / "dev.jsonl", "{\"text\": \"c\", \"label\": \"1e2\"}\n");
        ax::CustomTaskSettings settings;
        settings.regression = true;
        settings.metric = "spearman";
        const ax::TaskSpec task = ax::customTaskSpec(settings, data);
        QCOMPARE(task.kind, ax::TaskKind::Regression);
        QCOMPARE(task.primaryMetric, std::string("spearman"));
        QVERIFY(task.labels.empty());
        const ax::Dataset train = ax::loadTaskSplit(task, data, "train");
        QCOMPARE(train.examples[0].score, 0.25f);
        QCOMPARE(train.examples[1].score, -3.0f);
        QCOMPARE(ax::loadTaskSplit(task, data, "dev").examples[0].score, 100.0f);
    }

    void impossibleSettingsAreRefused()
    {
        const fs::path data = reviewsIn("settings", "csv");
        ax::CustomTaskSettings settings = reviewSettings();
        settings.metric = "f1";
        expectErrorMentioning([&] { ax::customTaskSpec(settings, data); },
                              "the metric \"f1\" does not fit this task: expected one of \"accuracy\", \"mcc\" (f1 needs exactly two labels)");
        settings = reviewSettings();
        settings.labels = {"1", "5", "1"};
        expectErrorMentioning([&] { ax::customTaskSpec(settings, data); }, "the label \"1\" is listed twice");
        settings = reviewSettings();
        settings.labels = {"1", "", "5"};
        expectErrorMentioning([&] { ax::customTaskSpec(settings, data); }, "has an empty name (two commas in a row?)");
        settings = reviewSettings();
        settings.columns.textPair = "review";
        expectErrorMentioning([&] { ax::customTaskSpec(settings, data); }, "\"review\" is named twice");
        settings = reviewSettings();
        settings.regression = true;
        settings.labels = {"a", "b"};
        expectErrorMentioning([&] { ax::customTaskSpec(settings, data); }, "a regression task has scores, not labels");

        const fs::path oneLabel = ax::test::scratchFolder("one-label");
        writeFile(oneLabel / "train.csv", "text,label\na,x\nb,x\n");
        expectErrorMentioning([&] { ax::customTaskSpec(ax::CustomTaskSettings{}, oneLabel); },
                              q((oneLabel / "train.csv").string() + ": column \"label\" holds only the label \"x\""));
    }

    void missingAndAmbiguousFiles()
    {
        const fs::path empty = ax::test::scratchFolder("no-files");
        expectErrorMentioning([&] { ax::customSplitFile(empty, "train"); },
                              q(empty.string() + ": no train file (expected train.tsv, train.csv or train.jsonl)"));
        expectErrorMentioning([&] { ax::customSplitFile(empty / "nowhere", "dev"); }, q((empty / "nowhere").string() + ": no such folder"));
        const fs::path both = reviewsIn("ambiguous", "csv");
        writeFile(both / "dev.csv", "review,stars\nok,5\n");
        expectErrorMentioning([&] { ax::customSplitFile(both, "dev"); }, "more than one dev file (dev.csv, validation.csv): keep one");
        expectErrorMentioning([&] { ax::customSplitFile(both, "test"); }, "a custom task has the splits train and dev, not \"test\"");
        expectErrorMentioning([&] { ax::customSplitFile(both / "train.csv", "dev"); }, "is a file: give the folder");
    }

    // Each broken file fails naming the file, the line and what is wrong.
    void malformed_data()
    {
        QTest::addColumn<QString>("fileName");
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("expected");
        QTest::newRow("no column") << "train.csv" << QByteArray("text,gold\na,1\n") << ":1: the header has no column \"label\" (found \"text\", \"gold\")";
        QTest::newRow("twice") << "train.csv" << QByteArray("text,label,label\na,1,2\n") << ":1: the header names column \"label\" twice";
        QTest::newRow("fields") << "train.csv" << QByteArray("text,label\na,1\nb, c,1\n") << ":3: 3 fields, the header has 2 (a comma inside an unquoted text?)";
        QTest::newRow("tsv fields") << "train.tsv" << QByteArray("text\tlabel\na\n") << ":2: 1 field, the header has 2 (tab-separated, no quoting)";
        QTest::newRow("unclosed") << "train.csv" << QByteArray("text,label\na,1\n\"b,1\nc,0\n") << ":3: a quoted field is never closed";
        QTest::newRow("not json") << "train.jsonl" << QByteArray("{\"text\": \"a\", \"label\": 1}\n{text: b}\n") << ":2: not JSON";
        QTest::newRow("number overflow") << "train.jsonl" << QByteArray("{\"text\": \"a\", \"label\": 1e99999}\n") << ":1: not JSON";
        QTest::newRow("array") << "train.jsonl" << QByteArray("[\"a\", 1]\n") << ":1: expected one JSON object per line, found array";
        QTest::newRow("no key") << "train.jsonl" << QByteArray("{\"text\": \"a\", \"labels\": 1}\n") << ":1: no key \"label\" (found \"labels\", \"text\")";
        QTest::newRow("null") << "train.jsonl" << QByteArray("{\"text\": null, \"label\": 1}\n") << ":1: the value of \"text\" is null, expected a string or a number";
        QTest::newRow("utf8") << "train.csv" << QByteArray("text,label\na,1\n\xff,0\n") << ":3: not UTF-8";
        QTest::newRow("empty text") << "train.csv" << QByteArray("text,label\n\" \",1\nb,0\n") << ":2: empty text in column \"text\"";
        QTest::newRow("header only") << "train.csv" << QByteArray("text,label\n") << ": no examples";
        QTest::newRow("empty") << "train.csv" << QByteArray("") << ": empty file, expected a header row naming the columns";
        QTest::newRow("id twice") << "train.csv" << QByteArray("id,text,label\nk,a,1\nk,b,0\n") << ":3: id \"k\" repeats ";
    }

    void malformed()
    {
        QFETCH(QString, fileName);
        QFETCH(QByteArray, content);
        QFETCH(QString, expected);
        const fs::path data = ax::test::scratchFolder("malformed-" + QString(QTest::currentDataTag()).replace(' ', '-'));
        writeFile(data / fileName.toStdString(), content.toStdString());
        ax::TaskSpec task;
        task.name = "custom";
        task.labels = {"0", "1"};
        task.columns = ax::ColumnMapping{};
        if (QString(QTest::currentDataTag()) == "id twice") task.columns->id = "id";
        expectErrorMentioning([&] { ax::loadTaskSplit(task, data, "train"); }, q((data / fileName.toStdString()).string()) + expected);
    }

    void devLabelsMustBeTheTrainFilesLabels()
    {
        const fs::path data = reviewsIn("dev-label", "tsv");
        writeFile(data / "dev.tsv", "review\tstars\nok\t5\nmeh\t3\n");
        const ax::TaskSpec task = ax::customTaskSpec(reviewSettings(), data);
        expectErrorMentioning([&] { ax::loadTaskSplit(task, data, "dev"); },
                              q((data / "dev.tsv").string() + ":3: unknown label \"3\" in column \"stars\", expected one of \"1\", \"5\", \"10\""));
        ax::TaskSpec regression = task;
        regression.kind = ax::TaskKind::Regression;
        writeFile(data / "dev.tsv", "review\tstars\nok\tfive\n");
        expectErrorMentioning([&] { ax::loadTaskSplit(regression, data, "dev"); }, ":2: the score \"five\" in column \"stars\" is not a number");
    }
};

AX_TEST_MAIN(TestCustomTask)
#include "test_custom_task.moc"
