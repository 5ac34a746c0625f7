// Finds the model folders a user already has in the Hugging Face hub cache
// (models--ORG--NAME/snapshots/REVISION, as huggingface_hub writes it), for `axformer models` and
// the studio's model menu. Torch-free: it reads only config.json and looks at which weight files
// exist.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace ax {

struct FoundModel {
    std::string name;               // "ORG/NAME"
    std::string revision;           // the snapshot's commit
    bool current = false;           // the revision refs/main points to (what from_pretrained loads)
    std::filesystem::path folder;   // what --model takes
    std::string modelType;          // config.json's model_type; "" when it has none
    std::string problem;            // why it cannot be loaded as it is ("" when it can)
};

// The hub cache: $HF_HUB_CACHE (or the older $HUGGINGFACE_HUB_CACHE), else $HF_HOME/hub, else $XDG_CACHE_HOME/huggingface/hub, else
// ~/.cache/huggingface/hub (huggingface_hub's own order). `environment` reads a variable (nullptr
// when unset); tests pass their own.
std::filesystem::path huggingFaceHubCache(const std::function<const char*(const char*)>& environment = std::getenv);

// Every snapshot with a config.json under `hubCache`, sorted by name, the current revision of each
// model first. A missing cache folder gives an empty list; unreadable entries are skipped.
std::vector<FoundModel> findCachedModels(const std::filesystem::path& hubCache);

}  // namespace ax
