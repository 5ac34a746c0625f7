// Masked-LM pretraining: corpus packing, BERT's 15% / 80-10-10 masking statistics, a tiny model
// that learns a tiny grammar (held-out loss falls far below ln(vocab)), save and reload, errors
// that name the file, and the `axformer pretrain` command end to end.

#include "model/model_folder.h"
#include "train/pretrainer.h"

#include <torch/torch.h>

#include "test_support.h"

using ax::test::CliRun;
using ax::test::runCli;

#include "common/error.h"

#include <QProcess>

#include <cmath>
#include <fstream>
#include <sstream>
#include <nlohmann/json.hpp>

using namespace ax;
namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kNumbers = {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"};
const std::vector<std::string> kLetters = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"};
const std::vector<std::string> kColours = {"red", "green", "blue", "yellow"};

std::vector<std::string> vocabTokens()
{
    std::vector<std::string> tokens = {"[PAD]", "[unused0]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "is", ".", ","};
    for (const auto* group : {&kNumbers, &kLetters, &kColours}) tokens.insert(tokens.end(), group->begin(), group->end());
    return tokens;
}

void writeText(const fs::path& file, const std::string& text)
{
    std::ofstream(file, std::ios::binary) << text;
}

// A scratch folder with vocab.txt (the tiny vocabulary) and nothing else.
fs::path vocabFolder()
{
    static const fs::path folder = [] {
        const fs::path made = ax::test::scratchFolder("pretrain-vocab");
        std::string text;
        for (const auto& token : vocabTokens()) text += token + "\n";
        writeText(made / "vocab.txt", text);
        return made;
    }();
    return folder;
}

BertTokenizer tinyTokenizer()
{
    return BertTokenizer(Vocab::fromFile(vocabFolder() / "vocab.txt"), true);
}

// Lines of a tiny grammar whose every word is predictable from its neighbours: counting runs,
// runs of Greek letters, and "the X is X ." with a repeated colour.
std::string grammarCorpus(int lines, unsigned seed)
{
    std::mt19937 rng(seed);
    std::string text;
    for (int i = 0; i < lines; ++i) {
        const auto kind = rng() % 3;
        if (kind == 2) {
            const std::string& colour = kColours[rng() % kColours.size()];
            text += "the " + colour + " is " + colour + " .\n";
            continue;
        }
        const auto& words = kind == 0 ? kNumbers : kLetters;
        const size_t length = 4 + rng() % 4;
        const size_t start = rng() % (words.size() - length + 1);
        for (size_t w = 0; w < length; ++w) text += (w ? " " : "") + words[start + w];
        text += (i % 7 == 0) ? "\n\n" : "\n";  // some blank lines, which are skipped
    }
    return text;
}

BertConfig tinyConfig(double dropout = 0.1)
{
    BertConfig config = BertConfig::standard(static_cast<int>(vocabTokens().size()), 32, 2, 2, 64);
    config.maxPositions = 64;
    config.hiddenDropout = config.attentionDropout = dropout;
    config.architectures = {"BertForMaskedLM"};
    return config;
}

BertModel tinyModel(uint64_t seed = 3, double dropout = 0.1)
{
    ModelHeads heads;
    heads.maskedLm = true;
    BertModel model(tinyConfig(dropout), heads);
    model->initialiseWeights(seed);
    return model;
}

template <typename F>
QString errorOf(F&& action)
{
    try {
        action();
    } catch (const Error& error) {
        return QString::fromStdString(error.what());
    }
    return {};
}

class StepCounter : public ProgressObserver {
public:
    void onProgress(const Progress& progress) override
    {
        if (progress.stage != "pretrain") return;
        ++steps;
        total = progress.total;
        lastDetail = progress.detail;
    }
    void onMessage(const std::string& line) override { messages.push_back(line); }
    int64_t steps = 0, total = 0;
    std::string lastDetail;
    std::vector<std::string> messages;
};

}  // namespace

class TestPretrain : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        at::set_num_threads(1);  // tiny tensors: threads only add overhead, and one thread is reproducible
    }

    void packingKeepsLinesWholeAndOrder()
    {
        const BertTokenizer tokenizer = tinyTokenizer();
        const fs::path corpus = ax::test::scratchFolder("pretrain-pack") / "corpus.txt";
        // Capacity 6 content tokens: the first two lines share a sequence, the third does not fit
        // beside them; the 14-token line is cut 6 + 6 and its last 2 tokens are continued.
        writeText(corpus, "\xEF\xBB\xBFone two three\n\n   \nfour five\r\nsix seven\n"
                          "alpha beta gamma delta epsilon zeta eta theta one two three four five six\nred\n");
        const auto sequences = packCorpus(corpus, tokenizer, 8);
        auto ids = [&](const std::string& text) {
            std::vector<int64_t> out = {tokenizer.vocab().clsId()};
            const auto content = tokenizer.toIds(tokenizer.tokenize(text));
            out.insert(out.end(), content.begin(), content.end());
            out.push_back(tokenizer.vocab().sepId());
            return out;
        };
        const std::vector<std::vector<int64_t>> expected = {
            ids("one two three four five"), ids("six seven"), ids("alpha beta gamma delta epsilon zeta"),
            ids("eta theta one two three four"), ids("five six red")};
        QCOMPARE(sequences, expected);

        // A larger corpus: every sequence fits, is framed by [CLS] ... [SEP], nothing is lost.
        writeText(corpus, grammarCorpus(400, 5));
        const auto packed = packCorpus(corpus, tokenizer, 32);
        size_t contentTokens = 0;
        for (const auto& sequence : packed) {
            QVERIFY(sequence.size() <= 32 && sequence.size() >= 3);
            QCOMPARE(sequence.front(), tokenizer.vocab().clsId());
            QCOMPARE(sequence.back(), tokenizer.vocab().sepId());
            contentTokens += sequence.size() - 2;
        }
        size_t expectedTokens = 0;
        std::istringstream lines(grammarCorpus(400, 5));
        for (std::string line; std::getline(lines, line);) expectedTokens += tokenizer.tokenize(line).size();
        QCOMPARE(contentTokens, expectedTokens);
    }

    void packingErrorsNameTheFile()
    {
        const BertTokenizer tokenizer = tinyTokenizer();
        const fs::path folder = ax::test::scratchFolder("pretrain-bad");
        const fs::path missing = folder / "missing.txt";
        QString message = errorOf([&] { packCorpus(missing, tokenizer, 32); });
        QVERIFY2(message.contains(QString::fromStdString(missing.string())) && message.contains("not found"), qPrintable(message));

        const fs::path empty = folder / "empty.txt";
        writeText(empty, "");
        message = errorOf([&] { packCorpus(empty, tokenizer, 32); });
        QVERIFY2(message.contains(QString::fromStdString(empty.string())) && message.contains("empty"), qPrintable(message));

        const fs::path blank = folder / "blank.txt";
        writeText(blank, "\n  \n\t\n");
        message = errorOf([&] { packCorpus(blank, tokenizer, 32); });
        QVERIFY2(message.contains(QString::fromStdString(blank.string())) && message.contains("empty"), qPrintable(message));

        const fs::path noTokens = folder / "control.txt";
        writeText(noTokens, "\x01\x02\n\x03\n");
        message = errorOf([&] { packCorpus(noTokens, tokenizer, 32); });
        QVERIFY2(message.contains(QString::fromStdString(noTokens.string())) && message.contains("no tokens"), qPrintable(message));

        message = errorOf([&] { packCorpus(folder, tokenizer, 32); });
        QVERIFY2(message.contains(QString::fromStdString(folder.string())), qPrintable(message));
    }

    void maskingFollowsBertsRecipe()
    {
        const Vocab vocab = Vocab::fromFile(vocabFolder() / "vocab.txt");
        const MaskingScheme scheme = MaskingScheme::fromVocab(vocab);
        for (const int64_t id : scheme.replacements) {
            QVERIFY(!scheme.special[static_cast<size_t>(id)]);
            QVERIFY(vocab.token(id).front() != '[');
        }
        QCOMPARE(scheme.replacements.size(), vocab.size() - 6);  // 5 specials and [unused0]

        std::mt19937 make(9);
        std::vector<std::vector<int64_t>> sequences;
        for (int i = 0; i < 3000; ++i) {
            std::vector<int64_t> sequence = {vocab.clsId()};
            const size_t length = 20 + make() % 40;
            for (size_t t = 0; t < length; ++t)
                sequence.push_back(make() % 13 == 0 ? vocab.unkId() : 6 + static_cast<int64_t>(make() % (vocab.size() - 6)));
            sequence.push_back(vocab.sepId());
            sequences.push_back(sequence);
        }
        sequences.push_back({vocab.clsId(), 7, vocab.sepId()});  // one token: still one masked

        std::mt19937_64 rng(123);
        const MaskedBatch batch = maskTokens(sequences, scheme, 0.15, rng);
        const auto rows = batch.inputIds.size(0), columns = batch.inputIds.size(1);
        QCOMPARE(rows, static_cast<int64_t>(sequences.size()));
        int64_t candidates = 0, masked = 0, asMask = 0, asRandom = 0, unchanged = 0;
        const auto inputs = batch.inputIds.accessor<int64_t, 2>();
        const auto labels = batch.labels.accessor<int64_t, 2>();
        const auto attention = batch.attentionMask.accessor<int64_t, 2>();
        for (int64_t r = 0; r < rows; ++r) {
            const auto& sequence = sequences[static_cast<size_t>(r)];
            int64_t maskedInRow = 0;
            for (int64_t c = 0; c < columns; ++c) {
                if (c >= static_cast<int64_t>(sequence.size())) {
                    QCOMPARE(inputs[r][c], vocab.padId());
                    QCOMPARE(labels[r][c], int64_t(-100));
                    QCOMPARE(attention[r][c], int64_t(0));
                    continue;
                }
                const int64_t original = sequence[static_cast<size_t>(c)];
                QCOMPARE(attention[r][c], int64_t(1));
                if (scheme.special[static_cast<size_t>(original)]) {
                    QCOMPARE(labels[r][c], int64_t(-100));
                    QCOMPARE(inputs[r][c], original);
                    continue;
                }
                ++candidates;
                if (labels[r][c] == -100) {
                    QCOMPARE(inputs[r][c], original);
                    continue;
                }
                QCOMPARE(labels[r][c], original);
                ++masked;
                ++maskedInRow;
                if (inputs[r][c] == vocab.maskId()) ++asMask;
                else if (inputs[r][c] == original) ++unchanged;
                else {
                    ++asRandom;
                    QVERIFY(!scheme.special[static_cast<size_t>(inputs[r][c])]);
                }
            }
            QVERIFY(maskedInRow >= 1);
        }
        QCOMPARE(batch.maskedTokens, masked);
        const double rate = double(masked) / double(candidates);
        QVERIFY2(std::abs(rate - 0.15) < 0.005, qPrintable(QString("masked %1 of the candidates").arg(rate)));
        // A random substitute equals the original 1 time in 26 here: count those as unchanged.
        const double chance = 1.0 / double(scheme.replacements.size());
        const double maskShare = double(asMask) / double(masked), randomShare = double(asRandom) / double(masked),
                     unchangedShare = double(unchanged) / double(masked);
        QVERIFY2(std::abs(maskShare - 0.8) < 0.015, qPrintable(QString("[MASK] share %1").arg(maskShare)));
        QVERIFY2(std::abs(randomShare - 0.1 * (1 - chance)) < 0.012, qPrintable(QString("random share %1").arg(randomShare)));
        QVERIFY2(std::abs(unchangedShare - 0.1 * (1 + chance)) < 0.012, qPrintable(QString("unchanged share %1").arg(unchangedShare)));

        // The same seed gives the same masks; another seed does not.
        std::mt19937_64 again(123), other(124);
        const MaskedBatch repeat = maskTokens(sequences, scheme, 0.15, again);
        QVERIFY(torch::equal(repeat.inputIds, batch.inputIds) && torch::equal(repeat.labels, batch.labels));
        QVERIFY(!torch::equal(maskTokens(sequences, scheme, 0.15, other).labels, batch.labels));
    }

    void headAtMaskedPositionsMatchesTheFullHead()
    {
        BertModel model = tinyModel();
        {
            torch::NoGradGuard noGrad;
            for (auto& entry : model->namedWeights()) entry.second.add_(torch::randn_like(entry.second) * 0.1);
        }
        model->eval();
        torch::NoGradGuard noGrad;
        ModelInput input;
        input.inputIds = torch::randint(6, 32, {3, 12}, torch::kInt64);
        input.attentionMask = torch::ones({3, 12}, torch::kInt64);
        ForwardOptions options;
        options.maskedLm = true;
        const BertOutput output = model->forward(input, nullptr, options);
        const torch::Tensor select = torch::rand({3, 12}).lt(0.3);
        const torch::Tensor partial = maskedLmLogitsAt(*model, output.lastHidden, select);
        QCOMPARE(partial.size(0), select.sum().item<int64_t>());
        QVERIFY((partial - output.maskedLmLogits.index({select})).abs().max().item<double>() < 1e-5);
    }

    void tinyModelLearnsAndReloads()
    {
        const BertTokenizer tokenizer = tinyTokenizer();
        const fs::path folder = ax::test::scratchFolder("pretrain-train");
        writeText(folder / "corpus.txt", grammarCorpus(1500, 11));
        const auto sequences = packCorpus(folder / "corpus.txt", tokenizer, 32);

        // No dropout here: it only slows a 300-step run (sameSeedSameRun trains with dropout).
        BertModel model = tinyModel(3, 0.0);
        PretrainSettings settings;
        settings.batchSize = 64;
        settings.steps = 300;
        settings.optimizer.learningRate = 1e-2;
        settings.heldOutFraction = 0.1;
        settings.seed = 5;
        StepCounter counter;
        const PretrainReport report = pretrain(*model, sequences, tokenizer.vocab(), settings, &counter);

        const double chance = std::log(double(tokenizer.vocab().size()));
        qInfo("%zu sequences; held-out loss %.3f -> %.3f (ln V = %.3f), accuracy %.3f -> %.3f on %lld masked tokens; "
              "train loss %.3f; %.1f s",
              report.sequences, report.initialHeldOutLoss, report.heldOutLoss, chance, report.initialHeldOutAccuracy,
              report.heldOutAccuracy, static_cast<long long>(report.heldOutMaskedTokens), report.trainLoss, report.seconds);
        QCOMPARE(report.steps, int64_t(300));
        QCOMPARE(counter.steps, int64_t(300));
        QCOMPARE(counter.total, int64_t(300));
        QVERIFY(QString::fromStdString(counter.lastDetail).contains("loss"));
        QCOMPARE(counter.messages.size(), size_t(2));
        QCOMPARE(report.heldOutSequences, static_cast<size_t>(std::llround(0.1 * double(sequences.size()))));
        QCOMPARE(report.trainSequences + report.heldOutSequences, sequences.size());
        QVERIFY(report.heldOutMaskedTokens > 100);
        QVERIFY(report.tokensSeen > 300 * 40 * 20);
        QVERIFY2(std::abs(report.initialHeldOutLoss - chance) < 0.3, "an untrained head predicts about uniformly");
        QVERIFY2(report.heldOutLoss < 0.5 * chance, "the grammar is learnable: the loss must fall well below ln(V)");
        QVERIFY(report.heldOutAccuracy > 0.4);
        QVERIFY(report.trainLoss < 0.6 * chance);
        QVERIFY(!model->is_training());

        // Saved and reloaded, the model gives the same masked-LM logits.
        saveModelFolder(*model, folder / "model", vocabFolder());
        LoadedModel loaded = loadModelFolder(folder / "model");
        QVERIFY(loaded.model->heads().maskedLm);
        torch::NoGradGuard noGrad;
        ModelInput input;
        input.inputIds = torch::tensor(sequences.front(), torch::kInt64).unsqueeze(0);
        ForwardOptions options;
        options.maskedLm = true;
        const torch::Tensor before = model->forward(input, nullptr, options).maskedLmLogits;
        const torch::Tensor after = loaded.model->forward(input, nullptr, options).maskedLmLogits;
        QVERIFY((before - after).abs().max().item<double>() < 1e-5);

        // "two [MASK] four": the model has learnt to count.
        const Encoding encoding = tokenizer.encode("one two [MASK] four five", std::nullopt, 32);
        input.inputIds = torch::tensor(encoding.inputIds, torch::kInt64).unsqueeze(0);
        const torch::Tensor guess = loaded.model->forward(input, nullptr, options).maskedLmLogits[0][3].argmax();
        QCOMPARE(QString::fromStdString(tokenizer.vocab().token(guess.item<int64_t>())), QString("three"));
    }

    void sameSeedSameRun()
    {
        const BertTokenizer tokenizer = tinyTokenizer();
        const fs::path corpus = ax::test::scratchFolder("pretrain-seed") / "corpus.txt";
        writeText(corpus, grammarCorpus(200, 2));
        const auto sequences = packCorpus(corpus, tokenizer, 32);
        PretrainSettings settings;
        settings.batchSize = 8;
        settings.steps = 5;
        settings.heldOutFraction = 0.2;
        BertModel first = tinyModel(), second = tinyModel();
        const PretrainReport a = pretrain(*first, sequences, tokenizer.vocab(), settings);
        const PretrainReport b = pretrain(*second, sequences, tokenizer.vocab(), settings);
        QCOMPARE(a.heldOutLoss, b.heldOutLoss);
        QCOMPARE(a.trainLoss, b.trainLoss);
        QCOMPARE(a.tokensSeen, b.tokensSeen);
        // Epochs decide the steps when none are given.
        settings.steps = 0;
        settings.epochs = 2;
        const size_t train = sequences.size() - a.heldOutSequences;
        QCOMPARE(pretrain(*first, sequences, tokenizer.vocab(), settings).steps, static_cast<int64_t>(2 * ((train + 7) / 8)));
    }

    void badInputsAreErrors()
    {
        const BertTokenizer tokenizer = tinyTokenizer();
        const std::vector<std::vector<int64_t>> sequences = {{3, 11, 12, 4}, {3, 13, 4}};
        PretrainSettings settings;
        settings.steps = 1;

        BertConfig wrongSize = tinyConfig();
        wrongSize.vocabSize = 50;
        ModelHeads heads;
        heads.maskedLm = true;
        BertModel mismatched(wrongSize, heads);
        QString message = errorOf([&] { pretrain(*mismatched, sequences, tokenizer.vocab(), settings); });
        QVERIFY2(message.contains(QString::fromStdString((vocabFolder() / "vocab.txt").string())) && message.contains("50"),
                 qPrintable(message));

        BertModel noHead(tinyConfig(), ModelHeads{});
        message = errorOf([&] { pretrain(*noHead, sequences, tokenizer.vocab(), settings); });
        QVERIFY2(message.contains("masked-LM head"), qPrintable(message));

        BertModel model = tinyModel();
        message = errorOf([&] { pretrain(*model, {}, tokenizer.vocab(), settings); });
        QVERIFY2(message.contains("no sequences"), qPrintable(message));

        CancelToken cancel;
        cancel.cancel();
        QVERIFY_THROWS_EXCEPTION(Cancelled, pretrain(*model, sequences, tokenizer.vocab(), settings, nullptr, &cancel));
    }

    void commandLineEndToEnd()
    {
        const QString cli = qEnvironmentVariable("AXFORMER_CLI");
        if (cli.isEmpty() || !QFileInfo::exists(cli)) QSKIP("needs the axformer binary (AXFORMER_CLI)");
        const fs::path folder = ax::test::scratchFolder("pretrain-cli");
        writeText(folder / "corpus.txt", grammarCorpus(300, 4));
        fs::create_directories(folder / "shape");
        fs::copy_file(vocabFolder() / "vocab.txt", folder / "shape" / "vocab.txt");
        writeText(folder / "shape" / "config.json", tinyConfig().toJson().dump());
        auto path = [&](const std::string& name) { return QString::fromStdString((folder / name).string()); };

        CliRun run = runCli({"pretrain", "--corpus", path("corpus.txt"), "--config", path("shape/config.json"), "--out",
                             path("out"), "--steps", "20", "--batch-size", "8", "--max-seq-len", "32", "--lr", "1e-3",
                             "--json"});  // every core, or OMP_NUM_THREADS (1 under ThreadSanitizer: it cannot see OpenMP's barriers)
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const auto report = nlohmann::json::parse(run.out.toStdString());
        for (const char* key : {"steps", "tokens_seen", "train_loss", "held_out_loss", "held_out_accuracy", "seconds",
                                "sequences", "out", "initial_held_out_loss"})
            QVERIFY2(report.contains(key), key);
        QCOMPARE(report["steps"].get<int>(), 20);
        for (const char* file : {"config.json", "model.safetensors", "vocab.txt", "tokenizer_config.json", "pretrain.json"})
            QVERIFY2(fs::exists(folder / "out" / file), file);
        const auto tokenizerConfig = nlohmann::json::parse(std::ifstream(folder / "out" / "tokenizer_config.json"));
        QCOMPARE(tokenizerConfig["do_lower_case"].get<bool>(), true);

        run = runCli({"fill-mask", "--model", path("out"), "--text", "one two [MASK] four", "--json"});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY(run.out.contains("\"masks\""));

        // Continue pretraining the result.
        run = runCli({"pretrain", "--corpus", path("corpus.txt"), "--model", path("out"), "--out", path("out2"), "--steps",
                      "3", "--batch-size", "8", "--max-seq-len", "32", "--quiet"});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY(run.out.contains("held-out loss"));
        QVERIFY(fs::exists(folder / "out2" / "model.safetensors"));

        // A vocab_size that does not match the vocabulary names the config file.
        BertConfig wrong = tinyConfig();
        wrong.vocabSize = 99;
        writeText(folder / "shape" / "wrong.json", wrong.toJson().dump());
        run = runCli({"pretrain", "--corpus", path("corpus.txt"), "--config", path("shape/wrong.json"), "--out", path("bad")});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(path("shape/wrong.json")) && run.err.contains("vocab_size"), qPrintable(run.err));

        run = runCli({"pretrain", "--corpus", path("nothing.txt"), "--config", path("shape/config.json"), "--out", path("bad")});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(path("nothing.txt")), qPrintable(run.err));
        QVERIFY(!fs::exists(folder / "bad"));

        run = runCli({"pretrain", "--corpus", path("corpus.txt"), "--out", path("bad")});
        QCOMPARE(run.exitCode, 2);
    }
};

AX_TEST_MAIN(TestPretrain)
#include "test_pretrain.moc"
