#include "search/model_costs.h"

namespace ax {

int64_t parameterCountFor(const BertConfig& config, const ModelHeads& heads)
{
    const int64_t hidden = config.hiddenSize, vocab = config.vocabSize;
    int64_t count = (vocab + config.maxPositions + config.typeVocabSize) * hidden + 2 * hidden;
    for (const LayerShape& layer : config.layers) {
        if (layer.hasAttention) {
            const int64_t width = int64_t(layer.heads()) * config.headDim();
            count += 3 * (hidden * width + width) + width * hidden + hidden;
        }
        if (layer.hasFfn) count += 2 * hidden * layer.intermediateSize + layer.intermediateSize + hidden;
        count += 4 * hidden;  // the two LayerNorms stay even when their blocks go
    }
    if (heads.pooler) count += hidden * hidden + hidden;
    if (heads.numLabels > 0) count += (hidden + 1) * heads.numLabels;
    if (heads.questionAnswering) count += (hidden + 1) * 2;
    if (heads.maskedLm) count += hidden * hidden + hidden + 2 * hidden + vocab;
    return count;
}

}  // namespace ax
