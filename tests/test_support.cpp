#include "test_support.h"

#include "common/error.h"

#include <QCoreApplication>
#include <QProcess>
#include <QTemporaryDir>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <vector>

namespace ax::test {

std::optional<std::filesystem::path> sharedFolder()
{
    const char* configured = std::getenv("AXFORMER_SHARED");
    if (configured == nullptr || *configured == '\0') return std::nullopt;
    std::filesystem::path folder(configured);
    if (!std::filesystem::is_directory(folder)) return std::nullopt;
    return folder;
}

bool runningInCi()
{
    const char* ci = std::getenv("CI");
    return ci != nullptr && std::string(ci) == "true";
}

std::filesystem::path testDataFolder()
{
    const char* configured = std::getenv("AXFORMER_TEST_DATA");
    return configured ? std::filesystem::path(configured) : std::filesystem::path(AX_TEST_DATA_DIR);
}

std::filesystem::path scratchFolder(const QString& name)
{
    static std::vector<std::unique_ptr<QTemporaryDir>> folders;
    folders.push_back(std::make_unique<QTemporaryDir>(QDir::tempPath() + "/axformer-" + name + "-XXXXXX"));
    return folders.back()->path().toStdString();
}

std::filesystem::path writeFile(const std::filesystem::path& file, const std::string& content)
{
    std::filesystem::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary);
    out << content;
    return file;
}

void expectErrorMentioning(const std::function<void()>& action, const QString& fragment)
{
    try {
        action();
    } catch (const ax::Error& e) {
        const QString message = QString::fromStdString(e.what());
        QVERIFY2(message.contains(fragment), qPrintable("\"" + message + "\" should mention " + fragment));
        return;
    }
    QFAIL(qPrintable("expected an ax::Error mentioning " + fragment));
}

CliRun runCli(const QStringList& arguments, const QByteArray& input, const QStringList& environment)
{
    QProcess process;
    if (!environment.isEmpty()) {
        QStringList variables = QProcess::systemEnvironment();
        variables.removeIf([](const QString& v) { return v.startsWith("OPENBLAS_CORETYPE=") || v.startsWith("AXFORMER_NO_REEXEC="); });
        process.setEnvironment(variables + environment);
    }
    process.start(qEnvironmentVariable("AXFORMER_CLI"), arguments);
    if (!process.waitForStarted()) return {};
    process.write(input);
    process.closeWriteChannel();
    process.waitForFinished(300000);
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAllStandardOutput()), QString::fromUtf8(process.readAllStandardError())};
}

}  // namespace ax::test
