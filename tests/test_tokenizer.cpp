// The BERT tokenizer's rules one by one: cleaning, Unicode normalisation, punctuation, WordPiece,
// vocabulary files, pair encoding and truncation. Expected values were checked against the genuine
// Hugging Face code (Python 3.11); the full parity run is test_tokenizer_reference.
#include "test_support.h"

using ax::test::writeFile;
using ax::test::expectErrorMentioning;

#include "common/error.h"
#include "text/basic_tokenizer.h"
#include "text/bert_tokenizer.h"
#include "text/unicode_text.h"

#include <fstream>

using Bytes = QByteArray;

class TestTokenizer : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void basicSplit_data();
    void basicSplit();
    void wordPiece_data();
    void wordPiece();
    void realVocabularyIds_data();
    void realVocabularyIds();
    void invalidUtf8_data();
    void invalidUtf8();
    void vocabReadsLikePython();
    void vocabErrors_data();
    void vocabErrors();
    void modelFolder();
    void encodeSingleAndPair();
    void truncation_data();
    void truncation();
    void encodeRejectsTinyMaxLength();
    void padding();
    void offsets_data();
    void offsets();
};

namespace {

std::string toStd(const QByteArray& bytes)
{
    return std::string(bytes.constData(), static_cast<size_t>(bytes.size()));
}

QStringList toList(const std::vector<std::string>& tokens)
{
    QStringList list;
    for (const auto& token : tokens) list << QString::fromStdString(token);
    return list;
}

QStringList repeated(const QString& first, const QString& rest, int count)
{
    QStringList list{first};
    for (int i = 1; i < count; ++i) list << rest;
    return list;
}

// A hand-made vocabulary for WordPiece edge cases. Some lines end in \r\n or a lone \r, one has
// surrounding whitespace (stripped) and "dup" appears twice (the later id wins).
std::filesystem::path tinyVocabFile()
{
    static const std::filesystem::path file = [] {
        const auto folder = ax::test::scratchFolder("tiny-vocab");
        return writeFile(folder / "vocab.txt",
                         "[PAD]\n[UNK]\r\n[CLS]\r[SEP]\n[MASK]\n"       // ids 0-4
                         "un\n##aff\n##able\nab\n##c\na\n##bc\n##a\n"   // 5-12
                         "b\nc\nx\ny\n\xC3\xA9\n##\xC3\xA9\ne\n##e\n"   // 13-20
                         "hello\n,\n!\n  spaced\t \ndup\nlast\ndup\ni\n");  // 21-28
    }();
    return file;
}

ax::BertTokenizer tinyTokenizer(bool lowerCase)
{
    return ax::BertTokenizer(ax::Vocab::fromFile(tinyVocabFile()), lowerCase);
}

}  // namespace

void TestTokenizer::basicSplit_data()
{
    QTest::addColumn<Bytes>("text");
    QTest::addColumn<bool>("lowerCase");
    QTest::addColumn<QStringList>("expected");

    QTest::newRow("accents stripped") << Bytes("Héllo café") << true << QStringList{"hello", "cafe"};
    QTest::newRow("cased keeps case and accents") << Bytes("Héllo café") << false << QStringList{"Héllo", "café"};
    QTest::newRow("decomposed accents") << Bytes("e\u0301e\u0301") << true << QStringList{"ee"};
    QTest::newRow("dotted capital I") << Bytes("İstanbul") << true << QStringList{"istanbul"};
    QTest::newRow("final sigma") << Bytes("ΟΔΟΣ ΣΑΣ") << true << QStringList{"οδος", "σας"};
    // Python lower-cases the whole token before punctuation splits it: Σ before "." is final.
    QTest::newRow("final sigma before punctuation") << Bytes("ΟΔΟΣ.") << true << QStringList{"οδος", "."};
    QTest::newRow("titlecase digraph") << Bytes("Ǆemo") << true << QStringList{"ǆemo"};
    QTest::newRow("ligature survives (no NFKD)") << Bytes("ﬁne") << true << QStringList{"ﬁne"};
    QTest::newRow("full-width survives, lowered") << Bytes("ＡＢＣ") << true << QStringList{"ａｂｃ"};
    QTest::newRow("CJK ideographs split") << Bytes("中文abc") << true << QStringList{"中", "文", "abc"};
    QTest::newRow("compatibility ideograph NFD") << Bytes("\uF900") << true << QStringList{"\u8C48"};
    QTest::newRow("compatibility ideograph cased") << Bytes("\uF900") << false << QStringList{"\uF900"};
    // Kana and Hangul are not CJK ideographs; NFD still drops the kana voicing mark (Mn) and
    // decomposes Hangul syllables into jamo.
    QTest::newRow("kana not split") << Bytes("ひらがなカタカナ") << true << QStringList{"ひらかなカタカナ"};
    QTest::newRow("kana cased") << Bytes("ひらがな") << false << QStringList{"ひらがな"};
    QTest::newRow("hangul not split") << Bytes("한국어") << true
                                      << QStringList{"\u1112\u1161\u11AB\u1100\u116E\u11A8\u110B\u1165"};
    QTest::newRow("hangul cased") << Bytes("한국어") << false << QStringList{"한국어"};
    QTest::newRow("emoji glued to word") << Bytes("hi😀there 👍!") << true << QStringList{"hi😀there", "👍", "!"};
    QTest::newRow("unicode punctuation") << Bytes("«Hola» ¿qué—tal?") << true
                                         << QStringList{"«", "hola", "»", "¿", "que", "—", "tal", "?"};
    QTest::newRow("ASCII symbols are punctuation") << Bytes("a$b^c") << true << QStringList{"a", "$", "b", "^", "c"};
    QTest::newRow("non-ASCII symbols are not") << Bytes("5€ 3°C") << true << QStringList{"5€", "3°c"};
    QTest::newRow("NFD can reveal punctuation") << Bytes("a≠b") << true << QStringList{"a", "=", "b"};
    QTest::newRow("cased: ≠ is a symbol") << Bytes("a≠b") << false << QStringList{"a≠b"};
    QTest::newRow("controls deleted, not spaces") << Bytes("a\x0b" "b\x0c" "c\u0085" "d") << true << QStringList{"abcd"};
    QTest::newRow("format characters deleted") << Bytes("a\u200Bb\u00ADc\uFEFFd") << true << QStringList{"abcd"};
    QTest::newRow("NUL deleted") << Bytes("a\0b", 3) << true << QStringList{"ab"};
    QTest::newRow("U+FFFD deleted") << Bytes("a\uFFFDb") << true << QStringList{"ab"};
    QTest::newRow("private use deleted") << Bytes("a\uE000b") << true << QStringList{"ab"};
    // Assigned only in Unicode 15: the reference (Unicode 14) sees an unassigned code point.
    QTest::newRow("newer than Unicode 14 deleted") << Bytes("a\U0001FAE8b") << true << QStringList{"ab"};
    QTest::newRow("tab newline return") << Bytes("a\tb\nc\rd") << true << QStringList{"a", "b", "c", "d"};
    QTest::newRow("Zs spaces") << Bytes("a\u00A0b\u3000c\u2009d") << true << QStringList{"a", "b", "c", "d"};
    QTest::newRow("line and paragraph separators") << Bytes("a\u2028b\u2029c") << true << QStringList{"a", "b", "c"};
    QTest::newRow("never-split tokens") << Bytes("[CLS] Hello [SEP]") << true << QStringList{"[CLS]", "hello", "[SEP]"};
    QTest::newRow("never-split cased") << Bytes("[MASK] [PAD] [UNK]") << false << QStringList{"[MASK]", "[PAD]", "[UNK]"};
    QTest::newRow("glued special is text") << Bytes("[CLS]x") << true << QStringList{"[", "cls", "]", "x"};
    QTest::newRow("lower-case special is text") << Bytes("[cls]") << true << QStringList{"[", "cls", "]"};
    QTest::newRow("lone combining mark vanishes") << Bytes("\u0301") << true << QStringList{};
    QTest::newRow("lone combining mark cased") << Bytes("\u0301") << false << QStringList{"\u0301"};
    QTest::newRow("empty") << Bytes("") << true << QStringList{};
    QTest::newRow("only whitespace") << Bytes("  \n\t \u3000") << true << QStringList{};
}

void TestTokenizer::basicSplit()
{
    QFETCH(Bytes, text);
    QFETCH(bool, lowerCase);
    QFETCH(QStringList, expected);

    QStringList words;
    for (const auto& word : ax::BasicTokenizer(lowerCase).split(toStd(text)))
        words << QString::fromStdString(ax::unicode::encodeUtf8(word.text));
    QCOMPARE(words, expected);
}

void TestTokenizer::wordPiece_data()
{
    QTest::addColumn<Bytes>("text");
    QTest::addColumn<bool>("lowerCase");
    QTest::addColumn<QStringList>("expected");

    QTest::newRow("continuations") << Bytes("unaffable") << true << QStringList{"un", "##aff", "##able"};
    QTest::newRow("cased misses upper case") << Bytes("Unaffable") << false << QStringList{"[UNK]"};
    QTest::newRow("longest match first") << Bytes("abc") << true << QStringList{"ab", "##c"};
    QTest::newRow("unknown piece -> whole word [UNK]") << Bytes("unaffx b") << true << QStringList{"[UNK]", "b"};
    QTest::newRow("punctuation words") << Bytes("Hello, unaffable!") << true
                                       << QStringList{"hello", ",", "un", "##aff", "##able", "!"};
    QTest::newRow("never-split kept") << Bytes("[MASK] x") << true << QStringList{"[MASK]", "x"};
    QTest::newRow("100 code points") << Bytes(QByteArray(100, 'a')) << true << repeated("a", "##a", 100);
    QTest::newRow("101 code points") << Bytes(QByteArray(101, 'a')) << true << QStringList{"[UNK]"};
    QTest::newRow("100 two-byte code points") << Bytes("é").repeated(100) << false << repeated("é", "##é", 100);
    QTest::newRow("101 two-byte code points") << Bytes("é").repeated(101) << false << QStringList{"[UNK]"};
    // The limit counts code points after accent stripping.
    QTest::newRow("101 after stripping") << Bytes("é").repeated(101) << true << QStringList{"[UNK]"};
    QTest::newRow("200 before, 100 after stripping") << Bytes("e\u0301").repeated(100) << true
                                                     << repeated("e", "##e", 100);
}

void TestTokenizer::wordPiece()
{
    QFETCH(Bytes, text);
    QFETCH(bool, lowerCase);
    QFETCH(QStringList, expected);
    QCOMPARE(toList(tinyTokenizer(lowerCase).tokenize(toStd(text))), expected);
}

void TestTokenizer::realVocabularyIds_data()
{
    QTest::addColumn<Bytes>("text");
    QTest::addColumn<QStringList>("tokens");
    QTest::addColumn<QList<qint64>>("ids");

    QTest::newRow("sentence") << Bytes("Hello, world!") << QStringList{"hello", ",", "world", "!"}
                              << QList<qint64>{7592, 1010, 2088, 999};
    QTest::newRow("sub-words") << Bytes("unaffable") << QStringList{"una", "##ffa", "##ble"}
                               << QList<qint64>{14477, 20961, 3468};
    QTest::newRow("accents") << Bytes("The café's naïve façade")
                             << QStringList{"the", "cafe", "'", "s", "naive", "facade"}
                             << QList<qint64>{1996, 7668, 1005, 1055, 15743, 8508};
    QTest::newRow("CJK and emoji") << Bytes("I ate 中国 food 😀")
                                   << QStringList{"i", "ate", "中", "国", "food", "[UNK]"}
                                   << QList<qint64>{1045, 8823, 1746, 1799, 2833, 100};
    QTest::newRow("greek final sigma") << Bytes("ΟΔΟΣ") << QStringList{"ο", "##δ", "##ος"}
                                       << QList<qint64>{1169, 29722, 15297};
    QTest::newRow("sharp s") << Bytes("Straße") << QStringList{"st", "##raße"} << QList<qint64>{2358, 27807};
    QTest::newRow("specials") << Bytes("[CLS] [SEP] [PAD] [MASK] [UNK]")
                              << QStringList{"[CLS]", "[SEP]", "[PAD]", "[MASK]", "[UNK]"}
                              << QList<qint64>{101, 102, 0, 103, 100};
}

void TestTokenizer::realVocabularyIds()
{
    QFETCH(Bytes, text);
    QFETCH(QStringList, tokens);
    QFETCH(QList<qint64>, ids);
    AX_REQUIRE_SHARED(vocabFile, "vocab/bert-base-uncased/vocab.txt");
    const ax::BertTokenizer tokenizer(ax::Vocab::fromFile(vocabFile), true);

    const auto got = tokenizer.tokenize(toStd(text));
    QCOMPARE(toList(got), tokens);
    const auto gotIds = tokenizer.toIds(got);
    QCOMPARE(QList<qint64>(gotIds.begin(), gotIds.end()), ids);
    QCOMPARE(tokenizer.vocab().size(), size_t(30522));
}

void TestTokenizer::invalidUtf8_data()
{
    QTest::addColumn<Bytes>("text");
    QTest::addColumn<QStringList>("expected");

    // Each ill-formed sequence becomes U+FFFD, which cleaning deletes: neighbours join up.
    QTest::newRow("stray continuation byte") << Bytes("a\x80" "b") << QStringList{"ab"};
    QTest::newRow("0xFF") << Bytes("\xFF" "x y") << QStringList{"x", "y"};
    QTest::newRow("truncated at end") << Bytes("ab\xC3") << QStringList{"ab"};
    QTest::newRow("truncated before space") << Bytes("ab\xE2\x82 c") << QStringList{"ab", "c"};
    QTest::newRow("overlong slash") << Bytes("a\xC0\xAF" "b") << QStringList{"ab"};
    QTest::newRow("encoded surrogate") << Bytes("a\xED\xA0\x80" "b") << QStringList{"ab"};
    QTest::newRow("beyond U+10FFFF") << Bytes("a\xF4\x90\x80\x80" "b") << QStringList{"ab"};
    QTest::newRow("only garbage") << Bytes("\xFE\xFF\xC0") << QStringList{};
}

void TestTokenizer::invalidUtf8()
{
    QFETCH(Bytes, text);
    QFETCH(QStringList, expected);
    const auto tokenizer = tinyTokenizer(true);
    QCOMPARE(toList(tokenizer.tokenize(toStd(text))), expected);
    const auto spans = tokenizer.tokenizeWithOffsets(toStd(text));
    QCOMPARE(spans.size(), size_t(expected.size()));
    for (const auto& span : spans) QVERIFY(span.begin < span.end && span.end <= size_t(text.size()));
}

void TestTokenizer::vocabReadsLikePython()
{
    const auto vocab = ax::Vocab::fromFile(tinyVocabFile());
    QCOMPARE(vocab.size(), size_t(29));
    QCOMPARE(vocab.padId(), 0);
    QCOMPARE(vocab.unkId(), 1);
    QCOMPARE(vocab.clsId(), 2);  // after \r\n
    QCOMPARE(vocab.sepId(), 3);  // after a lone \r
    QCOMPARE(vocab.maskId(), 4);
    QCOMPARE(vocab.find("spaced"), std::optional<int64_t>(24));
    QCOMPARE(vocab.find("dup"), std::optional<int64_t>(27));  // the later line wins
    QCOMPARE(vocab.token(25), std::string("dup"));
    QCOMPARE(vocab.token(27), std::string("dup"));
    QCOMPARE(vocab.find("absent"), std::optional<int64_t>());
    QCOMPARE(vocab.idOf("absent"), 1);
    QCOMPARE(vocab.idOf("##aff"), 6);
    expectErrorMentioning([&] { vocab.token(29); }, QString::fromStdString(tinyVocabFile().string()));
    expectErrorMentioning([&] { vocab.token(-1); }, "out of range");

    const auto folder = ax::test::scratchFolder("vocab-specials");
    const auto noSpecials = ax::Vocab::fromFile(writeFile(folder / "vocab.txt", "a\nb"));
    QCOMPARE(noSpecials.size(), size_t(2));
    QCOMPARE(noSpecials.find("b"), std::optional<int64_t>(1));  // last line without a newline
    expectErrorMentioning([&] { noSpecials.clsId(); }, "[CLS]");
    expectErrorMentioning([&] { noSpecials.idOf("zzz"); }, QString::fromStdString((folder / "vocab.txt").string()));
}

void TestTokenizer::vocabErrors_data()
{
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<Bytes>("content");  // a null QByteArray: do not create the file
    QTest::addColumn<QString>("fragment");

    QTest::newRow("missing") << "missing.txt" << Bytes() << "not found";
    QTest::newRow("empty") << "empty.txt" << Bytes("") << "empty";
    QTest::newRow("not UTF-8") << "latin1.txt" << Bytes("a\nb\ncaf\xE9\n") << "line 3";
}

void TestTokenizer::vocabErrors()
{
    QFETCH(QString, fileName);
    QFETCH(Bytes, content);
    QFETCH(QString, fragment);
    const auto file = ax::test::scratchFolder("vocab-errors") / fileName.toStdString();
    if (!content.isNull()) writeFile(file, toStd(content));
    expectErrorMentioning([&] { ax::Vocab::fromFile(file); }, QString::fromStdString(file.string()));
    expectErrorMentioning([&] { ax::Vocab::fromFile(file); }, fragment);
}

void TestTokenizer::modelFolder()
{
    const auto vocabText = "[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\nHello\n";

    const auto plain = ax::test::scratchFolder("folder-plain");
    writeFile(plain / "vocab.txt", vocabText);
    const auto uncased = ax::BertTokenizer::fromModelFolder(plain);
    QVERIFY(uncased.lowerCase());
    QCOMPARE(toList(uncased.tokenize("Hello")), QStringList{"hello"});

    const auto cased = ax::test::scratchFolder("folder-cased");
    writeFile(cased / "vocab.txt", vocabText);
    writeFile(cased / "tokenizer_config.json", R"({"do_lower_case": false, "model_max_length": 512})");
    const auto casedTokenizer = ax::BertTokenizer::fromModelFolder(cased);
    QVERIFY(!casedTokenizer.lowerCase());
    QCOMPARE(toList(casedTokenizer.tokenize("Hello")), QStringList{"Hello"});

    const auto noKey = ax::test::scratchFolder("folder-nokey");
    writeFile(noKey / "vocab.txt", vocabText);
    writeFile(noKey / "tokenizer_config.json", R"({"model_max_length": 512})");
    QVERIFY(ax::BertTokenizer::fromModelFolder(noKey).lowerCase());

    const auto broken = ax::test::scratchFolder("folder-broken");
    writeFile(broken / "vocab.txt", vocabText);
    writeFile(broken / "tokenizer_config.json", "{\"do_lower_case\": ");
    expectErrorMentioning([&] { ax::BertTokenizer::fromModelFolder(broken); }, "tokenizer_config.json");

    const auto wrongType = ax::test::scratchFolder("folder-wrongtype");
    writeFile(wrongType / "vocab.txt", vocabText);
    writeFile(wrongType / "tokenizer_config.json", R"({"do_lower_case": "yes"})");
    expectErrorMentioning([&] { ax::BertTokenizer::fromModelFolder(wrongType); }, "do_lower_case");

    const auto empty = ax::test::scratchFolder("folder-empty");
    expectErrorMentioning([&] { ax::BertTokenizer::fromModelFolder(empty); }, "vocab.txt");
}

void TestTokenizer::encodeSingleAndPair()
{
    AX_REQUIRE_SHARED(vocabFile, "vocab/bert-base-uncased/vocab.txt");
    const ax::BertTokenizer tokenizer(ax::Vocab::fromFile(vocabFile), true);

    const auto single = tokenizer.encode("Hello world", std::nullopt, 128);
    QCOMPARE(toList(single.tokens), (QStringList{"[CLS]", "hello", "world", "[SEP]"}));
    QCOMPARE(single.inputIds, (std::vector<int64_t>{101, 7592, 2088, 102}));
    QCOMPARE(single.tokenTypeIds, (std::vector<int64_t>{0, 0, 0, 0}));
    QCOMPARE(single.attentionMask, (std::vector<int64_t>{1, 1, 1, 1}));

    const auto pair = tokenizer.encode("Hello world", std::string_view("How are you?"), 128);
    QCOMPARE(toList(pair.tokens),
             (QStringList{"[CLS]", "hello", "world", "[SEP]", "how", "are", "you", "?", "[SEP]"}));
    QCOMPARE(pair.inputIds, (std::vector<int64_t>{101, 7592, 2088, 102, 2129, 2024, 2017, 1029, 102}));
    QCOMPARE(pair.tokenTypeIds, (std::vector<int64_t>{0, 0, 0, 0, 1, 1, 1, 1, 1}));
    QCOMPARE(pair.attentionMask, std::vector<int64_t>(9, 1));
}

void TestTokenizer::truncation_data()
{
    QTest::addColumn<QString>("textA");
    QTest::addColumn<QString>("textB");  // a null QString: no second text
    QTest::addColumn<int>("maxLength");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<QString>("types");

    QTest::newRow("fits") << "a b" << "x y" << 7 << "[CLS] a b [SEP] x y [SEP]" << "0 0 0 0 1 1 1";
    QTest::newRow("longer a shrinks first") << "a b c a b c" << "x y" << 7 << "[CLS] a b [SEP] x y [SEP]"
                                            << "0 0 0 0 1 1 1";
    QTest::newRow("longer b shrinks first") << "a" << "x y x y x" << 6 << "[CLS] a [SEP] x y [SEP]"
                                            << "0 0 0 1 1 1";
    QTest::newRow("ties drop from b") << "a b c" << "x y b" << 7 << "[CLS] a b [SEP] x y [SEP]"
                                      << "0 0 0 0 1 1 1";
    QTest::newRow("odd budget after tie") << "a b c" << "x y b" << 6 << "[CLS] a b [SEP] x [SEP]" << "0 0 0 0 1 1";
    // b runs out first, and an empty b adds no [SEP]: the reference's output, quirk included.
    QTest::newRow("pair to the minimum") << "a b" << "x y" << 3 << "[CLS] [SEP]" << "0 0";
    QTest::newRow("single keeps the head") << "a b c x y" << QString() << 4 << "[CLS] a b [SEP]" << "0 0 0 0";
    QTest::newRow("single minimum") << "a b" << QString() << 2 << "[CLS] [SEP]" << "0 0";
    // As the reference's `if example.text_b`: an empty b is no b; a b of no tokens adds no [SEP].
    QTest::newRow("empty b is single") << "a b c" << "" << 4 << "[CLS] a b [SEP]" << "0 0 0 0";
    QTest::newRow("blank b truncates as pair") << "a b c" << "   " << 4 << "[CLS] a [SEP]" << "0 0 0";
}

void TestTokenizer::truncation()
{
    QFETCH(QString, textA);
    QFETCH(QString, textB);
    QFETCH(int, maxLength);
    QFETCH(QString, expected);
    QFETCH(QString, types);

    const auto tokenizer = tinyTokenizer(true);
    const std::string a = textA.toStdString();
    const std::string b = textB.toStdString();
    const auto encoding = tokenizer.encode(a, textB.isNull() ? std::nullopt : std::optional<std::string_view>(b), maxLength);
    QCOMPARE(toList(encoding.tokens).join(' '), expected);
    QStringList typeList;
    for (const auto type : encoding.tokenTypeIds) typeList << QString::number(type);
    QCOMPARE(typeList.join(' '), types);
    QCOMPARE(encoding.inputIds, tokenizer.toIds(encoding.tokens));
    QCOMPARE(encoding.attentionMask, std::vector<int64_t>(encoding.tokens.size(), 1));
    QVERIFY(encoding.tokens.size() <= size_t(maxLength));
}

void TestTokenizer::encodeRejectsTinyMaxLength()
{
    const auto tokenizer = tinyTokenizer(true);
    expectErrorMentioning([&] { tokenizer.encode("a", std::string_view("b"), 2); }, "at least 3");
    expectErrorMentioning([&] { tokenizer.encode("a", std::nullopt, 1); }, "at least 2");
    expectErrorMentioning([&] { tokenizer.encode("a", std::nullopt, -5); }, "maxLength");

    // Special tokens missing from the vocabulary fail loudly, naming the file.
    const auto folder = ax::test::scratchFolder("no-cls");
    const ax::BertTokenizer bare(ax::Vocab::fromFile(writeFile(folder / "vocab.txt", "[UNK]\na\n")), true);
    expectErrorMentioning([&] { bare.encode("a", std::nullopt, 8); }, "[CLS]");
}

void TestTokenizer::padding()
{
    const auto tokenizer = tinyTokenizer(true);
    auto encoding = tokenizer.encode("a", std::string_view("b"), 8);
    tokenizer.pad(encoding, 7);
    QCOMPARE(toList(encoding.tokens).join(' '), QString("[CLS] a [SEP] b [SEP] [PAD] [PAD]"));
    QCOMPARE(encoding.inputIds, (std::vector<int64_t>{2, 10, 3, 13, 3, 0, 0}));
    QCOMPARE(encoding.tokenTypeIds, (std::vector<int64_t>{0, 0, 0, 1, 1, 0, 0}));
    QCOMPARE(encoding.attentionMask, (std::vector<int64_t>{1, 1, 1, 1, 1, 0, 0}));
    tokenizer.pad(encoding, 3);  // never truncates
    QCOMPARE(encoding.tokens.size(), size_t(7));
}

void TestTokenizer::offsets_data()
{
    QTest::addColumn<Bytes>("text");
    QTest::addColumn<bool>("lowerCase");
    QTest::addColumn<QString>("expected");  // token@begin-end in bytes

    QTest::newRow("sub-words and accents") << Bytes("Héllo, unaffable!") << true
                                           << "hello@0-6 ,@6-7 un@8-10 ##aff@10-13 ##able@13-17 !@17-18";
    QTest::newRow("unknown covers the word") << Bytes("  unaffx b") << true << "[UNK]@2-8 b@9-10";
    QTest::newRow("decomposed accents") << Bytes("e\u0301e\u0301") << true << "e@0-3 ##e@3-6";
    QTest::newRow("dotted capital I") << Bytes("x \u0130") << true << "x@0-1 i@2-4";
    QTest::newRow("controls skipped") << Bytes("a\u200Bb") << true << "ab@0-5";
    QTest::newRow("cased") << Bytes("\t[MASK] é,x") << false << "[MASK]@1-7 é@8-10 ,@10-11 x@11-12";
    QTest::newRow("invalid bytes") << Bytes("\xFF" "ab\x80" "c") << true << "ab@1-3 ##c@4-5";
}

void TestTokenizer::offsets()
{
    QFETCH(Bytes, text);
    QFETCH(bool, lowerCase);
    QFETCH(QString, expected);

    const auto tokenizer = tinyTokenizer(lowerCase);
    const std::string utf8 = toStd(text);
    QStringList got;
    std::vector<std::string> tokens;
    for (const auto& span : tokenizer.tokenizeWithOffsets(utf8)) {
        got << QStringLiteral("%1@%2-%3").arg(QString::fromStdString(span.token)).arg(span.begin).arg(span.end);
        tokens.push_back(span.token);
    }
    QCOMPARE(got.join(' '), expected);
    QCOMPARE(tokens, tokenizer.tokenize(utf8));
}

AX_TEST_MAIN(TestTokenizer)
#include "test_tokenizer.moc"
