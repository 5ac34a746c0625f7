// The Debian package as a user gets it: `cpack` builds the .deb from this build, its dependencies
// are Debian's package names, it unpacks into a throwaway root, and the programs run from there:
// `axformer --help` and `--version`, the studio's `--help` without a display, and the studio's
// screenshot mode on a model made by the installed `axformer` itself. The desktop entry, AppStream
// metadata and man pages it carries pass their validators.

#include "synthetic_task.h"
#include "test_support.h"

#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QProcess>
#include <QStandardPaths>

#include <fstream>

namespace {

struct Run {
    int exitCode = -1;
    QString out, err;
};

// Runs `program` with `arguments`, with the `added` NAME=VALUE entries in its environment and the
// `removed` variables (DISPLAY, ...) taken out of it.
Run run(const QString& program, const QStringList& arguments, const QStringList& added = {},
        const QStringList& removed = {})
{
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const QString& name : removed) environment.remove(name);
    for (const QString& entry : added) environment.insert(entry.section('=', 0, 0), entry.section('=', 1));
    process.setProcessEnvironment(environment);
    process.start(program, arguments);
    Run result;
    if (!process.waitForFinished(300000) || process.exitStatus() != QProcess::NormalExit) {
        result.err = program + ": did not finish: " + process.errorString();
        process.kill();
        return result;
    }
    result.exitCode = process.exitCode();
    result.out = QString::fromUtf8(process.readAllStandardOutput());
    result.err = QString::fromUtf8(process.readAllStandardError());
    return result;
}

QString describe(const QString& what, const Run& result)
{
    return QString("%1 exited %2\nstdout: %3\nstderr: %4").arg(what).arg(result.exitCode).arg(result.out.left(2000), result.err.left(2000));
}

// A tool the test needs: a failure under CI=true (the scripts install it), a skip elsewhere.
#define AX_REQUIRE_TOOL(var, name)                                                                 \
    const QString var = QStandardPaths::findExecutable(name);                                      \
    do {                                                                                           \
        if (var.isEmpty()) {                                                                       \
            const QString why_ = QStringLiteral("needs %1 (scripts/bootstrap.sh installs it)").arg(name); \
            if (ax::test::runningInCi()) QFAIL(qPrintable(why_));                                  \
            QSKIP(qPrintable(why_));                                                               \
        }                                                                                          \
    } while (false)

}  // namespace

class TestPackage : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        AX_REQUIRE_TOOL(cpack, "cpack");
        AX_REQUIRE_TOOL(dpkgDeb, "dpkg-deb");
        const QString buildDir = qEnvironmentVariable("AXFORMER_BUILD_DIR");
        QVERIFY2(QFileInfo::exists(buildDir + "/CPackConfig.cmake"), qPrintable("no CPackConfig.cmake in " + buildDir));
        m_scratch = QString::fromStdString(ax::test::scratchFolder("package").string());
        const Run made = run(cpack, {"-G", "DEB", "--config", buildDir + "/CPackConfig.cmake", "-B", m_scratch + "/out"});
        QVERIFY2(made.exitCode == 0, qPrintable(describe("cpack", made)));
        const QStringList debs = QDir(m_scratch + "/out").entryList({"*.deb"}, QDir::Files);
        QCOMPARE(debs.size(), 1);
        m_deb = m_scratch + "/out/" + debs.front();
        m_root = m_scratch + "/root";
        const Run unpacked = run(dpkgDeb, {"-x", m_deb, m_root});
        QVERIFY2(unpacked.exitCode == 0, qPrintable(describe("dpkg-deb -x", unpacked)));
    }

    void dependsOnDebianPackages()
    {
        const Run field = run("dpkg-deb", {"--field", m_deb, "Depends"});
        QVERIFY2(field.exitCode == 0, qPrintable(describe("dpkg-deb --field", field)));
        // From dpkg-shlibdeps: the libraries the programs link, by their Debian package names.
        for (const char* package : {"libtorch1.13", "libqt6widgets6", "libqt6svg6", "libqcustomplot2.1-qt6", "libicu72"})
            QVERIFY2(field.out.contains(package), qPrintable(QString("Depends lacks %1: %2").arg(package, field.out)));
        QVERIFY2(field.out.contains("libopenblas0-openmp | libopenblas0"), qPrintable(field.out));
        // apt agrees that every one of them exists and can be installed alongside.
        AX_REQUIRE_TOOL(apt, "apt-get");
        const Run simulated = run(apt, {"-s", "install", m_deb});
        QVERIFY2(simulated.exitCode == 0, qPrintable(describe("apt-get -s install", simulated)));
        QVERIFY2(simulated.out.contains("Inst axformer-studio"), qPrintable(simulated.out));
    }

    void installsEveryFileInItsPlace()
    {
        for (const char* file : {"usr/bin/axformer", "usr/bin/axformer-studio", "usr/share/applications/org.axformer.studio.desktop",
                                 "usr/share/metainfo/org.axformer.studio.metainfo.xml",
                                 "usr/share/icons/hicolor/scalable/apps/axformer-studio.svg", "usr/share/man/man1/axformer.1.gz",
                                 "usr/share/man/man1/axformer-studio.1.gz"})
            QVERIFY2(QFileInfo::exists(m_root + "/" + file), qPrintable(QString("the package lacks /%1").arg(file)));
    }

    void installedCommandLineToolRuns()
    {
        const Run help = run(m_root + "/usr/bin/axformer", {"--help"});
        QVERIFY2(help.exitCode == 0 && help.out.contains("usage: axformer <command>"), qPrintable(describe("axformer --help", help)));
        const Run version = run(m_root + "/usr/bin/axformer", {"--version"});
        QVERIFY2(version.exitCode == 0 && version.out.startsWith("axformer " AXFORMER_VERSION "\n"),
                 qPrintable(describe("axformer --version", version)));
        const Run wrong = run(m_root + "/usr/bin/axformer", {"no-such-command"});
        QCOMPARE(wrong.exitCode, 2);
    }

    // In a terminal without a display, --help and --version still answer.
    void installedStudioAnswersWithoutADisplay()
    {
        const QStringList noDisplay{"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"};
        const Run help = run(m_root + "/usr/bin/axformer-studio", {"--help"}, {}, noDisplay);
        QVERIFY2(help.exitCode == 0 && help.out.contains("--screenshot"), qPrintable(describe("axformer-studio --help", help)));
        QVERIFY2(help.out.contains("Usage: axformer-studio"), qPrintable(help.out));
        const Run version = run(m_root + "/usr/bin/axformer-studio", {"--version"}, {}, noDisplay);
        QVERIFY2(version.exitCode == 0 && version.out == "axformer-studio " AXFORMER_VERSION "\n",
                 qPrintable(describe("axformer-studio --version", version)));
        const Run wrong = run(m_root + "/usr/bin/axformer-studio", {"--no-such-option"}, {}, noDisplay);
        QCOMPARE(wrong.exitCode, 2);
        QVERIFY2(wrong.err.contains("no-such-option"), qPrintable(wrong.err));
    }

    // The installed `axformer` makes a small model (one pretraining step), and the installed
    // studio opens it and renders its window.
    void installedStudioRendersAModel()
    {
        const std::filesystem::path data = ax::test::writeSyntheticSentiment(40, 10);
        int vocabSize = 0;
        std::ifstream vocab(data / "vocab.txt");
        for (std::string line; std::getline(vocab, line);) ++vocabSize;
        const std::filesystem::path config = ax::test::writeFile(
            data / "config.json",
            "{\"vocab_size\": " + std::to_string(vocabSize) +
                ", \"hidden_size\": 32, \"num_hidden_layers\": 2, \"num_attention_heads\": 2, \"intermediate_size\": 64,"
                " \"max_position_embeddings\": 64}");
        const QString model = m_scratch + "/model";
        const Run made = run(m_root + "/usr/bin/axformer",
                             {"pretrain", "--corpus", QString::fromStdString((data / "train.tsv").string()), "--config",
                              QString::fromStdString(config.string()), "--out", model, "--steps", "1", "--max-seq-len", "32",
                              "--quiet"});
        QVERIFY2(made.exitCode == 0, qPrintable(describe("axformer pretrain", made)));

        const QString shot = m_scratch + "/studio.png";
        const Run studio = run(m_root + "/usr/bin/axformer-studio", {"--model", model, "--screenshot", shot, "--tab", "0"},
                               {"QT_QPA_PLATFORM=offscreen"});
        QVERIFY2(studio.exitCode == 0, qPrintable(describe("axformer-studio --screenshot", studio)));
        const QImage image(shot);
        QVERIFY2(!image.isNull() && image.width() > 400 && image.height() > 300, qPrintable("no screenshot in " + shot));
    }

    void metadataPassesItsValidators()
    {
        AX_REQUIRE_TOOL(appstreamcli, "appstreamcli");
        const Run appstream = run(appstreamcli, {"validate", "--no-net", "--pedantic",
                                                 m_root + "/usr/share/metainfo/org.axformer.studio.metainfo.xml"});
        QVERIFY2(appstream.exitCode == 0 && !appstream.out.contains("W:") && !appstream.out.contains("E:"),
                 qPrintable(describe("appstreamcli validate", appstream)));
        AX_REQUIRE_TOOL(desktopValidate, "desktop-file-validate");
        const Run desktop = run(desktopValidate, {m_root + "/usr/share/applications/org.axformer.studio.desktop"});
        QVERIFY2(desktop.exitCode == 0 && desktop.out.trimmed().isEmpty(), qPrintable(describe("desktop-file-validate", desktop)));
        AX_REQUIRE_TOOL(man, "man");
        for (const char* page : {"axformer.1.gz", "axformer-studio.1.gz"}) {
            const Run rendered = run(man, {"--warnings", "-l", m_root + "/usr/share/man/man1/" + page}, {"MANWIDTH=80", "LC_ALL=C.UTF-8"});
            QVERIFY2(rendered.exitCode == 0 && rendered.err.trimmed().isEmpty() && rendered.out.contains("SYNOPSIS"),
                     qPrintable(describe(QString("man -l ") + page, rendered)));
        }
    }

private:
    QString m_scratch, m_deb, m_root;
};

AX_TEST_MAIN(TestPackage)
#include "test_package.moc"
