#include "model/attention_products.h"

#include "model/onednn_matmul.h"

#include <torch/torch.h>

namespace ax {

torch::Tensor attentionScores(const torch::Tensor& query, const torch::Tensor& key, const torch::Tensor& additiveMask,
                              double scale)
{
    const torch::Tensor keyT = key.transpose(-1, -2);
    if (onednn::canRun({&query, &key, &additiveMask})) {
        const torch::Tensor mask = additiveMask.contiguous();  // oneDNN takes no zero (broadcast) strides
        torch::Tensor scores = torch::empty({query.size(0), query.size(1), query.size(2), key.size(2)}, query.options());
        if (onednn::matmul(query, keyT, scores, {static_cast<float>(scale), nullptr, &mask})) return scores;
    }
    // Scaled and masked in place: at batch 32 each [B, heads, S, S] temporary costs as much as a
    // small matrix product.
    torch::Tensor scores = torch::matmul(query, keyT);
    scores.mul_(scale).add_(additiveMask);
    return scores;
}

torch::Tensor attentionContext(const torch::Tensor& probs, const torch::Tensor& value)
{
    torch::Tensor context = torch::empty({value.size(0), probs.size(2), value.size(1) * value.size(3)}, value.options());
    attentionContextInto(probs, value, context);
    return context;
}

void attentionContextInto(const torch::Tensor& probs, const torch::Tensor& value, const torch::Tensor& context)
{
    // As many rows as queries, which may be fewer than the keys (model/token_split_encoder.h).
    const int64_t batch = value.size(0), heads = value.size(1), length = probs.size(2), headDim = value.size(3);
    // Written through a [B, heads, S, d] view of the [B, S, heads*d] result: no transpose copy.
    const torch::Tensor perHead = context.view({batch, length, heads, headDim}).transpose(1, 2);
    if (onednn::canRun({&probs, &value}) && onednn::matmul(probs, value, perHead, {})) return;
    perHead.copy_(torch::matmul(probs, value));
}

std::string attentionProductsEngine(torch::ScalarType type)
{
    // BERT-base's head width and a typical sequence, laid out as the layers lay them out.
    const int64_t heads = 12, length = 128, headDim = 64;
    const auto options = torch::TensorOptions().dtype(type);
    const torch::Tensor projected = torch::empty({1, length, heads * headDim}, options);
    const torch::Tensor perHead = projected.view({1, length, heads, headDim}).transpose(1, 2);
    const torch::Tensor scores = torch::empty({1, heads, length, length}, options);
    const torch::Tensor mask = torch::empty({1, 1, 1, length}, options);
    const auto kernel = onednn::matmulKernel(perHead, perHead.transpose(-1, -2), scores, {0.125f, nullptr, &mask});
    return kernel ? "oneDNN (" + *kernel + ")" : "LibTorch";
}

}  // namespace ax
