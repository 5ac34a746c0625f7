#include "model/token_split_encoder.h"

#include "model/attention_products.h"
#include "model/bert_layer.h"
#include "model/dense_products.h"
#include "model/inference_threads.h"
#include "model/onednn_matmul.h"
#include "model/row_layer_norm.h"

#include <ATen/ThreadLocalState.h>
#include <torch/torch.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <omp.h>
#include <optional>

namespace ax {

namespace {

// dst = activation(rows · weightᵀ + bias (+ addend)) on the calling thread: oneDNN where it runs
// the shapes, else LibTorch. rows [N, in]; dst [N, out].
void productInto(const torch::Tensor& dst, const torch::Tensor& rows, const EncoderLayerWeights::Dense& dense,
                 const torch::Tensor* addend = nullptr, std::optional<Activation> activation = std::nullopt)
{
    const torch::Tensor biasRow = dense.bias.view({1, -1});
    if (onednn::matmul(rows, dense.weight.t(), dst, {1.0f, &biasRow, addend, eltwiseOf(activation), true})) return;
    torch::Tensor out = torch::addmm(dense.bias, rows, dense.weight.t());
    if (addend) out.add_(*addend);
    dst.copy_(activation ? applyActivation(*activation, out) : out);
}

// dst = LayerNorm(rows); dst may be rows.
void normaliseInto(const torch::Tensor& dst, const torch::Tensor& rows, const EncoderLayerWeights::Norm& norm)
{
    if (rows.scalar_type() == torch::kFloat32 && rows.is_contiguous() && dst.is_contiguous() &&
        norm.weight.scalar_type() == torch::kFloat32 && norm.weight.is_contiguous() && norm.bias.is_contiguous()) {
        layerNormRows(rows.data_ptr<float>(), dst.data_ptr<float>(), norm.weight.data_ptr<float>(),
                      norm.bias.data_ptr<float>(), rows.size(0), rows.size(1), static_cast<float>(norm.eps));
        return;
    }
    dst.copy_(torch::layer_norm(rows, {rows.size(-1)}, norm.weight, norm.bias, norm.eps));
}

// Rows [first, first + count) of the flattened [B*S, H] hidden states, as one thread owns them.
struct RowBlock {
    int64_t first = 0, count = 0;
};

// A [rows, width] view of the first rows × width values of a [rows, widest] buffer that a thread
// reuses through every layer of a forward: contiguous, so a narrower layer's result needs no copy.
torch::Tensor leading(const torch::Tensor& buffer, int64_t width)
{
    return buffer.view(-1).narrow(0, 0, buffer.size(0) * width).view({buffer.size(0), width});
}

// Softmax over each query's scores, in place, then, with hard attention, only each query's k
// largest probabilities kept and the rest zeroed, without renormalising: as BertLayerImpl does it.
torch::Tensor attentionProbabilities(torch::Tensor scores, int topK)
{
    at::_softmax_out(scores, scores, -1, false);
    if (topK <= 0 || topK >= scores.size(-1)) return scores;
    const auto [kept, indices] = scores.topk(topK, -1);
    return torch::zeros_like(scores).scatter(-1, indices, kept);
}

// The attention output of one thread's rows into `context`: its queries against every key and
// value of their own sequence (a block may span two sequences when B > 1). keys, values: [B*S, heads*d].
void attendRows(const torch::Tensor& context, const torch::Tensor& queries, const RowBlock& block, const torch::Tensor& keys,
                const torch::Tensor& values, const torch::Tensor& additiveMask, int64_t length, int64_t headDim, int topK)
{
    const int64_t heads = queries.size(1) / headDim;
    const double scale = 1.0 / std::sqrt(static_cast<double>(headDim));
    auto perHead = [&](const torch::Tensor& rows) {  // [n, heads*d] -> [1, heads, n, d]
        return rows.view({1, rows.size(0), heads, headDim}).transpose(1, 2);
    };
    for (int64_t row = block.first; row < block.first + block.count;) {
        const int64_t sequence = row / length;
        const int64_t end = std::min(block.first + block.count, (sequence + 1) * length);
        const torch::Tensor query = perHead(queries.narrow(0, row - block.first, end - row));
        const torch::Tensor key = perHead(keys.narrow(0, sequence * length, length));
        const torch::Tensor value = perHead(values.narrow(0, sequence * length, length));
        const torch::Tensor probs = attentionProbabilities(attentionScores(query, key, additiveMask.narrow(0, sequence, 1), scale), topK);
        attentionContextInto(probs, value, context.narrow(0, row - block.first, end - row).unsqueeze(0));
        row = end;
    }
}

// Errors inside the team: the first is kept and rethrown after it; a thread that failed, or that
// sees another's failure, skips its remaining work but still meets the others at every barrier.
class TeamErrors {
public:
    template <class Work>
    void run(const Work& work)
    {
        if (m_failed.load()) return;
        try {
            work();
        } catch (...) {
#pragma omp critical(ax_token_split_error)
            if (!m_error) m_error = std::current_exception();
            m_failed = true;
        }
    }
    void rethrow() const
    {
        if (m_error) std::rethrow_exception(m_error);
    }

private:
    std::atomic<bool> m_failed{false};
    std::exception_ptr m_error;
};

}  // namespace

int tokenSplitThreads(const torch::Tensor& hidden)
{
    const int threads = productThreads();
    if (threads <= 1 || !onednn::canRun({&hidden})) return 1;
    return static_cast<int>(std::min<int64_t>(threads, hidden.size(0) * hidden.size(1)));
}

torch::Tensor encoderSplitOverTokens(const torch::Tensor& hidden, const torch::Tensor& additiveMask,
                                     const std::vector<EncoderLayerWeights>& layers, int threads)
{
    const int64_t length = hidden.size(1), width = hidden.size(2), rows = hidden.size(0) * length;
    const torch::Tensor input = hidden.reshape({rows, width});
    const torch::Tensor mask = additiveMask.to(hidden.scalar_type()).contiguous();
    // Every row's keys and values, in two pairs of buffers that the layers with attention take in
    // turn: a thread may still read one such layer's while another already writes the next one's,
    // but not the one after, whose writer has passed the next one's meeting, and so has the reader.
    // Each buffer, here and in the threads, is as wide as the widest layer's; a narrower layer uses
    // its first values.
    int64_t queryWidth = 0, keyWidth = 0, valueWidth = 0, ffnWidth = 0;
    for (const EncoderLayerWeights& layer : layers) {
        if (layer.query.weight.defined()) {
            queryWidth = std::max(queryWidth, layer.query.weight.size(0));
            keyWidth = std::max(keyWidth, layer.key.weight.size(0));
            valueWidth = std::max(valueWidth, layer.value.weight.size(0));
        }
        if (layer.intermediate.weight.defined()) ffnWidth = std::max(ffnWidth, layer.intermediate.weight.size(0));
    }
    const std::pair<torch::Tensor, torch::Tensor> turns[2] = {
        {torch::empty({rows, keyWidth}, input.options()), torch::empty({rows, valueWidth}, input.options())},
        {torch::empty({rows, keyWidth}, input.options()), torch::empty({rows, valueWidth}, input.options())}};
    torch::Tensor result = torch::empty_like(input);
    const at::ThreadLocalState callerState;
    TeamErrors errors;
#pragma omp parallel num_threads(threads)
    {
        // Inference mode is thread-local: each thread takes the caller's.
        const at::ThreadLocalStateGuard state(callerState);
        const int team = omp_get_num_threads(), me = omp_get_thread_num();
        const RowBlock block{rows * me / team, rows * (me + 1) / team - rows * me / team};
        // The thread's rows as the last step left them, and its buffers for each step's results:
        // LayerNorm writes `normalised` from `sum`, a product plus its residual.
        torch::Tensor mine, normalised, sum, queries, context, activated;
        errors.run([&] {
            mine = input.narrow(0, block.first, block.count);
            const auto buffer = [&](int64_t columns) { return torch::empty({block.count, columns}, input.options()); };
            normalised = buffer(width);
            sum = buffer(width);
            queries = buffer(queryWidth);
            context = buffer(valueWidth);
            activated = buffer(ffnWidth);
        });
        size_t attentionLayers = 0;
        for (const EncoderLayerWeights& layer : layers) {
            if (layer.query.weight.defined()) {
                const auto& [keyBuffer, valueBuffer] = turns[attentionLayers++ % 2];
                const torch::Tensor keys = keyBuffer.narrow(1, 0, layer.key.weight.size(0));
                const torch::Tensor values = valueBuffer.narrow(1, 0, layer.value.weight.size(0));
                errors.run([&] {
                    productInto(leading(queries, layer.query.weight.size(0)), mine, layer.query);
                    productInto(keys.narrow(0, block.first, block.count), mine, layer.key);
                    productInto(values.narrow(0, block.first, block.count), mine, layer.value);
                });
#pragma omp barrier
                errors.run([&] {
                    const torch::Tensor layerContext = leading(context, layer.value.weight.size(0));
                    attendRows(layerContext, leading(queries, layer.query.weight.size(0)), block, keys, values, mask, length,
                               layer.headDim, layer.hardAttentionTopK);
                    productInto(sum, layerContext, layer.attentionOutput, &mine);
                    normaliseInto(normalised, sum, layer.attentionNorm);
                    mine = normalised;
                });
            } else {
                errors.run([&] {
                    normaliseInto(normalised, mine, layer.attentionNorm);
                    mine = normalised;
                });
            }
            errors.run([&] {
                if (layer.intermediate.weight.defined()) {
                    const torch::Tensor layerActivated = leading(activated, layer.intermediate.weight.size(0));
                    productInto(layerActivated, mine, layer.intermediate, nullptr, layer.activation);
                    productInto(sum, layerActivated, layer.output, &mine);
                    normaliseInto(normalised, sum, layer.outputNorm);
                } else {
                    normaliseInto(normalised, mine, layer.outputNorm);
                }
                mine = normalised;
            });
        }
        errors.run([&] { result.narrow(0, block.first, block.count).copy_(mine); });
    }
    errors.rethrow();
    return result.view(hidden.sizes());
}

}  // namespace ax
