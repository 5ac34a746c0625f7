#include "common/atomic_file.h"

#include "common/error.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace ax {

namespace {

std::string systemError() { return std::strerror(errno); }

void writeAll(int fd, std::string_view content, const std::string& name)
{
    const char* data = content.data();
    size_t left = content.size();
    while (left > 0) {
        const ssize_t written = ::write(fd, data, left);
        if (written < 0) {
            if (errno == EINTR) continue;
            failIn(name, "cannot write: " + systemError());
        }
        data += written;
        left -= static_cast<size_t>(written);
    }
}

}  // namespace

void writeFileAtomically(const std::filesystem::path& target, std::string_view content)
{
    writeFileAtomicallyStreamed(target, [content](const ChunkWriter& write) { write(content.data(), content.size()); });
}

void writeFileAtomicallyStreamed(const std::filesystem::path& target,
                                 const std::function<void(const ChunkWriter& write)>& produce)
{
    const std::string name = target.string();
    std::string temporary = name + ".tmp-XXXXXX";
    const int fd = ::mkstemp(temporary.data());
    if (fd < 0) failIn(name, "cannot create a temporary file beside it: " + systemError());
    try {
        const ChunkWriter write = [fd, &temporary](const void* data, size_t size) {
            writeAll(fd, std::string_view(static_cast<const char*>(data), size), temporary);
        };
        produce(write);
        if (::fsync(fd) != 0) failIn(temporary, "cannot flush to disk: " + systemError());
        // mkstemp creates 0600; outputs are ordinary files the user shares with tools.
        ::fchmod(fd, 0644);
    } catch (...) {
        ::close(fd);
        ::unlink(temporary.c_str());
        throw;
    }
    ::close(fd);
    if (::rename(temporary.c_str(), name.c_str()) != 0) {
        const std::string why = systemError();
        ::unlink(temporary.c_str());
        failIn(name, "cannot replace the file: " + why);
    }
}

void removeLeftoverTemporaries(const std::filesystem::path& target)
{
    const std::string prefix = target.filename().string() + ".tmp-";
    std::error_code ignored;
    for (const auto& entry : std::filesystem::directory_iterator(target.parent_path(), ignored))
        if (entry.path().filename().string().rfind(prefix, 0) == 0) std::filesystem::remove(entry.path(), ignored);
}

std::string readWholeFile(const std::filesystem::path& file)
{
    std::ifstream in(file, std::ios::binary);
    if (!in) failIn(file.string(), "cannot open for reading: " + systemError());
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad()) failIn(file.string(), "read error");
    return buffer.str();
}

}  // namespace ax
