// The safetensors format, without LibTorch: a validating reader that loads tensors on demand
// straight into the caller's memory, and an atomic writer that follows what Hugging Face writes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace ax {

// The element types we read and write, named as in the safetensors spec (Bool is "BOOL").
enum class DType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, Bool };

size_t dtypeSize(DType dtype);
std::string dtypeName(DType dtype);
// Throws ax::Error naming the file and the tensor when `name` is not one of the dtypes above.
DType dtypeFromName(const std::string& name, const std::string& fileForErrors, const std::string& tensorForErrors);

// The byte size of a tensor of this dtype and shape; throws ax::Error naming the file and the
// tensor when a dimension is negative or the size does not fit in 64 bits.
uint64_t tensorByteSize(DType dtype, const std::vector<int64_t>& shape, const std::string& fileForErrors,
                        const std::string& tensorForErrors);

// One tensor of a safetensors file. begin/end are byte offsets into the data buffer (after the header).
struct TensorInfo {
    std::string name;
    DType dtype = DType::F32;
    std::vector<int64_t> shape;
    uint64_t begin = 0, end = 0;

    int64_t elementCount() const;  // 1 for a scalar (empty shape), 0 when a dimension is 0
    uint64_t byteSize() const { return end - begin; }
};

// An open safetensors file whose header has been fully validated (types, shapes, offsets, full
// coverage of the data, no duplicates) before any tensor data is read. Copies share one open file
// descriptor, so a file replaced on disk afterwards is still read consistently; reads are thread-safe.
class SafetensorsReader {
public:
    explicit SafetensorsReader(const std::filesystem::path& file);

    const std::filesystem::path& path() const { return m_path; }
    const std::vector<TensorInfo>& tensors() const { return m_tensors; }  // in header order
    const TensorInfo* find(const std::string& name) const;                // nullptr if absent
    const std::map<std::string, std::string>& metadata() const { return m_metadata; }
    uint64_t headerBytes() const { return m_headerBytes; }  // N, the JSON header's length
    uint64_t fileBytes() const { return m_fileBytes; }      // the file's size when it was opened

    // Both throw ax::Error naming the file and the tensor if it is absent or the read fails;
    // readInto also when destinationBytes differs from the tensor's byte size.
    std::vector<std::byte> readBytes(const std::string& name) const;
    void readInto(const std::string& name, void* destination, size_t destinationBytes) const;

private:
    class FileHandle;
    const TensorInfo& require(const std::string& name) const;

    std::filesystem::path m_path;
    std::shared_ptr<const FileHandle> m_file;
    uint64_t m_fileBytes = 0;
    uint64_t m_headerBytes = 0;
    std::vector<TensorInfo> m_tensors;
    std::unordered_map<std::string, size_t> m_indexByName;
    std::map<std::string, std::string> m_metadata;
};

// A tensor to be written: `data` points at byteSize bytes, little-endian, C order.
struct TensorToWrite {
    std::string name;
    DType dtype = DType::F32;
    std::vector<int64_t> shape;
    const void* data = nullptr;
    size_t byteSize = 0;
};

// Checks what writeSafetensors would refuse (empty, reserved or duplicate names, names that are not
// UTF-8, negative dimensions, byteSize not matching the shape, missing data) without writing.
void validateTensorsToWrite(const std::filesystem::path& file, const std::vector<TensorToWrite>& tensors);

// Writes a safetensors file atomically (temp file, fsync, rename), streaming the data without a
// copy: header JSON with __metadata__ first (omitted when empty) and the tensors in the given order,
// padded with spaces to a multiple of 8 so that the data starts 8-byte aligned; data offsets
// contiguous in the same order. Throws ax::Error naming the file and the tensor.
void writeSafetensors(const std::filesystem::path& file, const std::vector<TensorToWrite>& tensors,
                      const std::map<std::string, std::string>& metadata = {{"format", "pt"}});

}  // namespace ax
