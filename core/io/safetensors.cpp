#include "io/safetensors.h"

#include "common/atomic_file.h"
#include "common/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <limits>
#include <sys/stat.h>
#include <unistd.h>
#include <unordered_set>

// Tensor data is little-endian on disk and is copied to memory as is.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "safetensors I/O assumes a little-endian host");

namespace ax {

namespace {

// Hugging Face refuses larger headers too; a bigger N means a corrupt or foreign file.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;
constexpr const char* kMetadataKey = "__metadata__";

using Json = nlohmann::json;

struct DTypeEntry {
    DType dtype;
    const char* name;
    size_t size;
};
constexpr DTypeEntry kDTypes[] = {
    {DType::F64, "F64", 8}, {DType::F32, "F32", 4}, {DType::F16, "F16", 2}, {DType::BF16, "BF16", 2},
    {DType::I64, "I64", 8}, {DType::I32, "I32", 4}, {DType::I16, "I16", 2}, {DType::I8, "I8", 1},
    {DType::U8, "U8", 1},   {DType::Bool, "BOOL", 1},
};

const DTypeEntry& entryOf(DType dtype)
{
    for (const DTypeEntry& entry : kDTypes)
        if (entry.dtype == dtype) return entry;
    throw Error("unknown DType value " + std::to_string(static_cast<int>(dtype)));
}

std::string quote(const std::string& text) { return "\"" + text + "\""; }
std::string tensorPrefix(const std::string& tensor) { return "tensor " + quote(tensor) + ": "; }

// A short rendering of an offending JSON value for messages.
std::string shown(const Json& value)
{
    std::string text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
    if (text.size() > 60) text = text.substr(0, 57) + "...";
    return text;
}

// Bytes outside printable ASCII as \\xNN: they may be invalid UTF-8, which would break any JSON
// (a --json error report, a log) that the message ends up in.
std::string escapedForMessage(const std::string& text)
{
    static const char* hex = "0123456789abcdef";
    std::string printable;
    for (unsigned char c : text) {
        if (c >= 0x20 && c < 0x7f)
            printable += static_cast<char>(c);
        else
            printable += std::string("\\x") + hex[c >> 4] + hex[c & 15];
    }
    return printable;
}

// nlohmann's message without its "[json.exception...] " prefix; it quotes raw input bytes.
std::string describeJsonError(const std::string& message)
{
    const size_t end = message.find("] ");
    return escapedForMessage(message.rfind("[json.exception.", 0) == 0 && end != std::string::npos
                                 ? message.substr(end + 2)
                                 : message);
}

std::string systemError() { return std::strerror(errno); }

// A first pass over the header that refuses duplicate keys in any object (json::parse would
// silently keep the last one, and a tensor named twice is ambiguous) and records the top-level
// order, which nlohmann::json forgets. SAX keeps it linear: nlohmann's callback parser rescans the
// enclosing object at every object's end, quadratic in the number of tensors.
class HeaderKeyCheck : public nlohmann::json_sax<Json> {
public:
    explicit HeaderKeyCheck(const std::string& file) : m_file(file) {}

    bool null() override { return true; }
    bool boolean(bool) override { return true; }
    bool number_integer(number_integer_t) override { return true; }
    bool number_unsigned(number_unsigned_t) override { return true; }
    bool number_float(number_float_t, const string_t&) override { return true; }
    bool string(string_t&) override { return true; }
    bool binary(binary_t&) override { return true; }
    bool start_array(std::size_t) override { return true; }
    bool end_array() override { return true; }
    bool start_object(std::size_t) override
    {
        m_levels.emplace_back();
        return true;
    }
    bool end_object() override
    {
        m_levels.pop_back();
        return true;
    }
    bool key(string_t& key) override
    {
        Level& level = m_levels.back();
        if (!level.keys.insert(key).second) reportDuplicate(key);
        if (m_levels.size() == 1) m_topLevelKeys.push_back(key);
        level.lastKey = key;
        return true;
    }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& error) override
    {
        failIn(m_file, "the header is not valid UTF-8 JSON: " + describeJsonError(error.what()));
    }

    const std::vector<std::string>& topLevelKeys() const { return m_topLevelKeys; }

private:
    [[noreturn]] void reportDuplicate(const std::string& key) const
    {
        const std::string owner = m_levels.size() > 1 ? m_levels.front().lastKey : std::string();
        if (owner.empty() && key == kMetadataKey) failIn(m_file, "the header has \"__metadata__\" twice");
        if (owner.empty()) failIn(m_file, tensorPrefix(key) + "the header names this tensor twice (duplicate name)");
        if (owner == kMetadataKey) failIn(m_file, "\"__metadata__\" has the key " + quote(key) + " twice");
        failIn(m_file, tensorPrefix(owner) + "the header entry has the field " + quote(key) + " twice");
    }

    struct Level {
        std::unordered_set<std::string> keys;
        std::string lastKey;
    };
    std::string m_file;
    std::vector<Level> m_levels;
    std::vector<std::string> m_topLevelKeys;
};

// The header as JSON, its top-level keys in header order.
Json parseHeaderJson(const std::string& text, const std::string& file, std::vector<std::string>& topLevelKeys)
{
    HeaderKeyCheck check(file);
    Json::sax_parse(text, &check);
    topLevelKeys = check.topLevelKeys();
    try {
        return Json::parse(text);
    } catch (const nlohmann::json::exception& error) {
        failIn(file, "the header is not valid UTF-8 JSON: " + describeJsonError(error.what()));
    }
}

// A JSON integer >= 0, or a message saying what it is instead.
bool nonNegativeInteger(const Json& value, uint64_t& result, std::string& problem)
{
    if (value.is_number_unsigned()) {
        result = value.get<uint64_t>();
        return true;
    }
    if (value.is_number_integer()) {
        const int64_t signedValue = value.get<int64_t>();
        if (signedValue >= 0) {
            result = static_cast<uint64_t>(signedValue);
            return true;
        }
        problem = "is negative (" + shown(value) + ")";
    } else if (value.is_number_float()) {
        problem = "is not an integer (" + shown(value) + ")";
    } else {
        problem = "is a " + std::string(value.type_name()) + " (" + shown(value) + "), not an integer";
    }
    return false;
}

const Json& requireField(const Json& entry, const char* field, const std::string& file, const std::string& tensor)
{
    const auto found = entry.find(field);
    if (found == entry.end())
        failIn(file, tensorPrefix(tensor) + "the header entry has no " + quote(field) +
                         " (expected dtype, shape and data_offsets)");
    return *found;
}

TensorInfo parseTensorEntry(const std::string& name, const Json& entry, uint64_t dataBytes, const std::string& file)
{
    if (!entry.is_object())
        failIn(file, tensorPrefix(name) + "expected an object with dtype, shape and data_offsets, found a " +
                         entry.type_name() + " (" + shown(entry) + ")");
    TensorInfo info;
    info.name = name;

    const Json& dtype = requireField(entry, "dtype", file, name);
    if (!dtype.is_string())
        failIn(file, tensorPrefix(name) + "\"dtype\" must be a string such as \"F32\", found " + shown(dtype));
    info.dtype = dtypeFromName(dtype.get<std::string>(), file, name);

    const Json& shape = requireField(entry, "shape", file, name);
    if (!shape.is_array())
        failIn(file, tensorPrefix(name) + "\"shape\" must be an array of non-negative integers, found " + shown(shape));
    for (size_t i = 0; i < shape.size(); ++i) {
        uint64_t dim = 0;
        std::string problem;
        if (!nonNegativeInteger(shape[i], dim, problem))
            failIn(file, tensorPrefix(name) + "shape[" + std::to_string(i) + "] " + problem +
                             "; expected a non-negative integer");
        if (dim > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
            failIn(file, tensorPrefix(name) + "shape[" + std::to_string(i) + "] = " + std::to_string(dim) +
                             " does not fit in a signed 64-bit integer");
        info.shape.push_back(static_cast<int64_t>(dim));
    }
    const uint64_t expectedBytes = tensorByteSize(info.dtype, info.shape, file, name);

    const Json& offsets = requireField(entry, "data_offsets", file, name);
    if (!offsets.is_array() || offsets.size() != 2)
        failIn(file, tensorPrefix(name) + "\"data_offsets\" must be [begin, end], found " + shown(offsets));
    uint64_t bounds[2] = {0, 0};
    for (size_t i = 0; i < 2; ++i) {
        std::string problem;
        if (!nonNegativeInteger(offsets[i], bounds[i], problem))
            failIn(file, tensorPrefix(name) + "data_offsets[" + std::to_string(i) + "] " + problem +
                             "; expected a non-negative integer");
    }
    info.begin = bounds[0];
    info.end = bounds[1];
    if (info.begin > info.end)
        failIn(file, tensorPrefix(name) + "data_offsets [" + std::to_string(info.begin) + ", " +
                         std::to_string(info.end) + "] end before they begin; expected begin <= end");
    if (info.end > dataBytes)
        failIn(file, tensorPrefix(name) + "data_offsets end at " + std::to_string(info.end) +
                         ", beyond the data buffer of " + std::to_string(dataBytes) + " bytes (truncated file?)");
    if (info.end - info.begin != expectedBytes)
        failIn(file, tensorPrefix(name) + "data_offsets span " + std::to_string(info.end - info.begin) +
                         " bytes, but " + dtypeName(info.dtype) + " with this shape needs " +
                         std::to_string(expectedBytes));
    return info;
}

std::map<std::string, std::string> parseMetadata(const Json& value, const std::string& file)
{
    if (!value.is_object())
        failIn(file, "\"__metadata__\" must be an object of strings, found " + shown(value));
    std::map<std::string, std::string> metadata;
    for (const auto& [key, entry] : value.items()) {
        if (!entry.is_string())
            failIn(file, "\"__metadata__\" entry " + quote(key) + " must be a string, found " + shown(entry));
        metadata[key] = entry.get<std::string>();
    }
    return metadata;
}

// The spec asks for a data buffer that the tensors cover exactly: no overlaps, no gaps, nothing after.
void checkCoverage(const std::vector<TensorInfo>& tensors, uint64_t dataBytes, const std::string& file)
{
    std::vector<const TensorInfo*> byOffset;
    byOffset.reserve(tensors.size());
    for (const TensorInfo& info : tensors) byOffset.push_back(&info);
    std::sort(byOffset.begin(), byOffset.end(), [](const TensorInfo* a, const TensorInfo* b) {
        return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
    });
    uint64_t covered = 0;
    const TensorInfo* previous = nullptr;
    for (const TensorInfo* info : byOffset) {
        if (info->begin < covered)
            failIn(file, tensorPrefix(info->name) + "bytes [" + std::to_string(info->begin) + ", " +
                             std::to_string(info->end) + ") overlap tensor " + quote(previous->name) + " [" +
                             std::to_string(previous->begin) + ", " + std::to_string(previous->end) + ")");
        if (info->begin > covered)
            failIn(file, tensorPrefix(info->name) + "starts at byte " + std::to_string(info->begin) +
                             " of the data buffer, leaving bytes [" + std::to_string(covered) + ", " +
                             std::to_string(info->begin) + ") covered by no tensor (a gap)");
        covered = info->end;
        previous = info;
    }
    if (covered != dataBytes)
        failIn(file, "the data buffer has " + std::to_string(dataBytes - covered) +
                         " trailing bytes after the last tensor (" + std::to_string(dataBytes) +
                         " bytes, tensors cover " + std::to_string(covered) + ")");
}

// `what` prefixes messages: "tensor \"x\": " or "header: ".
void readFully(int fd, uint64_t offset, void* destination, size_t bytes, const std::string& file,
               const std::string& what)
{
    auto* cursor = static_cast<char*>(destination);
    size_t left = bytes;
    while (left > 0) {
        const ssize_t got = ::pread(fd, cursor, left, static_cast<off_t>(offset));
        if (got < 0) {
            if (errno == EINTR) continue;
            failIn(file, what + "read failed: " + systemError());
        }
        if (got == 0)
            failIn(file, what + "the file ended " + std::to_string(left) +
                             " bytes early (was it truncated after opening?)");
        cursor += got;
        offset += static_cast<uint64_t>(got);
        left -= static_cast<size_t>(got);
    }
}

}  // namespace

size_t dtypeSize(DType dtype) { return entryOf(dtype).size; }

std::string dtypeName(DType dtype) { return entryOf(dtype).name; }

DType dtypeFromName(const std::string& name, const std::string& fileForErrors, const std::string& tensorForErrors)
{
    for (const DTypeEntry& entry : kDTypes)
        if (name == entry.name) return entry.dtype;
    std::string known;
    for (const DTypeEntry& entry : kDTypes) known += (known.empty() ? "" : ", ") + std::string(entry.name);
    failIn(fileForErrors, tensorPrefix(tensorForErrors) + "unknown or unsupported dtype " + quote(name) +
                              " (expected one of " + known + ")");
}

uint64_t tensorByteSize(DType dtype, const std::vector<int64_t>& shape, const std::string& fileForErrors,
                        const std::string& tensorForErrors)
{
    uint64_t elements = 1;
    bool overflow = false;
    for (size_t i = 0; i < shape.size(); ++i) {
        if (shape[i] < 0)
            failIn(fileForErrors, tensorPrefix(tensorForErrors) + "shape[" + std::to_string(i) + "] is " +
                                      std::to_string(shape[i]) + "; expected a non-negative integer");
        overflow = __builtin_mul_overflow(elements, static_cast<uint64_t>(shape[i]), &elements) || overflow;
    }
    // A zero dimension makes an empty tensor, however large the others are.
    if (std::find(shape.begin(), shape.end(), 0) != shape.end()) return 0;
    uint64_t bytes = 0;
    if (overflow || elements > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ||
        __builtin_mul_overflow(elements, static_cast<uint64_t>(dtypeSize(dtype)), &bytes)) {
        std::string dims;
        for (int64_t dim : shape) dims += (dims.empty() ? "" : ", ") + std::to_string(dim);
        failIn(fileForErrors, tensorPrefix(tensorForErrors) + "shape [" + dims +
                                  "] overflows: its element count or byte size does not fit in 64 bits");
    }
    return bytes;
}

int64_t TensorInfo::elementCount() const
{
    // Checking for 0 first keeps a shape like [2^40, 2^40, 0] from overflowing on the way.
    if (std::find(shape.begin(), shape.end(), 0) != shape.end()) return 0;
    int64_t count = 1;
    for (int64_t dim : shape) count *= dim;
    return count;
}

class SafetensorsReader::FileHandle {
public:
    explicit FileHandle(int fd) : m_fd(fd) {}
    ~FileHandle() { ::close(m_fd); }
    FileHandle(const FileHandle&) = delete;
    FileHandle& operator=(const FileHandle&) = delete;
    int fd() const { return m_fd; }

private:
    int m_fd;
};

SafetensorsReader::SafetensorsReader(const std::filesystem::path& file) : m_path(file)
{
    const std::string name = file.string();
    const int fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) failIn(name, "cannot open for reading: " + systemError());
    m_file = std::make_shared<const FileHandle>(fd);

    struct stat status {};
    if (::fstat(fd, &status) != 0) failIn(name, "cannot read its size: " + systemError());
    if (!S_ISREG(status.st_mode)) failIn(name, "is not a regular file (expected a .safetensors file)");
    m_fileBytes = static_cast<uint64_t>(status.st_size);
    if (m_fileBytes < 8)
        failIn(name, "the file is " + std::to_string(m_fileBytes) +
                         " bytes, shorter than the 8-byte header length that starts a safetensors file");

    unsigned char lengthBytes[8];
    readFully(fd, 0, lengthBytes, sizeof lengthBytes, name, "header length: ");
    m_headerBytes = 0;
    for (int i = 7; i >= 0; --i) m_headerBytes = (m_headerBytes << 8) | lengthBytes[i];
    if (m_headerBytes > kMaxHeaderBytes)
        failIn(name, "the header length " + std::to_string(m_headerBytes) + " is absurd (more than " +
                         std::to_string(kMaxHeaderBytes) + " bytes); not a safetensors file?");
    if (m_headerBytes > m_fileBytes - 8)
        failIn(name, "the header length " + std::to_string(m_headerBytes) + " is larger than the " +
                         std::to_string(m_fileBytes - 8) + " bytes that follow it (truncated file?)");
    if (m_headerBytes == 0) failIn(name, "the header is empty; expected a JSON object starting with '{'");

    std::string header(m_headerBytes, '\0');
    readFully(fd, 8, header.data(), header.size(), name, "header: ");
    if (header.front() != '{') failIn(name, "the header does not start with '{' (expected a JSON object)");
    // nlohmann stops at a NUL byte as if the input ended there, which would hide what follows it.
    if (const size_t nul = header.find('\0'); nul != std::string::npos)
        failIn(name, "the header is not valid UTF-8 JSON: it has a NUL byte at offset " + std::to_string(nul));
    std::vector<std::string> order;
    const Json root = parseHeaderJson(header, name, order);
    if (!root.is_object()) failIn(name, "the header is not a JSON object");

    const uint64_t dataBytes = m_fileBytes - 8 - m_headerBytes;
    m_tensors.reserve(order.size());
    for (const std::string& key : order) {
        const Json& value = root.at(key);
        if (key == kMetadataKey) {
            m_metadata = parseMetadata(value, name);
            continue;
        }
        m_indexByName.emplace(key, m_tensors.size());
        m_tensors.push_back(parseTensorEntry(key, value, dataBytes, name));
    }
    checkCoverage(m_tensors, dataBytes, name);
}

const TensorInfo* SafetensorsReader::find(const std::string& name) const
{
    const auto found = m_indexByName.find(name);
    return found == m_indexByName.end() ? nullptr : &m_tensors[found->second];
}

const TensorInfo& SafetensorsReader::require(const std::string& name) const
{
    const TensorInfo* info = find(name);
    if (info == nullptr) failIn(m_path.string(), tensorPrefix(name) + "no such tensor in this file");
    return *info;
}

std::vector<std::byte> SafetensorsReader::readBytes(const std::string& name) const
{
    const TensorInfo& info = require(name);
    std::vector<std::byte> bytes(info.byteSize());
    readInto(name, bytes.data(), bytes.size());
    return bytes;
}

void SafetensorsReader::readInto(const std::string& name, void* destination, size_t destinationBytes) const
{
    const TensorInfo& info = require(name);
    if (destinationBytes != info.byteSize())
        failIn(m_path.string(), tensorPrefix(name) + "holds " + std::to_string(info.byteSize()) +
                                    " bytes, but the destination has " + std::to_string(destinationBytes));
    if (destinationBytes == 0) return;
    if (destination == nullptr) failIn(m_path.string(), tensorPrefix(name) + "the destination is null");
    readFully(m_file->fd(), 8 + m_headerBytes + info.begin, destination, destinationBytes, m_path.string(),
              tensorPrefix(name));
}

void validateTensorsToWrite(const std::filesystem::path& file, const std::vector<TensorToWrite>& tensors)
{
    const std::string fileName = file.string();
    std::unordered_set<std::string> seen;
    for (const TensorToWrite& tensor : tensors) {
        if (tensor.name.empty()) failIn(fileName, "a tensor has an empty name");
        if (tensor.name == kMetadataKey)
            failIn(fileName, tensorPrefix(tensor.name) + "this name is reserved for the metadata");
        if (!seen.insert(tensor.name).second) failIn(fileName, tensorPrefix(tensor.name) + "the name is given twice");
        try {
            (void)Json(tensor.name).dump();
        } catch (const nlohmann::json::exception&) {
            failIn(fileName, tensorPrefix(escapedForMessage(tensor.name)) + "the name is not valid UTF-8");
        }
        entryOf(tensor.dtype);
        const uint64_t expected = tensorByteSize(tensor.dtype, tensor.shape, fileName, tensor.name);
        if (expected != tensor.byteSize)
            failIn(fileName, tensorPrefix(tensor.name) + "byteSize is " + std::to_string(tensor.byteSize) +
                                 ", but " + dtypeName(tensor.dtype) + " with this shape needs " +
                                 std::to_string(expected));
        if (tensor.byteSize > 0 && tensor.data == nullptr) failIn(fileName, tensorPrefix(tensor.name) + "data is null");
    }
}

void writeSafetensors(const std::filesystem::path& file, const std::vector<TensorToWrite>& tensors,
                      const std::map<std::string, std::string>& metadata)
{
    const std::string fileName = file.string();
    validateTensorsToWrite(file, tensors);

    // Built by hand so that the tensors keep the given order (nlohmann::json would sort them,
    // ordered_json searches linearly per key); the text is what ordered_json would dump.
    std::string text = "{";
    if (!metadata.empty()) {
        Json entries = Json::object();
        for (const auto& [key, value] : metadata) entries[key] = value;
        try {
            text += "\"__metadata__\":" + entries.dump();
        } catch (const nlohmann::json::exception& error) {
            failIn(fileName, "the metadata is not valid UTF-8: " + describeJsonError(error.what()));
        }
    }
    uint64_t offset = 0;
    for (const TensorToWrite& tensor : tensors) {
        text += (text.size() > 1 ? "," : "") + Json(tensor.name).dump() + ":{\"dtype\":\"" + dtypeName(tensor.dtype) +
                "\",\"shape\":" + Json(tensor.shape).dump() + ",\"data_offsets\":[" + std::to_string(offset) + "," +
                std::to_string(offset + tensor.byteSize) + "]}";
        offset += tensor.byteSize;
    }
    text += "}";
    // Hugging Face pads with spaces so that the data after the 8-byte length starts 8-aligned.
    text.append((8 - text.size() % 8) % 8, ' ');

    unsigned char length[8];
    for (int i = 0; i < 8; ++i) length[i] = static_cast<unsigned char>(static_cast<uint64_t>(text.size()) >> (8 * i));

    writeFileAtomicallyStreamed(file, [&](const ChunkWriter& write) {
        write(length, sizeof length);
        write(text.data(), text.size());
        for (const TensorToWrite& tensor : tensors)
            if (tensor.byteSize > 0) write(tensor.data, tensor.byteSize);
    });
}

}  // namespace ax
