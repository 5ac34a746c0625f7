#include "io/checkpoint.h"

#include "common/atomic_file.h"
#include "common/error.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <cstdio>
#include <set>
#include <system_error>

namespace ax {

namespace {

constexpr const char* kSingleFile = "model.safetensors";
constexpr const char* kIndexFile = "model.safetensors.index.json";

std::string quote(const std::string& text) { return "\"" + text + "\""; }
std::string tensorPrefix(const std::string& tensor) { return "tensor " + quote(tensor) + ": "; }

// nlohmann's message without its "[json.exception...] " prefix, and with the bytes it quotes from
// the input escaped: they may be invalid UTF-8, which would break any JSON the message ends up in.
std::string describeJsonError(const std::string& message)
{
    const size_t end = message.find("] ");
    const std::string text =
        message.rfind("[json.exception.", 0) == 0 && end != std::string::npos ? message.substr(end + 2) : message;
    std::string printable;
    for (unsigned char c : text) {
        if (c >= 0x20 && c < 0x7f) {
            printable += static_cast<char>(c);
        } else {
            static const char* hex = "0123456789abcdef";
            printable += std::string("\\x") + hex[c >> 4] + hex[c & 15];
        }
    }
    return printable;
}

// nlohmann silently keeps the last of duplicate keys; an index mapping a tensor twice is ambiguous.
// Its callback parser rescans the enclosing object at each object's end; harmless here, where the
// many entries of weight_map are strings (safetensors headers use a SAX pass instead).
nlohmann::json parseIndexJson(const std::string& text, const std::string& file)
{
    struct DuplicateKey {
        std::string key;
        std::string parent;  // the top-level key it sits under, empty at the top level
    };
    struct Level {
        std::set<std::string> keys;
        std::string lastKey;
    };
    std::vector<Level> levels;
    const nlohmann::json::parser_callback_t rejectDuplicates = [&levels](int, nlohmann::json::parse_event_t event,
                                                                         nlohmann::json& parsed) {
        if (event == nlohmann::json::parse_event_t::object_start) {
            levels.emplace_back();
        } else if (event == nlohmann::json::parse_event_t::object_end) {
            if (!levels.empty()) levels.pop_back();
        } else if (event == nlohmann::json::parse_event_t::key && !levels.empty()) {
            std::string key = parsed.get<std::string>();
            if (!levels.back().keys.insert(key).second)
                throw DuplicateKey{key, levels.size() > 1 ? levels.front().lastKey : std::string()};
            levels.back().lastKey = std::move(key);
        }
        return true;
    };
    // nlohmann stops at a NUL byte as if the input ended there, which would hide what follows it.
    if (const size_t nul = text.find('\0'); nul != std::string::npos)
        failIn(file, "not valid JSON: it has a NUL byte at offset " + std::to_string(nul));
    try {
        return nlohmann::json::parse(text, rejectDuplicates);
    } catch (const DuplicateKey& duplicate) {
        if (duplicate.parent == "weight_map")
            failIn(file, tensorPrefix(duplicate.key) + "is listed twice in \"weight_map\" (duplicate key)");
        failIn(file, "the key " + quote(duplicate.key) + " appears twice" +
                         (duplicate.parent.empty() ? std::string() : " in " + quote(duplicate.parent)));
    } catch (const nlohmann::json::exception& error) {
        failIn(file, "not valid JSON: " + describeJsonError(error.what()));
    }
}

// Shard names come from a file that may have been downloaded: never let one point outside the folder.
bool isPlainFileName(const std::string& name)
{
    if (name.empty() || name == "." || name == "..") return false;
    for (char c : name)
        if (c == '/' || c == '\\' || c == '\0') return false;
    return true;
}

// model-00001-of-00003.safetensors, as Hugging Face names shards.
std::string shardName(size_t number, size_t count)
{
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "model-%05zu-of-%05zu.safetensors", number, count);
    return buffer;
}

bool looksLikeShardName(const std::string& name)
{
    const std::string prefix = "model-", middle = "-of-", suffix = ".safetensors";
    if (name.size() != prefix.size() + 5 + middle.size() + 5 + suffix.size()) return false;
    if (name.compare(0, prefix.size(), prefix) != 0) return false;
    if (name.compare(prefix.size() + 5, middle.size(), middle) != 0) return false;
    if (name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) return false;
    for (size_t start : {prefix.size(), prefix.size() + 5 + middle.size()})
        for (size_t i = start; i < start + 5; ++i)
            if (!std::isdigit(static_cast<unsigned char>(name[i]))) return false;
    return true;
}

void removeIfPresent(const std::filesystem::path& file)
{
    std::error_code error;
    std::filesystem::remove(file, error);
    if (error) failIn(file.string(), "cannot remove this file of an earlier save: " + error.message());
}

// Greedy in the given order, like huggingface_hub: a tensor larger than the limit gets a shard of its own.
std::vector<std::vector<size_t>> planShards(const std::vector<TensorToWrite>& tensors, uint64_t maxShardBytes)
{
    std::vector<std::vector<size_t>> shards;
    std::vector<size_t> current;
    uint64_t currentBytes = 0;
    for (size_t i = 0; i < tensors.size(); ++i) {
        const uint64_t bytes = tensors[i].byteSize;
        if (bytes > maxShardBytes) {
            shards.push_back({i});
            continue;
        }
        if (currentBytes + bytes > maxShardBytes && !current.empty()) {
            shards.push_back(std::move(current));
            current.clear();
            currentBytes = 0;
        }
        current.push_back(i);
        currentBytes += bytes;
    }
    if (!current.empty()) shards.push_back(std::move(current));
    return shards;
}

}  // namespace

WeightFiles weightFilesIn(const std::filesystem::path& folder)
{
    std::error_code error;  // an unreadable folder holds nothing we can read
    if (std::filesystem::exists(folder / kSingleFile, error) || std::filesystem::exists(folder / kIndexFile, error))
        return WeightFiles::Safetensors;
    if (std::filesystem::exists(folder / "pytorch_model.bin", error) ||
        std::filesystem::exists(folder / "pytorch_model.bin.index.json", error))
        return WeightFiles::PickleOnly;
    return WeightFiles::None;
}

Checkpoint Checkpoint::openFolder(const std::filesystem::path& folder)
{
    const std::string name = folder.string();
    if (!std::filesystem::is_directory(folder))
        failIn(name, "is not a folder (expected a model folder with model.safetensors)");
    if (std::filesystem::exists(folder / kSingleFile)) return openFile(folder / kSingleFile);
    if (std::filesystem::exists(folder / kIndexFile)) return openIndex(folder / kIndexFile);
    if (weightFilesIn(folder) == WeightFiles::PickleOnly)
        failIn(name, "has pytorch_model.bin but no model.safetensors; PyTorch pickle checkpoints are not "
                     "supported yet. Convert it in Python with model.save_pretrained(folder, "
                     "safe_serialization=True)");
    failIn(name, "has no model weights: expected model.safetensors or model.safetensors.index.json");
}

Checkpoint Checkpoint::openFile(const std::filesystem::path& safetensorsFile)
{
    Checkpoint checkpoint;
    checkpoint.m_source = safetensorsFile;
    checkpoint.m_shards.emplace_back(safetensorsFile);
    for (const TensorInfo& info : checkpoint.m_shards.front().tensors())
        checkpoint.m_shardIndexByName.emplace(info.name, 0);
    return checkpoint;
}

Checkpoint Checkpoint::openIndex(const std::filesystem::path& indexFile)
{
    const std::string name = indexFile.string();
    const nlohmann::json index = parseIndexJson(readWholeFile(indexFile), name);
    if (!index.is_object()) failIn(name, "expected a JSON object with \"weight_map\"");
    const auto weightMap = index.find("weight_map");
    if (weightMap == index.end()) failIn(name, "has no \"weight_map\" (expected {\"weight_map\": {tensor: shard}})");
    if (!weightMap->is_object()) failIn(name, "\"weight_map\" must be an object mapping tensor names to shard files");
    if (weightMap->empty()) failIn(name, "\"weight_map\" is empty");
    const auto metadata = index.find("metadata");
    if (metadata != index.end() && !metadata->is_object() && !metadata->is_null())
        failIn(name, "\"metadata\" must be an object");

    std::map<std::string, std::vector<std::string>> tensorsByShard;
    for (const auto& [tensor, shard] : weightMap->items()) {
        if (!shard.is_string())
            failIn(name, tensorPrefix(tensor) + "the shard must be a file name string, found " + shard.dump());
        const std::string shardFile = shard.get<std::string>();
        if (!isPlainFileName(shardFile))
            failIn(name, tensorPrefix(tensor) + "is mapped to " + quote(shardFile) +
                             ", which is not a plain file name in the model folder; refusing to read it");
        tensorsByShard[shardFile].push_back(tensor);
    }

    Checkpoint checkpoint;
    checkpoint.m_source = indexFile;
    const std::filesystem::path folder = indexFile.parent_path();
    for (const auto& [shardFile, tensors] : tensorsByShard) {
        const std::filesystem::path shardPath = folder / shardFile;
        if (!std::filesystem::is_regular_file(shardPath))
            failIn(name, tensorPrefix(tensors.front()) + "is mapped to " + quote(shardFile) +
                             ", which does not exist in " + folder.string());
        checkpoint.m_shards.emplace_back(shardPath);
        const SafetensorsReader& reader = checkpoint.m_shards.back();
        for (const std::string& tensor : tensors) {
            if (reader.find(tensor) == nullptr)
                failIn(name, tensorPrefix(tensor) + "is mapped to " + quote(shardFile) +
                                 ", but that file does not contain it");
            checkpoint.m_shardIndexByName.emplace(tensor, checkpoint.m_shards.size() - 1);
        }
    }
    return checkpoint;
}

std::vector<std::string> Checkpoint::names() const
{
    std::vector<std::string> result;
    result.reserve(m_shardIndexByName.size());
    for (const auto& entry : m_shardIndexByName) result.push_back(entry.first);
    return result;
}

const TensorInfo* Checkpoint::find(const std::string& name) const
{
    const auto found = m_shardIndexByName.find(name);
    return found == m_shardIndexByName.end() ? nullptr : m_shards[found->second].find(name);
}

std::string Checkpoint::fileOf(const std::string& name) const
{
    const auto found = m_shardIndexByName.find(name);
    return found == m_shardIndexByName.end() ? m_source.string() : m_shards[found->second].path().string();
}

const SafetensorsReader& Checkpoint::shardOf(const std::string& name) const
{
    const auto found = m_shardIndexByName.find(name);
    if (found == m_shardIndexByName.end())
        failIn(m_source.string(), tensorPrefix(name) + "no such tensor in this checkpoint");
    return m_shards[found->second];
}

std::vector<std::byte> Checkpoint::readBytes(const std::string& name) const { return shardOf(name).readBytes(name); }

void Checkpoint::readInto(const std::string& name, void* destination, size_t destinationBytes) const
{
    shardOf(name).readInto(name, destination, destinationBytes);
}

uint64_t Checkpoint::bytesOnDisk() const
{
    uint64_t total = 0;
    for (const SafetensorsReader& shard : m_shards) total += shard.fileBytes();
    return total;
}

void writeCheckpoint(const std::filesystem::path& folder, const std::vector<TensorToWrite>& tensors,
                     uint64_t maxShardBytes)
{
    // Refuse bad input before any file is replaced, so that a failed save leaves the folder as it was.
    validateTensorsToWrite(folder / kSingleFile, tensors);
    std::error_code error;
    std::filesystem::create_directories(folder, error);
    if (error) failIn(folder.string(), "cannot create the folder: " + error.message());

    uint64_t totalBytes = 0;
    for (const TensorToWrite& tensor : tensors) totalBytes += tensor.byteSize;
    const std::vector<std::vector<size_t>> shards =
        maxShardBytes == 0 || totalBytes <= maxShardBytes ? std::vector<std::vector<size_t>>{}
                                                          : planShards(tensors, maxShardBytes);

    std::set<std::string> written;
    if (shards.size() <= 1) {
        writeSafetensors(folder / kSingleFile, tensors);
        written.insert(kSingleFile);
    } else {
        nlohmann::json weightMap = nlohmann::json::object();
        for (size_t s = 0; s < shards.size(); ++s) {
            const std::string fileName = shardName(s + 1, shards.size());
            std::vector<TensorToWrite> part;
            for (size_t i : shards[s]) {
                part.push_back(tensors[i]);
                weightMap[tensors[i].name] = fileName;
            }
            writeSafetensors(folder / fileName, part);
            written.insert(fileName);
        }
        const nlohmann::json index = {{"metadata", {{"total_size", totalBytes}}}, {"weight_map", weightMap}};
        writeFileAtomically(folder / kIndexFile, index.dump(2) + "\n");
        written.insert(kIndexFile);
    }

    // Only now, with the new weights complete, drop what an earlier save left behind; otherwise a
    // stale model.safetensors would win over a new index (openFolder prefers it, as transformers does).
    for (const char* name : {kSingleFile, kIndexFile})
        if (!written.count(name)) removeIfPresent(folder / name);
    for (const auto& entry : std::filesystem::directory_iterator(folder)) {
        const std::string name = entry.path().filename().string();
        if (looksLikeShardName(name) && !written.count(name)) removeIfPresent(entry.path());
    }
}

}  // namespace ax
