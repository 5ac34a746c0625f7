// plan.json (DESIGN.md §2): every AxFormer decision about one fine-tuned model, readable and
// editable by hand, and the approximation it describes.
#pragma once

#include "io/bert_config.h"
#include "model/approximation.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ax {

enum class ElementKind { HardAttention, AttentionBlock, FfnBlock, Head, FfnGroup };

std::string kindName(ElementKind kind);  // "hard_attention", "attention_block", ...
ElementKind kindFromName(const std::string& name, const std::string& source);

// One element of the model: hard attention in a layer, a block, a head or an FFN group.
struct Element {
    ElementKind kind = ElementKind::Head;
    int layer = 0;
    int index = -1;  // head or FFN group; -1 for hard attention and blocks
    bool operator==(const Element& other) const { return kind == other.kind && layer == other.layer && index == other.index; }
    bool operator<(const Element& other) const;
    std::string describe() const;  // "layer 3 head 2"
};

struct Decision {
    Element element;
    std::string source = "search";  // "search" or "user" (forced)
    bool applied = false;
    double loss = 0;                // val loss of the configuration tried
    int64_t agreeCount = 0;         // val examples whose loss did not rise
    double metric = 0;              // val primary metric of that configuration
};

// What a configuration measures: val (decisions), dev (reporting), size and speed.
struct Measurement {
    double valLoss = 0, valMetric = 0;
    std::optional<double> devMetric;
    int64_t parameters = 0;
    int64_t flops = 0;               // one forward at batch 1, sequence 128
    std::optional<double> latencyMs; // median, batch 1, sequence 128
};

struct Plan {
    static constexpr int kVersion = 1;
    std::string modelPath, modelHash;   // the base model and a hash of its weight files
    std::string task;
    nlohmann::json taskSettings;        // a custom task's columns, labels and metric; null otherwise
    std::string metric;                 // the task's primary metric
    uint64_t valSeed = 42;
    double valFraction = 0.15;
    size_t valSize = 0;
    int topK = 30;
    int ffnGroups = 0;                  // groups per layer
    double tolerance = 0;               // the acceptance test's tolerance (0: the method exactly)
    std::vector<Decision> decisions;
    std::optional<Measurement> baseline, approximated;

    // The applied decisions as masks for a model shaped like `config` (heads and groups are
    // positions in that model). Throws ax::Error naming `source` for indices the model lacks.
    Approximation approximation(const BertConfig& config, const std::string& source = "plan") const;

    nlohmann::json toJson() const;
    static Plan fromJson(const nlohmann::json& json, const std::string& source);
    static Plan fromFile(const std::filesystem::path& file);
    void save(const std::filesystem::path& file) const;  // atomic
};

// Adds one element to `approximation` (masks sized from `config`'s per-layer shapes). Throws
// ax::Error naming `source` when the model has no such layer, head or group.
void applyElement(Approximation& approximation, const Element& element, const BertConfig& config, int topK, int ffnGroups,
                  const std::string& source);

// Refuses `plan` (read from `planSource`) for `modelFolder` when the plan records the weights hash
// of another model: its heads and groups are positions in that model, so applying it here would
// silently prune the wrong ones. A plan without a hash (written by hand) is accepted.
void requirePlanForModel(const Plan& plan, const std::filesystem::path& modelFolder, const std::string& planSource);

// A fingerprint of a model folder's weight files (FNV-1a 64 over their bytes), so a plan made
// for one model is refused for another.
std::string weightsHash(const std::filesystem::path& modelFolder);

}  // namespace ax
