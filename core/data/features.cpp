#include "data/features.h"

#include <optional>
#include <string_view>

namespace ax {

std::vector<Feature> encodeExamples(const std::vector<Example>& examples, const BertTokenizer& tokenizer, int maxLength)
{
    std::vector<Feature> features;
    features.reserve(examples.size());
    for (size_t i = 0; i < examples.size(); ++i) {
        const Example& example = examples[i];
        const std::optional<std::string_view> textB =
            example.hasTextB ? std::optional<std::string_view>(example.textB) : std::nullopt;
        Encoding encoding = tokenizer.encode(example.textA, textB, maxLength);
        Feature feature;
        feature.inputIds = std::move(encoding.inputIds);
        feature.tokenTypeIds = std::move(encoding.tokenTypeIds);
        feature.label = example.label;
        feature.score = example.score;
        feature.exampleIndex = i;
        features.push_back(std::move(feature));
    }
    return features;
}

}  // namespace ax
