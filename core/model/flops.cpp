#include "model/flops.h"

#include "model/bert_model.h"

namespace ax {

LayerFlopParts layerFlopParts(const BertConfig& config, const LayerShape& shape, int64_t batch, int64_t sequenceLength)
{
    const int64_t tokens = batch * sequenceLength;
    const int64_t hidden = config.hiddenSize;
    LayerFlopParts parts;
    if (shape.hasAttention) {
        const int64_t heads = shape.heads();
        const int64_t width = heads * config.headDim();
        const int64_t product = 2 * batch * heads * sequenceLength * sequenceLength * config.headDim();  // Q·Kᵀ or P·V
        parts.attentionWeights = 3 * 2 * tokens * hidden * width + product;
        parts.attentionOutput = product + 2 * tokens * width * hidden;
    }
    if (shape.hasFfn) parts.ffnActivation = parts.ffnOutput = 2 * tokens * hidden * static_cast<int64_t>(shape.intermediateSize);
    return parts;
}

int64_t layerFlops(const BertConfig& config, const LayerShape& shape, int64_t batch, int64_t sequenceLength)
{
    return layerFlopParts(config, shape, batch, sequenceLength).total();
}

int64_t forwardFlops(const BertConfig& config, const ModelHeads& heads, int64_t batch, int64_t sequenceLength)
{
    const int64_t hidden = config.hiddenSize;
    int64_t flops = 0;
    for (const LayerShape& shape : config.layers) flops += layerFlops(config, shape, batch, sequenceLength);
    if (heads.pooler) flops += 2 * batch * hidden * hidden;
    if (heads.numLabels > 0) flops += 2 * batch * hidden * heads.numLabels;
    if (heads.questionAnswering) flops += 2 * batch * sequenceLength * hidden * 2;
    return flops;
}

}  // namespace ax
