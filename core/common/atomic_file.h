// Atomic file writes: a reader (or a crash) never sees a half-written output file.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string_view>

namespace ax {

// Writes `content` to a temporary file beside `target`, flushes it to disk and renames it over
// `target`. Throws ax::Error naming the file if any step fails; the target is then untouched.
void writeFileAtomically(const std::filesystem::path& target, std::string_view content);

// Receives the next chunk of a file being written; throws ax::Error when the write fails.
using ChunkWriter = std::function<void(const void* data, size_t size)>;

// The same guarantees for large outputs that should not be assembled in memory first: `produce`
// is called once and writes the content in chunks through the writer it is given. If `produce`
// throws, the temporary file is removed, the target is untouched and the exception propagates.
void writeFileAtomicallyStreamed(const std::filesystem::path& target,
                                 const std::function<void(const ChunkWriter& write)>& produce);

// Removes the temporary files that writes of `target` killed midway left beside it. Only for a
// caller that knows no other process is writing `target` now (a run resuming its own outputs).
void removeLeftoverTemporaries(const std::filesystem::path& target);

// Reads a whole file; throws ax::Error naming it when it cannot be opened or read.
std::string readWholeFile(const std::filesystem::path& file);

}  // namespace ax
