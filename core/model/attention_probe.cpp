#include "model/attention_probe.h"

#include "common/error.h"
#include "model/model_folder.h"
#include "text/bert_tokenizer.h"

#include <torch/torch.h>

#include <optional>

namespace ax {

AttentionSample probeAttention(const std::filesystem::path& modelFolder, const std::string& text, const std::string& pair,
                               int maxLength)
{
    if (text.empty()) throw Error("type a sentence to see its attention");
    LoadedModel loaded = loadModelFolder(modelFolder);
    BertModelImpl& model = *loaded.model;
    const BertTokenizer tokenizer = BertTokenizer::fromModelFolder(modelFolder);
    const int length = std::min(maxLength, model.config().maxPositions);
    const Encoding encoding = tokenizer.encode(text, pair.empty() ? std::nullopt : std::optional<std::string_view>(pair), length);
    const int64_t n = int64_t(encoding.inputIds.size());

    model.eval();
    torch::InferenceMode inference;
    ModelInput input;
    input.inputIds = torch::tensor(encoding.inputIds, torch::kInt64).view({1, n});
    input.tokenTypeIds = torch::tensor(encoding.tokenTypeIds, torch::kInt64).view({1, n});
    ForwardOptions options;
    options.attentions = true;
    const BertOutput output = model.forward(input, nullptr, options);

    AttentionSample sample;
    sample.tokens = encoding.tokens;
    sample.layers = int(output.attentions.size());
    for (const torch::Tensor& layer : output.attentions) sample.heads = std::max(sample.heads, int(layer.size(1)));
    sample.maps.resize(size_t(sample.layers) * size_t(sample.heads));
    for (int l = 0; l < sample.layers; ++l) {
        const torch::Tensor probs = output.attentions[size_t(l)][0].contiguous().to(torch::kFloat32);
        for (int h = 0; h < int(probs.size(0)); ++h) {
            const torch::Tensor map = probs[h].contiguous();
            const float* data = map.data_ptr<float>();
            sample.maps[size_t(l * sample.heads + h)].assign(data, data + n * n);
        }
    }
    return sample;
}

}  // namespace ax
