// Attention maps of one sentence for the studio: the softmax probabilities of every layer and
// head (before any hardening; the view hardens them itself to show the difference).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace ax {

struct AttentionSample {
    std::vector<std::string> tokens;             // [CLS] ... [SEP], as the model saw them
    int layers = 0, heads = 0;                   // heads: the most any layer has
    std::vector<std::vector<float>> maps;        // [layer * heads + head] -> n*n row-major (query rows); empty when absent
};

// Loads the model folder and tokenizer, encodes `text` (and `pair` when not empty) up to maxLength
// tokens and returns every layer's attention. Throws ax::Error naming the folder on bad input.
AttentionSample probeAttention(const std::filesystem::path& modelFolder, const std::string& text,
                               const std::string& pair = {}, int maxLength = 64);

}  // namespace ax
