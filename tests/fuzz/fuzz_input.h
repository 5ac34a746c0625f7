// The loaders under fuzzing read files, as users give them; each input is written to one scratch
// file per fuzzing process first. ax::Error is the answer a bad input must get: anything else
// escaping (another exception, a crash, a sanitizer report) is a finding.
#pragma once

#include "common/error.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace ax::fuzz {

// One folder per fuzzing process; a run that ends normally leaves nothing in /tmp (the folder is
// removed when the static below is destroyed, not by an atexit handler that would outlive it).
struct ScratchFolder {
    std::filesystem::path path = std::filesystem::temp_directory_path() / ("axformer-fuzz-" + std::to_string(::getpid()));
    ScratchFolder() { std::filesystem::create_directories(path); }
    ~ScratchFolder()
    {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
    }
};

inline const std::filesystem::path& scratchFolder()
{
    static const ScratchFolder folder;
    return folder.path;
}

inline std::filesystem::path writeInput(const std::string& name, const uint8_t* data, size_t size)
{
    const std::filesystem::path file = scratchFolder() / name;
    std::ofstream(file, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data), std::streamsize(size));
    return file;
}

template <typename Load>
int expectCleanError(Load&& load)
{
    try {
        load();
    } catch (const ax::Error&) {
        // a clear error: what a bad input must get
    }
    return 0;
}

}  // namespace ax::fuzz
