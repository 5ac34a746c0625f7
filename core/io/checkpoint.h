// A model folder's weights as one set of named tensors: model.safetensors, or shards listed by
// model.safetensors.index.json (Hugging Face layout). Torch-free; tensors are read on demand.
#pragma once

#include "io/safetensors.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace ax {

// Which weight files a model folder holds, as openFolder looks for them.
enum class WeightFiles {
    Safetensors,  // model.safetensors, or its shard index
    PickleOnly,   // only pytorch_model.bin (or its index): not read by this version
    None,
};
WeightFiles weightFilesIn(const std::filesystem::path& folder);

class Checkpoint {
public:
    // Prefers model.safetensors over the index, as transformers does. Throws ax::Error naming the
    // folder when neither exists (saying so when only pytorch_model.bin is there: not supported yet),
    // and naming the index and the tensor when the index is malformed, names a shard outside the
    // folder, or maps a tensor to a shard that lacks it.
    static Checkpoint openFolder(const std::filesystem::path& folder);
    static Checkpoint openFile(const std::filesystem::path& safetensorsFile);

    std::vector<std::string> names() const;                 // all tensor names, sorted
    const TensorInfo* find(const std::string& name) const;  // nullptr if absent
    // The shard holding `name`, for error messages; the checkpoint's own file when it is absent.
    std::string fileOf(const std::string& name) const;
    std::vector<std::byte> readBytes(const std::string& name) const;
    void readInto(const std::string& name, void* destination, size_t destinationBytes) const;
    uint64_t bytesOnDisk() const;  // sum of the shard file sizes (index excluded)

    // What was opened: model.safetensors (or the given file), or the index.
    const std::filesystem::path& source() const { return m_source; }
    const std::vector<SafetensorsReader>& shards() const { return m_shards; }

private:
    Checkpoint() = default;
    static Checkpoint openIndex(const std::filesystem::path& indexFile);
    const SafetensorsReader& shardOf(const std::string& name) const;

    std::filesystem::path m_source;
    std::vector<SafetensorsReader> m_shards;
    std::map<std::string, size_t> m_shardIndexByName;
};

// Writes the weights into `folder` (created if needed): model.safetensors, or, when the tensors
// exceed maxShardBytes (0 = never shard), shards model-00001-of-0000N.safetensors plus
// model.safetensors.index.json {"metadata":{"total_size":N},"weight_map":{...}} as Hugging Face
// writes them. Each file is written atomically; weight files of an earlier save that the new one
// does not use (model.safetensors, the index, other shards) are removed afterwards.
void writeCheckpoint(const std::filesystem::path& folder, const std::vector<TensorToWrite>& tensors,
                     uint64_t maxShardBytes = 0);

}  // namespace ax
