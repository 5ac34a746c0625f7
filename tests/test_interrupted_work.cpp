// Interrupted work through the real CLI: `kill -9` during a fine-tune, a search and an export, then
// a restart. No output file is ever corrupt (atomic writes, folders swapped in whole), the fine-tune
// resumes from its last finished epoch and the search from its journal, and each ends exactly as an
// uninterrupted run does.
#include "test_support.h"

#include "data/task.h"
#include "model/model_folder.h"
#include "search/plan.h"
#include "synthetic_task.h"
#include "train/task_model.h"
#include "train/training_state.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <QElapsedTimer>
#include <QProcess>

#include <fstream>
#include <memory>
#include <random>

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

QString path(const fs::path& p) { return QString::fromStdString(p.string()); }

std::unique_ptr<QProcess> startCli(const QStringList& arguments)
{
    auto process = std::make_unique<QProcess>();
    process->setProcessChannelMode(QProcess::MergedChannels);
    process->start(qEnvironmentVariable("AXFORMER_CLI"), arguments);
    if (!process->waitForStarted()) qFatal("cannot start the axformer CLI (AXFORMER_CLI)");
    return process;
}

// Waits (polling every 2 ms) until `ready` holds; false when the process ended first.
bool waitWhileRunning(QProcess& process, const std::function<bool()>& ready, int timeoutMs = 120000)
{
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs) {
        if (ready()) return true;
        if (process.waitForFinished(2)) return ready();
    }
    return false;
}

// SIGKILL, as a power cut or the OOM killer would end it: no handler, no cleanup.
void killHard(QProcess& process)
{
    process.kill();
    process.waitForFinished(10000);
}

std::string fileBytes(const fs::path& file)
{
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

size_t lineCount(const fs::path& file)
{
    std::ifstream in(file);
    size_t lines = 0;
    for (std::string line; std::getline(in, line);) lines += !line.empty();
    return lines;
}

json readJson(const fs::path& file) { return json::parse(fileBytes(file)); }

// Folders a save leaves beside its target while it works; none may outlive a finished run.
std::vector<std::string> leftoversBeside(const fs::path& target)
{
    std::vector<std::string> found;
    for (const auto& entry : fs::directory_iterator(target.parent_path())) {
        const std::string name = entry.path().filename().string();
        if (name.rfind(target.filename().string() + ".", 0) == 0) found.push_back(name);
    }
    return found;
}

// A small untrained BERT (the tokenizer is the synthetic task's) saved as a pretrained folder.
fs::path savePretrained(const fs::path& folder, const fs::path& data, int hidden, int layers, int intermediate)
{
    const int vocabSize = static_cast<int>(lineCount(data / "vocab.txt"));
    ax::BertModel model(ax::BertConfig::standard(vocabSize, hidden, layers, 4, intermediate), ax::ModelHeads{});
    model->initialiseWeights(1);
    ax::saveModelFolder(*model, folder, data);
    return folder;
}

}  // namespace

class InterruptedWorkTest : public QObject {
    Q_OBJECT

    fs::path m_root, m_data, m_pretrained;

    QStringList fineTuneArguments(const fs::path& out) const
    {
        return {"finetune", "--model", path(m_pretrained), "--task", "sst2", "--data", path(m_data), "--out", path(out),
                "--epochs", "4", "--lr", "2e-3", "--batch-size", "16", "--max-seq-len", "16", "--seed", "3", "--quiet"};
    }

    QStringList searchArguments(const fs::path& model) const
    {
        return {"search", "--model", path(model), "--task", "sst2", "--data", path(m_data), "--max-seq-len", "16",
                "--top-k", "4", "--latency-runs", "2", "--candidate-latency-runs", "1", "--quiet"};
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_root = ax::test::scratchFolder("interrupted");
        m_data = ax::test::writeSyntheticSentiment(3000, 200, 9);
        m_pretrained = savePretrained(m_root / "pretrained", m_data, 64, 4, 128);
    }

    void killedFineTuneResumesToTheSameWeights()
    {
        const fs::path whole = m_root / "whole", killed = m_root / "killed";
        const ax::test::CliRun uninterrupted = ax::test::runCli(fineTuneArguments(whole));
        QVERIFY2(uninterrupted.exitCode == 0, qPrintable(uninterrupted.out + uninterrupted.err));
        QVERIFY(!fs::exists(ax::trainingStateFile(whole)));  // a finished run leaves no state behind

        // Killed at a random moment after the first epoch's state is written (maybe while it
        // writes the next one).
        const fs::path state = ax::trainingStateFile(killed);
        auto process = startCli(fineTuneArguments(killed));
        QVERIFY2(waitWhileRunning(*process, [&] { return fs::exists(state); }), "the fine-tune ended before its first epoch's state");
        std::mt19937 random(11);
        QTest::qWait(std::uniform_int_distribution<int>(0, 600)(random));
        QVERIFY2(process->state() == QProcess::Running, "the fine-tune finished before it could be killed");
        killHard(*process);
        QVERIFY(fs::exists(state));
        QVERIFY(fs::exists(killed / "model.safetensors"));  // the best epoch so far, whole
        QVERIFY(!fs::exists(killed / "finetune.json"));

        // A plain restart must not throw the stopped run away, nor may another recipe resume it.
        ax::test::CliRun refused = ax::test::runCli(fineTuneArguments(killed));
        QVERIFY(refused.exitCode != 0);
        QVERIFY2(refused.err.contains("--resume") && refused.err.contains(path(state)), qPrintable(refused.err));
        refused = ax::test::runCli(fineTuneArguments(killed) << "--resume" << "--lr" << "1e-3");
        QVERIFY(refused.exitCode != 0);
        QVERIFY2(refused.err.contains("another fine-tune"), qPrintable(refused.err));

        const ax::test::CliRun resumed = ax::test::runCli(fineTuneArguments(killed) << "--resume");
        QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.out + resumed.err));
        QVERIFY(!fs::exists(state));
        QVERIFY2(fileBytes(killed / "model.safetensors") == fileBytes(whole / "model.safetensors"),
                 "the resumed fine-tune must end with the uninterrupted run's weights");
        const json a = readJson(whole / "finetune.json"), b = readJson(killed / "finetune.json");
        QVERIFY(b["resumed_after_epoch"].get<int>() >= 1);
        QCOMPARE(b["best_epoch"], a["best_epoch"]);
        QCOMPARE(b["dev"]["metrics"], a["dev"]["metrics"]);
        for (size_t i = 0; i < a["epochs"].size(); ++i) QCOMPARE(b["epochs"][i]["val"], a["epochs"][i]["val"]);
        QVERIFY(leftoversBeside(killed).empty());

        const ax::test::CliRun nothingLeft = ax::test::runCli(fineTuneArguments(killed) << "--resume");
        QVERIFY(nothingLeft.exitCode != 0);
        QVERIFY2(nothingLeft.err.contains("nothing to resume"), qPrintable(nothingLeft.err));
    }

    void killedSearchResumesToTheSamePlan()
    {
        const fs::path model = m_root / "whole";
        QVERIFY2(fs::exists(model / "finetune.json"), "needs the fine-tuned model of the previous test");
        const fs::path whole = m_root / "search-whole", killed = m_root / "search-killed";
        const ax::test::CliRun uninterrupted = ax::test::runCli(searchArguments(model) << "--out" << path(whole));
        QVERIFY2(uninterrupted.exitCode == 0, qPrintable(uninterrupted.out + uninterrupted.err));

        auto process = startCli(searchArguments(model) << "--out" << path(killed));
        QVERIFY2(waitWhileRunning(*process, [&] { return lineCount(killed / "journal.jsonl") >= 3; }),
                 "the search ended before three candidates were journaled");
        killHard(*process);
        QVERIFY(!fs::exists(killed / "plan.json"));

        const ax::test::CliRun resumed = ax::test::runCli(searchArguments(model) << "--resume" << path(killed));
        QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.out + resumed.err));
        const json a = readJson(whole / "plan.json"), b = readJson(killed / "plan.json");
        QCOMPARE(b["decisions"], a["decisions"]);
        QCOMPARE(b["approximated"]["val_loss"], a["approximated"]["val_loss"]);
        QCOMPARE(lineCount(killed / "journal.jsonl"), lineCount(whole / "journal.jsonl"));
    }

    void killedExportLeavesTheOldFolderOrTheNewOneWhole()
    {
        // Large enough (13 MB) that some kills land while the weights are written.
        const fs::path data = m_data;
        ax::BertModel base(ax::BertConfig::standard(static_cast<int>(lineCount(data / "vocab.txt")), 256, 4, 4, 1024),
                           ax::ModelHeads{});
        const fs::path model = m_root / "export-model";
        ax::BertModel classifier = ax::modelForTask(*base, ax::taskSpec("sst2"), 4, true);
        ax::saveModelFolder(*classifier, model, data);
        ax::Plan plan;
        plan.modelPath = model.string();
        plan.modelHash = ax::weightsHash(model);
        plan.task = "sst2";
        plan.topK = 4;
        plan.ffnGroups = 4;
        plan.decisions = {{{ax::ElementKind::Head, 1, 2}, "user", true},
                          {{ax::ElementKind::FfnGroup, 2, 0}, "user", true},
                          {{ax::ElementKind::AttentionBlock, 3, -1}, "user", true}};
        const fs::path planFile = m_root / "export-plan.json";
        plan.save(planFile);
        auto exportTo = [&](const fs::path& out) {
            return QStringList{"apply", "--model", path(model), "--plan", path(planFile), "--out", path(out)};
        };

        const fs::path reference = m_root / "export-reference";
        QElapsedTimer timer;
        timer.start();
        const ax::test::CliRun whole = ax::test::runCli(exportTo(reference));
        QVERIFY2(whole.exitCode == 0, qPrintable(whole.out + whole.err));
        const int wholeMs = static_cast<int>(timer.elapsed());
        const std::string expected = fileBytes(reference / "model.safetensors");

        const fs::path out = m_root / "export-out";
        std::mt19937 random(5);
        int killedWhileWriting = 0;
        for (int attempt = 0; attempt < 16; ++attempt) {
            auto process = startCli(exportTo(out));
            if (attempt % 2 == 0) {
                // Within a few milliseconds of the staging folder's appearance: while it is written.
                waitWhileRunning(*process, [&] { return !leftoversBeside(out).empty(); });
                QTest::qWait(std::uniform_int_distribution<int>(0, 8)(random));
            } else {
                QTest::qWait(std::uniform_int_distribution<int>(wholeMs / 3, wholeMs)(random));
            }
            const bool wasRunning = process->state() == QProcess::Running;
            killHard(*process);
            killedWhileWriting += wasRunning && !leftoversBeside(out).empty();
            if (fs::exists(out)) {
                QVERIFY(fs::exists(out / "config.json"));
                QVERIFY2(fileBytes(out / "model.safetensors") == expected, "an export killed midway left a damaged folder");
            }
        }
        qInfo("%d of 16 kills landed while the export was writing", killedWhileWriting);
        QVERIFY2(killedWhileWriting > 0, "no kill landed while the export wrote: the test proved nothing");

        const ax::test::CliRun finished = ax::test::runCli(exportTo(out));
        QVERIFY2(finished.exitCode == 0, qPrintable(finished.out + finished.err));
        QVERIFY(fileBytes(out / "model.safetensors") == expected);
        QVERIFY2(leftoversBeside(out).empty(), "the next export removes what killed ones left beside the folder");
    }
};

AX_TEST_MAIN(InterruptedWorkTest)
#include "test_interrupted_work.moc"
