// Parity with the genuine Hugging Face BertTokenizer: every line of the shared reference
// (tokenization.jsonl, uncased) must give the same tokens and the same ids.
#include "test_support.h"

#include "text/bert_tokenizer.h"

#include <nlohmann/json.hpp>

#include <QElapsedTimer>

#include <fstream>

class TestTokenizerReference : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void everyReferenceLineMatches();
    void offsetsFollowTheText();
    void modelFolderTokenizerMatchesVocab();
};

namespace {

std::string joined(const std::vector<std::string>& tokens)
{
    return nlohmann::json(tokens).dump();
}

std::string joined(const std::vector<int64_t>& ids)
{
    return nlohmann::json(ids).dump();
}

}  // namespace

void TestTokenizerReference::everyReferenceLineMatches()
{
    AX_REQUIRE_SHARED(referenceFile, "reference/tokenization.jsonl");
    AX_REQUIRE_SHARED(vocabFile, "vocab/bert-base-uncased/vocab.txt");
    const ax::BertTokenizer tokenizer(ax::Vocab::fromFile(vocabFile), true);

    std::ifstream in(referenceFile);
    QVERIFY2(in, "cannot open the reference file");
    std::string line;
    size_t compared = 0;
    size_t mismatches = 0;
    qint64 tokenizeNs = 0;
    QElapsedTimer timer;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        const auto row = nlohmann::json::parse(line);
        const auto text = row.at("text").get<std::string>();
        const auto expectedTokens = row.at("tokens").get<std::vector<std::string>>();
        const auto expectedIds = row.at("ids").get<std::vector<int64_t>>();

        timer.start();
        const auto tokens = tokenizer.tokenize(text);
        const auto ids = tokenizer.toIds(tokens);
        tokenizeNs += timer.nsecsElapsed();

        ++compared;
        if (tokens == expectedTokens && ids == expectedIds) continue;
        if (++mismatches <= 5)
            qWarning().noquote() << "mismatch at line" << compared << "\n  text:    " << QString::fromStdString(text)
                                 << "\n  expected:" << QString::fromStdString(joined(expectedTokens))
                                 << QString::fromStdString(joined(expectedIds))
                                 << "\n  got:     " << QString::fromStdString(joined(tokens))
                                 << QString::fromStdString(joined(ids));
    }
    qInfo().noquote() << QStringLiteral("compared %1 lines: %2 identical, %3 different; tokenizing took %4 ms")
                             .arg(compared)
                             .arg(compared - mismatches)
                             .arg(mismatches)
                             .arg(tokenizeNs / 1'000'000);
    QCOMPARE(compared, size_t(28081));
    QCOMPARE(mismatches, size_t(0));
}

// tokenizeWithOffsets must give the same tokens as tokenize, each pointing inside the text, in order.
void TestTokenizerReference::offsetsFollowTheText()
{
    AX_REQUIRE_SHARED(referenceFile, "reference/tokenization.jsonl");
    AX_REQUIRE_SHARED(vocabFile, "vocab/bert-base-uncased/vocab.txt");
    const ax::BertTokenizer tokenizer(ax::Vocab::fromFile(vocabFile), true);

    std::ifstream in(referenceFile);
    std::string line;
    size_t checked = 0;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        const auto text = nlohmann::json::parse(line).at("text").get<std::string>();
        const auto spans = tokenizer.tokenizeWithOffsets(text);
        const auto tokens = tokenizer.tokenize(text);
        QCOMPARE(spans.size(), tokens.size());
        size_t previousBegin = 0;
        for (size_t i = 0; i < spans.size(); ++i) {
            QCOMPARE(spans[i].token, tokens[i]);
            QVERIFY2(spans[i].begin < spans[i].end && spans[i].end <= text.size() && spans[i].begin >= previousBegin,
                     qPrintable(QString::fromStdString(text)));
            previousBegin = spans[i].begin;
        }
        ++checked;
    }
    QCOMPARE(checked, size_t(28081));
}

void TestTokenizerReference::modelFolderTokenizerMatchesVocab()
{
    AX_REQUIRE_SHARED(folder, "models/axbert-mini");
    const auto tokenizer = ax::BertTokenizer::fromModelFolder(folder);
    QVERIFY(tokenizer.lowerCase());
    QCOMPARE(tokenizer.vocab().size(), size_t(30522));
    QCOMPARE(tokenizer.tokenize("Hello, World!"), (std::vector<std::string>{"hello", ",", "world", "!"}));
}

AX_TEST_MAIN(TestTokenizerReference)
#include "test_tokenizer_reference.moc"
