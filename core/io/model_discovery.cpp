#include "io/model_discovery.h"

#include "io/checkpoint.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <optional>
#include <system_error>

namespace ax {

namespace fs = std::filesystem;

namespace {

std::string readModelType(const fs::path& configFile)
{
    std::ifstream in(configFile);
    const nlohmann::json config = nlohmann::json::parse(in, nullptr, false);
    if (config.is_object() && config.contains("model_type") && config["model_type"].is_string())
        return config["model_type"].get<std::string>();
    return {};
}

// What keeps a folder from loading, short, for a listing of the cache.
std::string weightProblem(const fs::path& folder)
{
    switch (weightFilesIn(folder)) {
    case WeightFiles::Safetensors: return {};
    case WeightFiles::PickleOnly: return "only pytorch_model.bin (convert it: model.save_pretrained(folder, safe_serialization=True))";
    case WeightFiles::None: break;
    }
    return "no model weights (the cache holds only some of its files)";
}

std::string readFirstLine(const fs::path& file)
{
    std::ifstream in(file);
    std::string line;
    std::getline(in, line);
    return line;
}

// `folder` as a found model, or nullopt when it has no config.json (not a model folder).
std::optional<FoundModel> findModelInFolder(const fs::path& folder)
{
    std::error_code error;
    if (!fs::is_regular_file(folder / "config.json", error)) return std::nullopt;
    FoundModel model;
    model.folder = folder;
    model.modelType = readModelType(folder / "config.json");
    model.problem = weightProblem(folder);
    return model;
}

}  // namespace

fs::path huggingFaceHubCache(const std::function<const char*(const char*)>& environment)
{
    const auto variable = [&](const char* name) -> std::optional<fs::path> {
        const char* value = environment(name);
        if (value == nullptr || *value == '\0') return std::nullopt;
        return fs::path(value);
    };
    if (const auto hubCache = variable("HF_HUB_CACHE")) return *hubCache;
    if (const auto legacy = variable("HUGGINGFACE_HUB_CACHE")) return *legacy;
    if (const auto home = variable("HF_HOME")) return *home / "hub";
    if (const auto cache = variable("XDG_CACHE_HOME")) return *cache / "huggingface" / "hub";
    return variable("HOME").value_or(fs::path(".")) / ".cache" / "huggingface" / "hub";
}

std::vector<FoundModel> findCachedModels(const fs::path& hubCache)
{
    std::vector<FoundModel> found;
    std::error_code error;
    // Entries are "models--ORG--NAME"; datasets and spaces have other prefixes.
    const std::string prefix = "models--";
    for (const fs::directory_entry& entry : fs::directory_iterator(hubCache, fs::directory_options::skip_permission_denied, error)) {
        const std::string directory = entry.path().filename().string();
        if (directory.rfind(prefix, 0) != 0 || !entry.is_directory(error)) continue;
        std::string name = directory.substr(prefix.size());
        for (size_t at = name.find("--"); at != std::string::npos; at = name.find("--", at + 1)) name.replace(at, 2, "/");
        const std::string currentRevision = readFirstLine(entry.path() / "refs" / "main");
        for (const fs::directory_entry& snapshot : fs::directory_iterator(entry.path() / "snapshots", fs::directory_options::skip_permission_denied, error)) {
            std::optional<FoundModel> model = findModelInFolder(snapshot.path());
            if (!model) continue;
            model->name = name;
            model->revision = snapshot.path().filename().string();
            model->current = model->revision == currentRevision;
            found.push_back(std::move(*model));
        }
    }
    std::sort(found.begin(), found.end(), [](const FoundModel& a, const FoundModel& b) {
        if (a.name != b.name) return a.name < b.name;
        if (a.current != b.current) return a.current;
        return a.revision < b.revision;
    });
    return found;
}

}  // namespace ax
