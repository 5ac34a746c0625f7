// SQuAD v1.1: the official files load (10,570 dev questions), answer offsets convert from Python
// code points to bytes, malformed files fail naming the file and the question, features cover the
// context in strided windows whose offsets map back to the exact answer text, and oracle logits
// post-process back to the gold answers (EM ~100): the whole chain the fine-tuning relies on.
#include "test_support.h"

using ax::test::writeFile;
using ax::test::expectErrorMentioning;

#include "common/error.h"
#include "data/predictions.h"
#include "data/squad.h"
#include "data/task.h"
#include "metrics/metrics.h"
#include "metrics/scoring.h"
#include "text/bert_tokenizer.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <set>

class TestSquadData : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void loadOfficialDev();
    void loadDevSplit_data();
    void loadDevSplit();
    void characterOffsetsBecomeBytes();
    void malformed_data();
    void malformed();
    void answerMismatchAllowedOutsideTraining();
    void examplesForUniformHandling();
    void windowsCoverTheContext();
    void answerPositionsMapBack();
    void postProcessingRules();
    void postProcessingErrors();
    void oracleLogitsScorePerfectly_data();
    void oracleLogitsScorePerfectly();
    void predictionsRoundTrip();
    void scoreFile();
};

namespace {

using nlohmann::json;

QString q(const std::string& text) { return QString::fromStdString(text); }

// A one-paragraph SQuAD file.
json squadJson(const std::string& context, const json& qas)
{
    return {{"version", "1.1"}, {"data", {{{"title", "T"}, {"paragraphs", {{{"context", context}, {"qas", qas}}}}}}}};
}

json question(const std::string& id, const std::string& text, const json& answers)
{
    return {{"id", id}, {"question", text}, {"answers", answers}};
}

ax::BertTokenizer realTokenizer(const std::filesystem::path& vocab) { return ax::BertTokenizer(ax::Vocab::fromFile(vocab), true); }

// The context bytes a feature's tokens [start, end] cover.
std::string spanText(const ax::SquadQuestion& question, const ax::Feature& feature, int start, int end)
{
    const auto begin = static_cast<size_t>(feature.tokenToContextChar[static_cast<size_t>(start)]);
    const auto finish = static_cast<size_t>(feature.tokenToContextCharEnd[static_cast<size_t>(end)]);
    return question.context.substr(begin, finish - begin);
}

// Start/end logits that are 1 at the labelled positions (0 = [CLS] where the answer is elsewhere).
void oracleLogits(const std::vector<ax::Feature>& features, std::vector<std::vector<float>>& starts,
                  std::vector<std::vector<float>>& ends)
{
    starts.clear();
    ends.clear();
    for (const auto& feature : features) {
        // Padded past the feature's length, as a batch would give them; the padding must not count.
        std::vector<float> start(static_cast<size_t>(feature.length()) + 7, 0.0f), end = start;
        start[static_cast<size_t>(feature.startPosition)] = 1.0f;
        end[static_cast<size_t>(feature.endPosition)] = 1.0f;
        for (size_t p = static_cast<size_t>(feature.length()); p < start.size(); ++p) start[p] = end[p] = 50.0f;
        starts.push_back(std::move(start));
        ends.push_back(std::move(end));
    }
}

}  // namespace

void TestSquadData::loadOfficialDev()
{
    AX_REQUIRE_SHARED(file, "data/squad-v1.1/dev-v1.1.json");
    const auto questions = ax::loadSquad(file, "dev");
    QCOMPARE(questions.size(), size_t(10570));
    std::set<std::string> titles, ids;
    size_t answers = 0, nonAsciiContexts = 0;
    for (const auto& question : questions) {
        titles.insert(question.title);
        ids.insert(question.id);
        QVERIFY(!question.answers.empty());
        QCOMPARE(question.answerStarts.size(), question.answers.size());
        QCOMPARE(question.answerStart, question.answerStarts.front());
        // Every answer's bytes are exactly the context at its converted offset: the code point ->
        // byte conversion is right for all 674 contexts with non-ASCII text.
        for (size_t a = 0; a < question.answers.size(); ++a) {
            const auto& text = question.answers[a];
            QVERIFY2(question.context.compare(static_cast<size_t>(question.answerStarts[a]), text.size(), text) == 0,
                     qPrintable(q(question.id + ": " + text)));
            ++answers;
        }
        nonAsciiContexts += std::any_of(question.context.begin(), question.context.end(), [](char c) { return c & 0x80; });
    }
    QCOMPARE(titles.size(), size_t(48));
    QCOMPARE(ids.size(), questions.size());
    QCOMPARE(answers, size_t(34726));
    QVERIFY(nonAsciiContexts > 1000);
    QCOMPARE(q(questions.front().id), QString("56be4db0acb8001400a502ec"));
    QCOMPARE(q(questions.front().question), QString("Which NFL team represented the AFC at Super Bowl 50?"));
    QCOMPARE(q(questions.front().answers.front()), QString("Denver Broncos"));
    QCOMPARE(questions.front().answerStart, 177);
    QCOMPARE(q(questions.front().title), QString("Super_Bowl_50"));

    // The folder form finds dev-v1.1.json.
    QCOMPARE(ax::loadSquad(file.parent_path(), "dev").size(), size_t(10570));
}

void TestSquadData::loadDevSplit_data()
{
    QTest::addColumn<QString>("split");
    QTest::addColumn<int>("count");
    QTest::addColumn<int>("articles");
    QTest::newRow("train") << "train" << 8582 << 38;
    QTest::newRow("dev") << "dev" << 1988 << 10;
}

void TestSquadData::loadDevSplit()
{
    QFETCH(QString, split);
    QFETCH(int, count);
    QFETCH(int, articles);
    AX_REQUIRE_SHARED(folder, "data/squad-v1.1-devsplit");
    // "train" is loaded strictly: every answer text must be the context at answer_start.
    const auto questions = ax::loadSquad(folder, split.toStdString());
    QCOMPARE(questions.size(), size_t(count));
    std::set<std::string> titles;
    for (const auto& question : questions) titles.insert(question.title);
    QCOMPARE(titles.size(), size_t(articles));
}

void TestSquadData::characterOffsetsBecomeBytes()
{
    // answer_start counts code points (Python str indices): ë, “, é, ”, 😀 (one code point, four
    // bytes) and — before "answer" add 11 bytes to its 30 characters.
    const std::string context = "Zoë said “héllo” 😀 — then the answer came.";
    const auto file = writeFile(ax::test::scratchFolder("offsets") / "train.json",
                                squadJson(context, json::array({question("q1", "What came?", {{{"text", "answer"}, {"answer_start", 30}},
                                                                                  {{"text", "héllo"}, {"answer_start", 10}}})}))
                                    .dump());
    const auto questions = ax::loadSquad(file, "train");
    QCOMPARE(questions.size(), size_t(1));
    QCOMPARE(questions[0].answerStart, 41);
    QCOMPARE(questions[0].answerStarts, (std::vector<int>{41, 13}));
    QCOMPARE(q(questions[0].context.substr(41, 6)), QString("answer"));
    QCOMPARE(q(questions[0].title), QString("T"));
}

void TestSquadData::malformed_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("split");
    QTest::addColumn<QString>("fragment");
    const auto row = [](const json& value) { return QByteArray::fromStdString(value.dump()); };
    const json good = question("q1", "Who?", {{{"text", "Ann"}, {"answer_start", 0}}});

    QTest::newRow("not JSON") << QByteArray("{\"data\": [") << "dev" << "bad.json: not valid JSON";
    // Found by fuzzing: the JSON parser reports a number too large for a double as out_of_range.
    QTest::newRow("number overflow") << QByteArray("{\"data\": 1e99999}") << "dev" << "bad.json: not valid JSON";
    QTest::newRow("no data") << row({{"version", "1.1"}}) << "dev" << "bad.json: the top level: missing \"data\"";
    QTest::newRow("data not an array") << row({{"data", json::object()}}) << "dev" << "\"data\": expected an array of articles";
    QTest::newRow("no paragraphs") << row({{"data", {{{"title", "x"}}}}}) << "dev" << "data[0]: missing \"paragraphs\"";
    QTest::newRow("no context") << row({{"data", {{{"paragraphs", {{{"qas", json::array()}}}}}}}}) << "dev"
                                << "data[0].paragraphs[0]: missing \"context\"";
    QTest::newRow("empty context") << row(squadJson("", json::array())) << "dev" << "data[0].paragraphs[0].context: empty";
    QTest::newRow("question not a string") << row(squadJson("Ann ran.", {{{"id", "q1"}, {"question", 5}, {"answers", json::array()}}}))
                                           << "dev" << "data[0].paragraphs[0].qas[0] (id q1).question: expected a string";
    QTest::newRow("no id") << row(squadJson("Ann ran.", {{{"question", "Who?"}, {"answers", json::array()}}})) << "dev"
                           << "data[0].paragraphs[0].qas[0]: missing \"id\"";
    QTest::newRow("empty question") << row(squadJson("Ann ran.", json::array({question("q1", " ", json::array())}))) << "dev"
                                    << "(id q1): empty question";
    QTest::newRow("repeated id") << row(squadJson("Ann ran.", {good, good})) << "dev"
                                 << "qas[1] (id q1): the id repeats data[0].paragraphs[0].qas[0]";
    QTest::newRow("answer_start not an integer")
        << row(squadJson("Ann ran.", json::array({question("q1", "Who?", {{{"text", "Ann"}, {"answer_start", "0"}}})}))) << "dev"
        << "(id q1).answers[0].answer_start: expected an integer";
    QTest::newRow("answer beyond the context")
        << row(squadJson("Ann ran.", json::array({question("q1", "Who?", {{{"text", "ran far"}, {"answer_start", 4}}})}))) << "dev"
        << "(id q1).answers[0]: the answer (7 characters at 4) does not fit in the context of 8 characters";
    QTest::newRow("negative answer_start")
        << row(squadJson("Ann ran.", json::array({question("q1", "Who?", {{{"text", "Ann"}, {"answer_start", -1}}})}))) << "dev"
        << "does not fit in the context";
    QTest::newRow("text not at answer_start (train)")
        << row(squadJson("Ann ran.", json::array({question("q1", "Who?", {{{"text", "Ann"}, {"answer_start", 4}}})}))) << "train"
        << "(id q1).answers[0]: the answer text \"Ann\" is not the context at answer_start 4 (\"ran\"); training needs them to agree";
    QTest::newRow("empty answer (train)")
        << row(squadJson("Ann ran.", json::array({question("q1", "Who?", {{{"text", ""}, {"answer_start", 0}}})}))) << "train"
        << "(id q1).answers[0]: empty answer text";
    QTest::newRow("SQuAD 2.0") << row(squadJson("Ann ran.", {{{"id", "q1"}, {"question", "Who?"}, {"answers", json::array()},
                                                               {"is_impossible", true}}}))
                               << "dev" << "(id q1): an unanswerable SQuAD 2.0 question";
    QTest::newRow("no questions") << row(squadJson("Ann ran.", json::array())) << "dev" << "bad.json: no questions";
}

void TestSquadData::malformed()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, split);
    QFETCH(QString, fragment);
    const auto file = writeFile(ax::test::scratchFolder("bad-squad") / "bad.json", content.toStdString());
    expectErrorMentioning([&] { ax::loadSquad(file, split.toStdString()); }, fragment);

    const auto folder = ax::test::scratchFolder("squad-folder");
    expectErrorMentioning([&] { ax::loadSquad(folder, "dev"); }, "no dev.json or dev-v1.1.json in this folder");
    expectErrorMentioning([&] { ax::loadSquad(folder / "none.json", "dev"); }, "none.json: no such file");
}

void TestSquadData::answerMismatchAllowedOutsideTraining()
{
    // The official script grades against answer texts only, so dev files may disagree with
    // answer_start; training cannot.
    const auto content = squadJson("Ann ran home.", json::array({question("q1", "Who?", {{{"text", "Ann"}, {"answer_start", 4}}})})).dump();
    const auto file = writeFile(ax::test::scratchFolder("mismatch") / "dev.json", content);
    const auto questions = ax::loadSquad(file, "dev");
    QCOMPARE(questions.size(), size_t(1));
    QCOMPARE(q(questions[0].answers[0]), QString("Ann"));
    expectErrorMentioning([&] { ax::loadSquad(file, "train"); }, "training needs them to agree");
}

void TestSquadData::examplesForUniformHandling()
{
    ax::SquadQuestion question;
    question.id = "abc";
    question.question = "Who?";
    question.context = "Ann ran.";
    const auto examples = ax::squadExamples({question});
    QCOMPARE(examples.size(), size_t(1));
    QCOMPARE(q(examples[0].id), QString("abc"));
    QCOMPARE(q(examples[0].textA), QString("Who?"));
    QCOMPARE(q(examples[0].textB), QString("Ann ran."));
    QVERIFY(examples[0].hasTextB);
    QCOMPARE(examples[0].label, -1);
}

void TestSquadData::windowsCoverTheContext()
{
    AX_REQUIRE_SHARED(vocab, "vocab/bert-base-uncased/vocab.txt");
    AX_REQUIRE_SHARED(file, "data/squad-v1.1-devsplit/dev.json");
    const auto tokenizer = realTokenizer(vocab);
    auto questions = ax::loadSquad(file, "dev");
    // The question with the longest context.
    const auto longest = std::max_element(questions.begin(), questions.end(), [](const auto& a, const auto& b) {
        return a.context.size() < b.context.size();
    });
    const std::vector<ax::SquadQuestion> one{*longest};
    const auto contextTokens = tokenizer.tokenizeWithOffsets(one[0].context);
    const size_t queryTokens = std::min<size_t>(tokenizer.tokenize(one[0].question).size(), 16);
    const int maxLength = 64, stride = 16;
    const auto features = ax::encodeSquad(one, tokenizer, maxLength, stride, 16);
    const size_t room = size_t(maxLength) - queryTokens - 3;
    QVERIFY(features.size() > 10);

    std::vector<int> maxContextCount(contextTokens.size(), 0);
    size_t expectedStart = 0;
    for (size_t w = 0; w < features.size(); ++w) {
        const auto& feature = features[w];
        QVERIFY(feature.length() <= maxLength);
        QCOMPARE(feature.exampleIndex, size_t(0));
        QCOMPARE(feature.inputIds.front(), tokenizer.vocab().clsId());
        QCOMPARE(feature.inputIds[queryTokens + 1], tokenizer.vocab().sepId());
        QCOMPARE(feature.inputIds.back(), tokenizer.vocab().sepId());
        // [CLS] question [SEP]: type 0, no context offset; the window and the last [SEP]: type 1.
        for (size_t t = 0; t <= queryTokens + 1; ++t) {
            QCOMPARE(feature.tokenTypeIds[t], int64_t(0));
            QCOMPARE(feature.tokenToContextChar[t], -1);
        }
        QCOMPARE(feature.tokenTypeIds.back(), int64_t(1));
        QCOMPARE(feature.tokenToContextChar.back(), -1);
        // The window holds context tokens expectedStart.. in order, with their offsets.
        const size_t windowLength = static_cast<size_t>(feature.length()) - queryTokens - 3;
        QVERIFY(windowLength <= room);
        for (size_t i = 0; i < windowLength; ++i) {
            const size_t t = queryTokens + 2 + i;
            const auto& token = contextTokens[expectedStart + i];
            QCOMPARE(feature.tokenTypeIds[t], int64_t(1));
            QCOMPARE(feature.inputIds[t], tokenizer.vocab().idOf(token.token));
            QCOMPARE(feature.tokenToContextChar[t], static_cast<int>(token.begin));
            QCOMPARE(feature.tokenToContextCharEnd[t], static_cast<int>(token.end));
            maxContextCount[expectedStart + i] += feature.tokenIsMaxContext[t];
        }
        if (w + 1 < features.size()) {
            QCOMPARE(windowLength, room);
            expectedStart += static_cast<size_t>(stride);
        } else {
            QCOMPARE(expectedStart + windowLength, contextTokens.size());   // the last window reaches the end
        }
    }
    // Every context token has exactly one window where it has the most context.
    for (const int count : maxContextCount) QCOMPARE(count, 1);

    expectErrorMentioning([&] { ax::encodeSquad(one, tokenizer, 4, 4, 16); }, "leaves no room for context");
    expectErrorMentioning([&] { ax::encodeSquad(one, tokenizer, 64, 0, 16); }, "stride 0 must be at least 1");
}

void TestSquadData::answerPositionsMapBack()
{
    AX_REQUIRE_SHARED(vocab, "vocab/bert-base-uncased/vocab.txt");
    AX_REQUIRE_SHARED(file, "data/squad-v1.1-devsplit/train.json");
    const auto tokenizer = realTokenizer(vocab);
    const auto questions = ax::loadSquad(file, "train");
    const auto features = ax::encodeSquad(questions, tokenizer, 384, 128, 64);
    QVERIFY(features.size() > questions.size());

    std::vector<int> answered(questions.size(), 0);
    size_t labelled = 0, exact = 0, wider = 0;
    for (const auto& feature : features) {
        QVERIFY(feature.length() <= 384);
        if (feature.startPosition == 0) {
            QCOMPARE(feature.endPosition, 0);
            continue;
        }
        const auto& question = questions[feature.exampleIndex];
        QVERIFY(feature.endPosition >= feature.startPosition);
        QVERIFY(feature.tokenToContextChar[static_cast<size_t>(feature.startPosition)] >= 0);
        QVERIFY(feature.tokenToContextChar[static_cast<size_t>(feature.endPosition)] >= 0);
        const std::string text = spanText(question, feature, feature.startPosition, feature.endPosition);
        const std::string& gold = question.answers.front();
        // The labelled tokens always cover the answer; they give it exactly unless the answer
        // starts or ends inside a word piece (e.g. "1990s" for "1990").
        QVERIFY2(text.find(gold) != std::string::npos, qPrintable(q(question.id + ": " + text + " / " + gold)));
        exact += text == gold;
        wider += text != gold;
        ++labelled;
        answered[feature.exampleIndex] = 1;
    }
    // Every answer lies in some 384-token window.
    QCOMPARE(std::count(answered.begin(), answered.end(), 0), std::ptrdiff_t(0));
    QVERIFY2(double(exact) >= 0.99 * double(labelled), qPrintable(QString("%1 exact, %2 wider").arg(exact).arg(wider)));
    qInfo("%zu features, %zu labelled windows: %zu map back exactly, %zu cover a wider token span", features.size(),
          labelled, exact, wider);
}

void TestSquadData::postProcessingRules()
{
    const auto folder = ax::test::scratchFolder("tiny-squad-vocab");
    writeFile(folder / "vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nwho\nann\nran\nhome\nfast\nthen\nslept\n");
    const ax::BertTokenizer tokenizer(ax::Vocab::fromFile(folder / "vocab.txt"), true);
    std::vector<ax::SquadQuestion> questions(2);
    questions[0].id = "q0";
    questions[0].question = "Who";
    questions[0].context = "Ann  ran HOME fast, then slept";   // ',' is [UNK]
    questions[1].id = "q1";
    questions[1].question = "who";
    questions[1].context = "Ann";
    // Tokens of q0: [CLS] who [SEP] ann ran home fast [UNK] then slept [SEP] -> positions 0..10.
    const auto features = ax::encodeSquad({questions[0]}, tokenizer, 64, 16, 8);
    QCOMPARE(features.size(), size_t(1));
    QCOMPARE(features[0].length(), int64_t(11));

    const auto answer = [&](std::vector<float> start, std::vector<float> end, int nBest = 20, int maxLength = 30) {
        return ax::squadAnswers({questions[0]}, features, {start}, {end}, nBest, maxLength).at("q0");
    };
    //                      CLS  who  SEP  ann  ran  home fast ,    then slept SEP
    const std::vector<float> start{0, 9, 0, 1, 5, 0, 0, 0, 0, 0, 0};
    const std::vector<float> end{0, 0, 0, 0, 0, 8, 4, 0, 0, 0, 9};
    // The question token "who" (9) and the last [SEP] (9) are no answer: "ran" .. "HOME" wins,
    // cut from the original text (case kept).
    QCOMPARE(q(answer(start, end)), QString("ran HOME"));
    // End before start is no span: with "fast" the best end, start "ann" can reach it.
    QCOMPARE(q(answer({0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0}, {0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0})), QString("Ann  ran HOME fast"));
    // The best end "ann" (9) lies before the best start "fast" (3): that pair is no span.
    QCOMPARE(q(answer({0, 0, 0, -10, 0, 0, 3, 0, 0, 0, 0}, {0, 0, 0, 9, 0, 0, 1, 0, 0, 0, 0})), QString("fast"));
    // Maximum answer length 2 tokens: "ran HOME fast" (3 tokens, 13) is out; of the pairs scoring
    // 8, "HOME fast" comes first (start candidates in logit order, then position).
    QCOMPARE(q(answer({0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0}, {0, 0, 0, 0, 0, 1, 8, 0, 0, 0, 0}, 20, 2)), QString("HOME fast"));
    // n-best 1: only the single best start and end are paired; if that pair is invalid, nothing.
    QCOMPARE(q(answer({0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0}, {0, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0}, 1)), QString(""));
    // A [UNK] token maps back to its original characters.
    QCOMPARE(q(answer({0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0}, {0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0})), QString(", then slept"));
    // Logits padded past the feature: the padding is ignored however large.
    auto paddedStart = start, paddedEnd = end;
    paddedStart.resize(20, 100.0f);
    paddedEnd.resize(20, 100.0f);
    QCOMPARE(q(answer(paddedStart, paddedEnd)), QString("ran HOME"));

    // A question without features (none given for q1) gets an empty answer; every question has an entry.
    const auto answers = ax::squadAnswers(questions, features, {start}, {end});
    QCOMPARE(answers.size(), size_t(2));
    QCOMPARE(q(answers.at("q0")), QString("ran HOME"));
    QCOMPARE(q(answers.at("q1")), QString(""));
}

void TestSquadData::postProcessingErrors()
{
    ax::SquadQuestion question;
    question.id = "q";
    question.context = "x";
    ax::Feature feature;
    feature.inputIds = {1, 2};
    feature.tokenTypeIds = {0, 0};
    expectErrorMentioning([&] { ax::squadAnswers({question}, {feature}, {}, {}); }, "0 start and 0 end logit rows for 1 features");
    expectErrorMentioning([&] { ax::squadAnswers({question}, {feature}, {{0, 0}}, {{0, 0}}); }, "has no context offsets");
    feature.tokenToContextChar = {-1, 0};
    feature.tokenToContextCharEnd = {-1, 1};
    feature.tokenIsMaxContext = {0, 1};
    expectErrorMentioning([&] { ax::squadAnswers({question}, {feature}, {{0}}, {{0, 0}}); }, "feature 0 has 2 tokens but 1 logits");
    feature.exampleIndex = 3;
    expectErrorMentioning([&] { ax::squadAnswers({question}, {feature}, {{0, 0}}, {{0, 0}}); }, "feature 0 belongs to question 3 of 1");
    feature.exampleIndex = 0;
    QCOMPARE(q(ax::squadAnswers({question}, {feature}, {{0, 1}}, {{0, 1}}).at("q")), QString("x"));
}

void TestSquadData::oracleLogitsScorePerfectly_data()
{
    QTest::addColumn<int>("maxLength");
    QTest::addColumn<int>("stride");
    QTest::newRow("384, stride 128") << 384 << 128;
    QTest::newRow("128, stride 32 (axbert-mini)") << 128 << 32;
}

void TestSquadData::oracleLogitsScorePerfectly()
{
    QFETCH(int, maxLength);
    QFETCH(int, stride);
    AX_REQUIRE_SHARED(vocab, "vocab/bert-base-uncased/vocab.txt");
    AX_REQUIRE_SHARED(file, "data/squad-v1.1-devsplit/dev.json");
    const auto tokenizer = realTokenizer(vocab);
    const auto questions = ax::loadSquad(file, "dev");
    const auto features = ax::encodeSquad(questions, tokenizer, maxLength, stride, 64);
    std::vector<std::vector<float>> starts, ends;
    oracleLogits(features, starts, ends);
    const auto answers = ax::squadAnswers(questions, features, starts, ends);
    QCOMPARE(answers.size(), questions.size());
    const auto metrics = ax::squadMetrics(questions, answers);
    QCOMPARE(metrics.missing, size_t(0));
    qInfo("oracle: %zu features, EM %.2f, F1 %.2f", features.size(), metrics.values.at("exact_match"),
          metrics.values.at("squad_f1"));
    QVERIFY2(metrics.values.at("exact_match") > 99.0, qPrintable(QString::number(metrics.values.at("exact_match"))));
    QVERIFY2(metrics.values.at("squad_f1") > 99.5, qPrintable(QString::number(metrics.values.at("squad_f1"))));
}

void TestSquadData::predictionsRoundTrip()
{
    const auto folder = ax::test::scratchFolder("squad-predictions");
    const std::map<std::string, std::string> answers{{"a1", "Denver Broncos"}, {"b2", "naïve “quotes” 😀"}, {"c3", ""}};
    ax::writeSquadPredictions(folder / "predictions.json", answers);
    QCOMPARE(ax::readSquadPredictions(folder / "predictions.json"), answers);

    writeFile(folder / "bad.json", R"({"a1": "x", "b2": 3})");
    expectErrorMentioning([&] { ax::readSquadPredictions(folder / "bad.json"); }, "bad.json: the prediction for question b2 is not a string");
    writeFile(folder / "list.json", R"(["x"])");
    expectErrorMentioning([&] { ax::readSquadPredictions(folder / "list.json"); }, "list.json: expected a JSON object");
    writeFile(folder / "broken.json", R"({"a1": )");
    expectErrorMentioning([&] { ax::readSquadPredictions(folder / "broken.json"); }, "broken.json: not valid JSON");
    expectErrorMentioning([&] { ax::readSquadPredictions(folder / "none.json"); }, "none.json: no such file");
}

void TestSquadData::scoreFile()
{
    AX_REQUIRE_SHARED(folder, "data/squad-v1.1-devsplit");
    const auto questions = ax::loadSquad(folder, "dev");
    // The first gold answer of every question but the first, which has none: EM 100 less one question.
    std::map<std::string, std::string> predictions;
    for (size_t i = 1; i < questions.size(); ++i) predictions[questions[i].id] = questions[i].answers.front();
    predictions["not-a-question"] = "ignored";
    const auto file = ax::test::scratchFolder("squad-score") / "predictions.json";
    ax::writeSquadPredictions(file, predictions);
    const auto report = ax::scorePredictionsFile(ax::taskSpec("squad"), folder, file, "dev");
    QCOMPARE(report.examples, size_t(1988));
    QCOMPARE(report.metrics.missing, size_t(1));
    const double expected = 100.0 * 1987.0 / 1988.0;
    QVERIFY(std::abs(report.metrics.values.at("exact_match") - expected) < 1e-9);
    QVERIFY(std::abs(report.metrics.values.at("squad_f1") - expected) < 1e-9);
    const auto json = ax::scoreReportJson(report);
    QCOMPARE(json.at("missing_predictions").get<int>(), 1);
    QCOMPARE(q(json.at("task").get<std::string>()), QString("squad"));
    QVERIFY(json.at("metrics").contains("exact_match"));
    QVERIFY(json.at("metrics").contains("squad_f1"));
}

AX_TEST_MAIN(TestSquadData)
#include "test_squad_data.moc"
