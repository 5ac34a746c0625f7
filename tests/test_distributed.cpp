// Distributed evaluation through the real CLI (issue 11): `axformer search` and `eval` run as 2 and
// 3 processes over loopback (LibTorch's c10d, Gloo) end exactly as one process does: the same
// journal byte for byte, the same decisions, losses, metrics and predictions. A rank that never
// joins, or dies, makes the others stop with a clear error; the journal then resumes the search.
// The SQuAD case needs ../shared (the reference model and SQuAD dev); the rest makes its own data.
#include "test_support.h"

#include "synthetic_task.h"

#include <nlohmann/json.hpp>

#include <QElapsedTimer>
#include <QProcess>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <memory>

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

QString path(const fs::path& p) { return QString::fromStdString(p.string()); }

std::string fileBytes(const fs::path& file)
{
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

json readJson(const fs::path& file) { return json::parse(fileBytes(file)); }

size_t lineCount(const fs::path& file)
{
    std::ifstream in(file);
    size_t lines = 0;
    for (std::string line; std::getline(in, line);) lines += !line.empty();
    return lines;
}

// A port that was free a moment ago on loopback, for the master's store.
int freePort()
{
    const int socket = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (::bind(socket, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(socket, reinterpret_cast<sockaddr*>(&address), &length) != 0)
        qFatal("cannot find a free port on loopback");
    ::close(socket);
    return ntohs(address.sin_port);
}

// One process of a world: the CLI with its output in files (so that no process can block on a
// full pipe while another waits for it in a collective).
struct Rank {
    std::unique_ptr<QProcess> process;
    fs::path out, err;
    int exitCode() const { return process->exitStatus() == QProcess::NormalExit ? process->exitCode() : -1; }
    QString output() const { return QString::fromStdString(fileBytes(out) + fileBytes(err)); }
    QString errors() const { return QString::fromStdString(fileBytes(err)); }
};

enum class Launch { Options, Environment };  // --world-size/--rank/--master, or torchrun's variables

Rank startRank(const QStringList& arguments, const fs::path& logs, int rank,
               const QProcessEnvironment& environment = QProcessEnvironment::systemEnvironment())
{
    fs::create_directories(logs);
    Rank started{std::make_unique<QProcess>(), logs / ("rank" + std::to_string(rank) + ".out"),
                 logs / ("rank" + std::to_string(rank) + ".err")};
    started.process->setStandardOutputFile(path(started.out));
    started.process->setStandardErrorFile(path(started.err));
    started.process->setProcessEnvironment(environment);
    started.process->start(qEnvironmentVariable("AXFORMER_CLI"), arguments);
    if (!started.process->waitForStarted()) qFatal("cannot start the axformer CLI (AXFORMER_CLI)");
    return started;
}

std::vector<Rank> startWorld(const QStringList& arguments, int worldSize, const fs::path& logs, Launch launch = Launch::Options,
                             int startedRanks = -1, int port = freePort())
{
    std::vector<Rank> ranks;
    for (int rank = 0; rank < (startedRanks < 0 ? worldSize : startedRanks); ++rank) {
        QStringList rankArguments = arguments;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        if (launch == Launch::Options) {
            rankArguments << "--world-size" << QString::number(worldSize) << "--rank" << QString::number(rank) << "--master"
                          << QString("127.0.0.1:%1").arg(port);
        } else {
            environment.insert("WORLD_SIZE", QString::number(worldSize));
            environment.insert("RANK", QString::number(rank));
            environment.insert("MASTER_ADDR", "127.0.0.1");
            environment.insert("MASTER_PORT", QString::number(port));
        }
        ranks.push_back(startRank(rankArguments, logs, rank, environment));
    }
    return ranks;
}

void waitForAll(std::vector<Rank>& ranks, int timeoutMs = 300000)
{
    for (Rank& rank : ranks) rank.process->waitForFinished(timeoutMs);
}

std::vector<Rank> runWorld(const QStringList& arguments, int worldSize, const fs::path& logs, Launch launch = Launch::Options)
{
    std::vector<Rank> ranks = startWorld(arguments, worldSize, logs, launch);
    waitForAll(ranks);
    return ranks;
}

#define EXPECT_ALL_SUCCEEDED(ranks)                                                                          \
    for (size_t r_ = 0; r_ < (ranks).size(); ++r_)                                                           \
        QVERIFY2((ranks)[r_].exitCode() == 0, qPrintable(QString("rank %1: ").arg(r_) + (ranks)[r_].output()))

// What must match exactly between a run and the one-process run.
void expectSamePlan(const fs::path& run, const fs::path& single)
{
    QVERIFY2(fileBytes(run / "journal.jsonl") == fileBytes(single / "journal.jsonl"),
             "every candidate's val loss, agreement count and metric must be the one-process run's");
    const json a = readJson(single / "plan.json"), b = readJson(run / "plan.json");
    QCOMPARE(b["decisions"], a["decisions"]);
    for (const char* side : {"baseline", "approximated"})
        for (const char* field : {"val_loss", "val_metric", "dev_metric", "params", "flops"}) QCOMPARE(b[side][field], a[side][field]);
    const json pa = readJson(single / "pareto.json"), pb = readJson(run / "pareto.json");
    QCOMPARE(pb["points"].size(), pa["points"].size());
    for (size_t i = 0; i < pa["points"].size(); ++i) {
        QCOMPARE(pb["points"][i].value("variant", "main"), pa["points"][i].value("variant", "main"));
        QCOMPARE(pb["points"][i]["val_loss"], pa["points"][i]["val_loss"]);
    }
}

}  // namespace

class DistributedTest : public QObject {
    Q_OBJECT

    fs::path m_root, m_data, m_model;

    QStringList searchArguments(const fs::path& out) const
    {
        return {"search", "--model", path(m_model), "--task", "sst2", "--data", path(m_data), "--max-seq-len", "16",
                "--batch-size", "16", "--top-k", "4", "--latency-runs", "1", "--candidate-latency-runs", "0", "--int8",
                "--threads", "1", "--quiet", "--json", "--out", path(out)};
    }

    QStringList evalArguments(const fs::path& predictions) const
    {
        return {"eval", "--model", path(m_model), "--task", "sst2", "--data", path(m_data), "--max-seq-len", "16",
                "--batch-size", "8", "--threads", "1", "--json", "--quiet", "--predictions", path(predictions)};
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_root = ax::test::scratchFolder("distributed");
        m_data = ax::test::writeSyntheticSentiment(1500, 300, 17);
        // A small BERT shape, pretrained for a few steps on the task's sentences, then fine-tuned.
        const fs::path shape = m_root / "shape", pretrained = m_root / "pretrained";
        fs::create_directories(shape);
        fs::copy_file(m_data / "vocab.txt", shape / "vocab.txt");
        std::ofstream(shape / "config.json")
            << json{{"model_type", "bert"}, {"vocab_size", lineCount(m_data / "vocab.txt")}, {"hidden_size", 64},
                    {"num_hidden_layers", 3}, {"num_attention_heads", 4}, {"intermediate_size", 128},
                    {"max_position_embeddings", 64}, {"type_vocab_size", 2}, {"hidden_act", "gelu"},
                    {"hidden_dropout_prob", 0.1}, {"attention_probs_dropout_prob", 0.1}, {"layer_norm_eps", 1e-12}}
                   .dump();
        std::ifstream train(m_data / "train.tsv");
        std::ofstream corpus(m_root / "corpus.txt");
        std::string line;
        std::getline(train, line);  // the header
        while (std::getline(train, line)) corpus << line.substr(0, line.find('\t')) << "\n";
        corpus.close();
        const ax::test::CliRun pretrain =
            ax::test::runCli({"pretrain", "--corpus", path(m_root / "corpus.txt"), "--config", path(shape / "config.json"), "--out",
                              path(pretrained), "--steps", "5", "--batch-size", "8", "--max-seq-len", "16", "--threads", "1", "--quiet"});
        QVERIFY2(pretrain.exitCode == 0, qPrintable(pretrain.out + pretrain.err));
        m_model = m_root / "model";
        const ax::test::CliRun fineTune = ax::test::runCli(
            {"finetune", "--model", path(pretrained), "--task", "sst2", "--data", path(m_data), "--out", path(m_model),
             "--epochs", "2", "--lr", "2e-3", "--batch-size", "16", "--max-seq-len", "16", "--threads", "1", "--quiet"});
        QVERIFY2(fineTune.exitCode == 0, qPrintable(fineTune.out + fineTune.err));
    }

    void searchOnTwoAndThreeProcessesTakesTheOneProcessPlan()
    {
        const fs::path single = m_root / "search-1";
        const ax::test::CliRun one = ax::test::runCli(searchArguments(single));
        QVERIFY2(one.exitCode == 0, qPrintable(one.out + one.err));
        QVERIFY2(lineCount(single / "journal.jsonl") > 10, "the search should have evaluated candidates");

        for (const int world : {2, 3}) {
            const fs::path run = m_root / ("search-" + std::to_string(world));
            std::vector<Rank> ranks = runWorld(searchArguments(run), world, m_root / ("search-logs-" + std::to_string(world)),
                                               world == 3 ? Launch::Environment : Launch::Options);
            EXPECT_ALL_SUCCEEDED(ranks);
            expectSamePlan(run, single);
            // Each process evaluated only its share: rank 0's layer passes are fewer than one process's.
            const json mine = json::parse(fileBytes(ranks[0].out)), whole = json::parse(one.out.toStdString());
            QVERIFY2(mine["layer_work"]["passes"].get<double>() < whole["layer_work"]["passes"].get<double>(),
                     qPrintable(ranks[0].output()));
            QVERIFY(ranks[1].output().contains("rank 1 of " + QString::number(world) + ": done"));
        }
    }

    void evalOnTwoAndThreeProcessesGivesTheOneProcessMetrics()
    {
        const ax::test::CliRun one = ax::test::runCli(evalArguments(m_root / "predictions-1.tsv"));
        QVERIFY2(one.exitCode == 0, qPrintable(one.out + one.err));
        for (const int world : {2, 3}) {
            const fs::path predictions = m_root / ("predictions-" + std::to_string(world) + ".tsv");
            std::vector<Rank> ranks = runWorld(evalArguments(predictions), world, m_root / ("eval-logs-" + std::to_string(world)));
            EXPECT_ALL_SUCCEEDED(ranks);
            QCOMPARE(json::parse(fileBytes(ranks[0].out)), json::parse(one.out.toStdString()));  // loss and metrics, exactly
            QVERIFY(fileBytes(predictions) == fileBytes(m_root / "predictions-1.tsv"));
        }
    }

    // Span extraction shares every window's start/end logits: the answers must be the same too.
    void squadEvalOnTwoProcessesGivesTheOneProcessAnswers()
    {
        AX_REQUIRE_SHARED(tiny, "reference/tiny");
        AX_REQUIRE_SHARED(vocab, "vocab/bert-base-uncased/vocab.txt");
        AX_REQUIRE_SHARED(squad, "data/squad-v1.1");
        const fs::path model = m_root / "qa-tiny";  // the reference model (random weights) with a vocabulary
        fs::create_directories(model);
        for (const char* file : {"config.json", "model.safetensors"}) fs::copy_file(tiny / file, model / file);
        fs::copy_file(vocab, model / "vocab.txt");
        const auto arguments = [&](const fs::path& predictions) {
            return QStringList{"eval", "--model", path(model), "--task", "squad", "--data", path(squad), "--max-eval", "40",
                               "--max-seq-len", "128", "--batch-size", "8", "--threads", "1", "--json", "--quiet",
                               "--predictions", path(predictions)};
        };
        const ax::test::CliRun one = ax::test::runCli(arguments(m_root / "answers-1.json"));
        QVERIFY2(one.exitCode == 0, qPrintable(one.out + one.err));
        std::vector<Rank> ranks = runWorld(arguments(m_root / "answers-2.json"), 2, m_root / "squad-logs");
        EXPECT_ALL_SUCCEEDED(ranks);
        QCOMPARE(json::parse(fileBytes(ranks[0].out)), json::parse(one.out.toStdString()));
        QVERIFY(fileBytes(m_root / "answers-2.json") == fileBytes(m_root / "answers-1.json"));
    }

    void aRankThatNeverJoinsStopsTheOthersAfterTheTimeout()
    {
        const int port = freePort();
        std::vector<Rank> ranks =
            startWorld(evalArguments(m_root / "never.tsv") << "--dist-timeout" << "3", 2, m_root / "never-logs", Launch::Options, 1, port);
        QElapsedTimer timer;
        timer.start();
        waitForAll(ranks, 60000);
        QCOMPARE(ranks[0].exitCode(), 1);
        QVERIFY2(timer.elapsed() < 30000, "the timeout of 3 s should end the wait");
        const QString error = ranks[0].errors();
        QVERIFY2(error.contains("could not join") && error.contains(QString("127.0.0.1:%1").arg(port)), qPrintable(error));
        QVERIFY(!fs::exists(m_root / "never.tsv"));
    }

    void aKilledRankStopsTheOthersAndTheJournalResumesTheSearch()
    {
        const fs::path run = m_root / "search-killed";
        std::vector<Rank> ranks = startWorld(searchArguments(run), 2, m_root / "killed-logs");
        QElapsedTimer timer;
        timer.start();
        while (lineCount(run / "journal.jsonl") < 4 && timer.elapsed() < 120000 && ranks[0].process->state() == QProcess::Running)
            QTest::qWait(5);
        QVERIFY2(lineCount(run / "journal.jsonl") >= 4, qPrintable(ranks[0].output()));
        ranks[1].process->kill();  // SIGKILL: no goodbye to the others
        ranks[1].process->waitForFinished();
        ranks[0].process->waitForFinished(120000);
        QCOMPARE(ranks[0].exitCode(), 1);
        QVERIFY2(ranks[0].errors().contains("another rank stopped"), qPrintable(ranks[0].errors()));
        QVERIFY(!fs::exists(run / "plan.json"));

        QStringList resume = searchArguments(run);
        resume.replace(resume.indexOf("--out"), "--resume");
        std::vector<Rank> resumed = runWorld(resume, 2, m_root / "resumed-logs");
        EXPECT_ALL_SUCCEEDED(resumed);
        expectSamePlan(run, m_root / "search-1");
    }

    void processesWithDifferentDataRefuseToGoOn()
    {
        const int port = freePort();
        std::vector<Rank> ranks;
        for (const int rank : {0, 1}) {
            const QStringList arguments = evalArguments(m_root / "mismatch.tsv")
                                          << "--max-eval" << (rank == 0 ? "100" : "90") << "--world-size" << "2" << "--rank"
                                          << QString::number(rank) << "--master" << QString("127.0.0.1:%1").arg(port);
            ranks.push_back(startRank(arguments, m_root / "mismatch-logs", rank));
        }
        waitForAll(ranks, 120000);
        for (const Rank& rank : ranks) {
            QCOMPARE(rank.exitCode(), 1);
            QVERIFY2(rank.errors().contains("do not all have the same"), qPrintable(rank.errors()));
        }
    }

    void inconsistentSettingsAreUsageErrors()
    {
        const ax::test::CliRun noWorld = ax::test::runCli(evalArguments(m_root / "x.tsv") << "--rank" << "1");
        QCOMPARE(noWorld.exitCode, 2);
        QVERIFY2(noWorld.err.contains("--world-size"), qPrintable(noWorld.err));
        const ax::test::CliRun noMaster = ax::test::runCli(evalArguments(m_root / "x.tsv") << "--world-size" << "2" << "--rank" << "0");
        QCOMPARE(noMaster.exitCode, 2);
        QVERIFY2(noMaster.err.contains("--master"), qPrintable(noMaster.err));
        const ax::test::CliRun badRank =
            ax::test::runCli(evalArguments(m_root / "x.tsv") << "--world-size" << "2" << "--rank" << "2" << "--master" << "127.0.0.1:1");
        QCOMPARE(badRank.exitCode, 2);
        const ax::test::CliRun distill = ax::test::runCli(searchArguments(m_root / "distill") << "--distill" << "1" << "--world-size"
                                                                                                 << "2" << "--rank" << "1" << "--master"
                                                                                                 << "127.0.0.1:1");
        QCOMPARE(distill.exitCode, 2);  // refused before waiting for anyone
        QVERIFY2(distill.err.contains("--distill"), qPrintable(distill.err));
    }
};

AX_TEST_MAIN(DistributedTest)
#include "test_distributed.moc"
