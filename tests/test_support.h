// What every test executable shares: locating ../shared and the test data, and a main() that
// puts OpenBLAS on its fast kernels before any test runs.
#pragma once

#include "common/fast_runtime.h"

#include <QCoreApplication>
#include <QString>
#include <QtTest>

#include <filesystem>
#include <functional>
#include <string>
#include <optional>

namespace ax::test {

// The shared data folder (AXFORMER_SHARED), or nullopt when it is not on this machine.
std::optional<std::filesystem::path> sharedFolder();

// True under CI=true: there ../shared must exist, so a missing folder is a failure, not a skip.
bool runningInCi();

// The project's own small test inputs (tests/data).
std::filesystem::path testDataFolder();

// A fresh, empty temporary folder that lives as long as the test process.
std::filesystem::path scratchFolder(const QString& name);

// Writes `content` to `file` (creating its folder) and returns the path.
std::filesystem::path writeFile(const std::filesystem::path& file, const std::string& content);

// Fails the current test unless `action` throws an ax::Error whose message contains `fragment`.
void expectErrorMentioning(const std::function<void()>& action, const QString& fragment);

// Runs the `axformer` binary (AXFORMER_CLI) as a user would; `environment` entries are added to
// the process's environment (OPENBLAS_CORETYPE and AXFORMER_NO_REEXEC are dropped first then).
struct CliRun {
    int exitCode = -1;  // -1 when it could not start or crashed
    QString out, err;
};
CliRun runCli(const QStringList& arguments, const QByteArray& input = {}, const QStringList& environment = {});

}  // namespace ax::test

// Resolves `var` to a path inside ../shared, or skips (fails under CI) naming what is missing.
#define AX_REQUIRE_SHARED(var, relative)                                                           \
    std::filesystem::path var;                                                                     \
    do {                                                                                           \
        const auto shared_ = ax::test::sharedFolder();                                             \
        const std::filesystem::path wanted_ = shared_ ? *shared_ / (relative) : std::filesystem::path(relative); \
        if (!shared_ || !std::filesystem::exists(wanted_)) {                                       \
            const QString why_ = QStringLiteral("needs the shared data file %1 (set AXFORMER_SHARED)") \
                                     .arg(QString::fromStdString(std::string(relative)));          \
            if (ax::test::runningInCi()) QFAIL(qPrintable(why_));                                  \
            QSKIP(qPrintable(why_));                                                               \
        }                                                                                          \
        var = wanted_;                                                                             \
    } while (false)

// main() for a test: OpenBLAS on its fast kernels first, then the Qt application the test needs.
#define AX_TEST_MAIN_WITH(ApplicationClass, TestClass)                                            \
    int main(int argc, char** argv)                                                                \
    {                                                                                              \
        ax::ensureFastRuntime(argc, argv);                                                            \
        ApplicationClass app(argc, argv);                                                          \
        TestClass test;                                                                            \
        return QTest::qExec(&test, argc, argv);                                                    \
    }
#define AX_TEST_MAIN(TestClass) AX_TEST_MAIN_WITH(QCoreApplication, TestClass)
#define AX_GUI_TEST_MAIN(TestClass) AX_TEST_MAIN_WITH(QApplication, TestClass)
