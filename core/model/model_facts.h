// What a model folder holds, as plain data with no LibTorch types: for `axformer info`, the studio's
// model summary and anything else that must not include torch headers.
#pragma once

#include "io/bert_config.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ax {

struct ModelFacts {
    std::filesystem::path folder;
    BertConfig config;
    std::vector<std::string> taskHeads;      // "pooler", "sequence_classification", "question_answering", "masked_lm"
    int numLabels = 0;
    int64_t parameters = 0;
    std::string precision;                   // "float32", "int8 encoder projections" or "bfloat16"
    uint64_t bytesOnDisk = 0;
    std::vector<std::string> ignoredTensors;
};

// Loads and validates the folder (as loadModelFolder does) and describes it.
ModelFacts describeModelFolder(const std::filesystem::path& folder);

}  // namespace ax
