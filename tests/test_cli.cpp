// The `axformer` command line as a user runs it: help, version and exit codes; tokenize, info,
// inspect and fill-mask on real models, with inspect matching the Hugging Face reference outputs.

#include "io/checkpoint.h"
#include "io/safetensors.h"

#include "test_support.h"

using ax::test::runCli;
using Run = ax::test::CliRun;

#include <QProcess>

#include <cmath>
#include <fstream>
#include <thread>
#include <nlohmann/json.hpp>

using nlohmann::json;

namespace {

std::vector<float> floats(const ax::Checkpoint& file, const std::string& name)
{
    const ax::TensorInfo* info = file.find(name);
    if (info == nullptr || info->dtype != ax::DType::F32) return {};
    std::vector<float> values(static_cast<size_t>(info->elementCount()));
    file.readInto(name, values.data(), values.size() * sizeof(float));
    return values;
}

json integers(const ax::Checkpoint& file, const std::string& name)
{
    const ax::TensorInfo* info = file.find(name);
    std::vector<int64_t> values(static_cast<size_t>(info->elementCount()));
    file.readInto(name, values.data(), values.size() * sizeof(int64_t));
    json rows = json::array();
    for (int64_t r = 0; r < info->shape[0]; ++r)
        rows.push_back(std::vector<int64_t>(values.begin() + r * info->shape[1], values.begin() + (r + 1) * info->shape[1]));
    return rows;
}

}  // namespace

class TestCli : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void helpVersionAndUsageErrors()
    {
        const Run help = runCli({"--help"});
        QCOMPARE(help.exitCode, 0);
        for (const char* command : {"tokenize", "inspect", "info", "fill-mask"}) QVERIFY(help.out.contains(command));
        QCOMPARE(runCli({"--version"}).exitCode, 0);
        QVERIFY(runCli({"--version"}).out.startsWith("axformer "));
        // Every command answers --help and --version, whatever else is on the line.
        for (const char* command : {"tokenize", "inspect", "info", "models", "fill-mask", "finetune", "eval", "search", "apply",
                                    "pretrain", "score", "bench", "demo"}) {
            const Run commandHelp = runCli({command, "--help"});
            QCOMPARE(commandHelp.exitCode, 0);
            QVERIFY2(commandHelp.out.startsWith(QString("usage: axformer ") + command), qPrintable(commandHelp.out));
            const Run commandVersion = runCli({command, "--model", "x", "--version"});
            QCOMPARE(commandVersion.exitCode, 0);
            QVERIFY2(commandVersion.out.startsWith("axformer " AXFORMER_VERSION "\n"), qPrintable(commandVersion.out));
        }
        const Run unknown = runCli({"frobnicate"});
        QCOMPARE(unknown.exitCode, 2);
        QVERIFY(unknown.err.contains("unknown command"));
        const Run missing = runCli({"info"});
        QCOMPARE(missing.exitCode, 2);
        QVERIFY(missing.err.contains("--model is required"));
        const Run typo = runCli({"info", "--modle", "x"});
        QCOMPARE(typo.exitCode, 2);
        QVERIFY(typo.err.contains("unknown option --modle"));
        const Run badThreads = runCli({"info", "--model", "x", "--threads", "zero"});
        QCOMPARE(badThreads.exitCode, 2);
        const Run temperatureAlone = runCli({"finetune", "--model", "x", "--task", "sst2", "--data", "x", "--out", "/nonexistent/out",
                                             "--temperature", "3"});
        QCOMPARE(temperatureAlone.exitCode, 2);
        QVERIFY2(temperatureAlone.err.contains("--temperature sets distillation: give --teacher DIR too"), qPrintable(temperatureAlone.err));
    }

    void runsOnFastBlasKernels()
    {
        // Whatever OpenBLAS detected, the tool ends up on AVX2-or-better kernels where the CPU has them.
        const Run normal = runCli({"--version"});
        QVERIFY2(normal.out.contains("OpenBLAS"), qPrintable(normal.out));
        const Run forced = runCli({"--version"}, {}, {"AXFORMER_TREAT_BLAS_AS_SLOW=1"});
        QCOMPARE(forced.exitCode, 0);
        if (!ax::detectOpenBlasCoreType().empty())
            QVERIFY2(forced.out.contains(QString::fromStdString(ax::detectOpenBlasCoreType()) + " kernels"), qPrintable(forced.out));
        const Run userChoice = runCli({"--version"}, {}, {"AXFORMER_TREAT_BLAS_AS_SLOW=1", "OPENBLAS_CORETYPE=Prescott"});
        QVERIFY2(userChoice.out.contains("Prescott kernels"), "an explicit user setting is respected");
        // ... and when it is slower than what the CPU runs, the user is told so.
        if (!ax::detectOpenBlasCoreType().empty())
            QVERIFY2(userChoice.out.contains("OPENBLAS_CORETYPE=Prescott is set; this CPU can run OpenBLAS's " +
                                             QString::fromStdString(ax::detectOpenBlasCoreType()) + " kernels"),
                     qPrintable(userChoice.out));
        QVERIFY2(!forced.out.contains("note:"), qPrintable(forced.out));  // the tool's own choice is the best
    }

    // --threads, else the OMP_NUM_THREADS the user exported, else every core.
    void threadCountFollowsTheUsersSetting()
    {
        AX_REQUIRE_SHARED(model, "reference/tiny");
        const auto threadsWith = [&](const QStringList& extra, const QStringList& environment) {
            const Run run = runCli(QStringList{"bench", "--model", QString::fromStdString(model.string()), "--batch", "1", "--runs",
                                               "1", "--warmup", "0", "--seq-len", "8", "--json"} + extra, {}, environment);
            if (run.exitCode != 0) qWarning("%s", qPrintable(run.err));
            return run.exitCode == 0 ? json::parse(run.out.toStdString())["threads"].get<int>() : -1;
        };
        const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
        QCOMPARE(threadsWith({}, {"OMP_NUM_THREADS="}), cores);
        QCOMPARE(threadsWith({}, {"OMP_NUM_THREADS=1"}), 1);
        QCOMPARE(threadsWith({}, {"OMP_NUM_THREADS=3,1"}), 3);
        QCOMPARE(threadsWith({"--threads", "2"}, {"OMP_NUM_THREADS=1"}), 2);
        QCOMPARE(threadsWith({}, {"OMP_NUM_THREADS=lots"}), cores);
    }

    void badInputNamesTheProblem()
    {
        const auto folder = ax::test::scratchFolder("cli-bad");
        const Run absent = runCli({"info", "--model", QString::fromStdString((folder / "nowhere").string())});
        QCOMPARE(absent.exitCode, 1);
        QVERIFY2(absent.err.contains("nowhere"), qPrintable(absent.err));
        const Run noVocab = runCli({"tokenize", "--vocab", QString::fromStdString((folder / "vocab.txt").string())}, "{}\n");
        QCOMPARE(noVocab.exitCode, 1);
        QVERIFY2(noVocab.err.contains("vocab.txt"), qPrintable(noVocab.err));
    }

    void tokenizesJsonLines()
    {
        AX_REQUIRE_SHARED(vocab, "vocab/bert-base-uncased/vocab.txt");
        const QByteArray input = "{\"text\": \"Hello, World! Unflinchingly bleak.\"}\n{\"text\": \"caf\xc3\xa9 [MASK]\"}\n";
        const Run run = runCli({"tokenize", "--vocab", QString::fromStdString(vocab.string())}, input);
        QCOMPARE(run.exitCode, 0);
        const QStringList lines = run.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 2);
        const json first = json::parse(lines[0].toStdString());
        QCOMPARE(first["tokens"].get<std::vector<std::string>>(),
                 (std::vector<std::string>{"hello", ",", "world", "!", "un", "##fl", "##in", "##ching", "##ly", "bleak", "."}));
        QCOMPARE(first["ids"][0].get<int>(), 7592);
        QCOMPARE(json::parse(lines[1].toStdString())["tokens"].get<std::vector<std::string>>(),
                 (std::vector<std::string>{"cafe", "[MASK]"}));
        const Run cased = runCli({"tokenize", "--vocab", QString::fromStdString(vocab.string()), "--cased"}, "{\"text\": \"Hello\"}\n");
        QCOMPARE(json::parse(cased.out.toStdString())["tokens"][0].get<std::string>(), std::string("[UNK]"));
        const Run broken = runCli({"tokenize", "--vocab", QString::fromStdString(vocab.string())}, "{\"text\": 1}\n");
        QCOMPARE(broken.exitCode, 1);
        QVERIFY(broken.err.contains("line 1"));
    }

    void infoDescribesTheModel()
    {
        AX_REQUIRE_SHARED(folder, "models/axbert-mini");
        const Run run = runCli({"info", "--model", QString::fromStdString(folder.string()), "--json"});
        QCOMPARE(run.exitCode, 0);
        const json info = json::parse(run.out.toStdString());
        QCOMPARE(info["params"].get<int64_t>(), int64_t(11267386));
        QCOMPARE(info["bytes_on_disk"].get<int64_t>(), int64_t(45078208));
        QCOMPARE(info["layers"].size(), size_t(4));
        QCOMPARE(info["layers"][2]["heads"].get<int>(), 4);
        QCOMPARE(info["layers"][2]["intermediate_size"].get<int>(), 1024);
        QVERIFY(info["heads"].get<std::vector<std::string>>() == (std::vector<std::string>{"pooler", "masked_lm"}));
        const Run text = runCli({"info", "--model", QString::fromStdString(folder.string())});
        QVERIFY(text.out.contains("11267386"));
    }

    void inspectMatchesTheReference()
    {
        AX_REQUIRE_SHARED(folder, "reference/perturbed");
        const ax::Checkpoint reference = ax::Checkpoint::openFile(folder / "outputs.safetensors");
        const auto scratch = ax::test::scratchFolder("cli-inspect");
        const json input = {{"input_ids", integers(reference, "case3.input_ids")},
                            {"token_type_ids", integers(reference, "case3.token_type_ids")},
                            {"attention_mask", integers(reference, "case3.attention_mask")},
                            {"head_mask", {{1, 0}, {0, 1}}}};
        std::ofstream(scratch / "input.json") << input.dump();
        const Run run = runCli({"inspect", "--model", QString::fromStdString(folder.string()), "--input",
                                QString::fromStdString((scratch / "input.json").string()), "--out",
                                QString::fromStdString((scratch / "out.safetensors").string())});
        QCOMPARE(run.exitCode, 0);
        const ax::Checkpoint ours = ax::Checkpoint::openFile(scratch / "out.safetensors");
        const std::vector<std::pair<std::string, std::string>> pairs = {
            {"hidden_states.0", "case3.headmask.hidden_states.0"}, {"hidden_states.2", "case3.headmask.hidden_states.2"},
            {"attentions.1", "case3.headmask.layer1.attention_probs"}, {"pooled_output", "case3.headmask.pooled_output"},
            {"logits", "case3.headmask.seqcls.logits"}, {"start_logits", "case3.headmask.qa.start_logits"},
            {"end_logits", "case3.headmask.qa.end_logits"}};
        for (const auto& [name, referenceName] : pairs) {
            const auto a = floats(ours, name), b = floats(reference, referenceName);
            QVERIFY2(!a.empty() && a.size() == b.size(), name.c_str());
            for (size_t i = 0; i < a.size(); ++i) QVERIFY2(std::abs(a[i] - b[i]) <= 1e-5, name.c_str());
        }

        std::ofstream(scratch / "bad.json") << R"({"input_ids": [[101, 99999]]})";
        const Run bad = runCli({"inspect", "--model", QString::fromStdString(folder.string()), "--input",
                                QString::fromStdString((scratch / "bad.json").string()), "--out",
                                QString::fromStdString((scratch / "bad.safetensors").string())});
        QCOMPARE(bad.exitCode, 1);
        QVERIFY2(bad.err.contains("bad.json") && bad.err.contains("input_ids"), qPrintable(bad.err));
    }

    void fillMaskPrintsTopTokens()
    {
        AX_REQUIRE_SHARED(folder, "models/axbert-mini");
        const Run run = runCli({"fill-mask", "--model", QString::fromStdString(folder.string()), "--text",
                                "the capital of france is [MASK] .", "--json"});
        QCOMPARE(run.exitCode, 0);
        const json result = json::parse(run.out.toStdString());
        QCOMPARE(result["masks"][0]["position"].get<int>(), 6);
        QCOMPARE(result["masks"][0]["top"][0]["token"].get<std::string>(), std::string("the"));
        QVERIFY(std::abs(result["masks"][0]["top"][0]["prob"].get<double>() - 0.1520140916109085) < 1e-5);
        const Run noMask = runCli({"fill-mask", "--model", QString::fromStdString(folder.string()), "--text", "no mask"});
        QCOMPARE(noMask.exitCode, 1);
        QVERIFY(noMask.err.contains("[MASK]"));
    }
};

AX_TEST_MAIN(TestCli)
#include "test_cli.moc"
