#include "test_support.h"

#include <QCoreApplication>
#include <QTemporaryDir>

#include <cstdlib>
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

}  // namespace ax::test
