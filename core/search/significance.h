// Significance analysis for the studio's heatmaps and the report: how much each element matters
// on its own. For every layer, its hard attention, attention block, FFN block, each head and each
// FFN group: the val loss and metric with only that element changed in the fine-tuned model, and
// the cheaper gradient-based importance of heads and FFN groups (Michel et al. 2019).
#pragma once

#include "common/progress.h"
#include "train/task_evaluator.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <limits>
#include <vector>

namespace ax {

class BertModelImpl;

struct SignificanceSettings {
    int topK = 30;            // hard attention's k
    int ffnGroups = 0;        // groups per layer; 0 = the number of heads
    bool removal = true;      // evaluate every single-element removal (a partial val pass each)
    bool gradient = true;     // one forward and backward pass over val
};

// Matrices are row-major [layer][column]; NaN marks an element the model does not have (a head
// sliced away, a removed block) or that was not measured.
struct Significance {
    static constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();
    int layers = 0, heads = 0, ffnGroups = 0;  // heads: the most any layer has
    int topK = 30;
    std::string metric;                        // the task's primary metric
    std::string modelHash;                     // weightsHash() of the model analysed; "" when unknown
    double baselineLoss = 0, baselineMetric = 0;
    // Per layer: val loss / metric with that layer's hard attention on, attention block or FFN block removed.
    std::vector<double> hardAttentionLoss, hardAttentionMetric;
    std::vector<double> attentionBlockLoss, attentionBlockMetric;
    std::vector<double> ffnBlockLoss, ffnBlockMetric;
    // [layers * heads] and [layers * ffnGroups]: with that one head or group removed.
    std::vector<double> headLoss, headMetric, ffnGroupLoss, ffnGroupMetric;
    // E over val batches of |dL/dmask| for each head and group, normalised per layer (L2), as Michel et al.
    std::vector<double> headGradient, ffnGroupGradient;
    double seconds = 0;

    nlohmann::json toJson() const;
    static Significance fromJson(const nlohmann::json& json, const std::string& source);
    static Significance fromFile(const std::filesystem::path& file);
    void save(const std::filesystem::path& file) const;  // atomic
};

Significance analyseSignificance(BertModelImpl& model, const TaskEvaluator& val, const SignificanceSettings& settings,
                                 ProgressObserver* observer = nullptr, const CancelToken* cancel = nullptr);

}  // namespace ax
