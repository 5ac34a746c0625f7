// The roofline of our forward (issue 8): its achieved GFLOP/s against the rate of its matrix
// products alone, the same calls on the same shapes in this one process (model/dense_products.h
// for the projections, oneDNN where it runs them, model/attention_products.h for attention's two
// batched products), for the BERT-base and BERT-Mini shaped encoders (random weights, seed 1) at
// sequence 128, batch 1 and 32. Median of RUNS runs of each, alternated, after 2 warm-up runs,
// with freed memory kept in the process as `axformer bench` keeps it (common/freed_memory.h).
// "Share" is the products' time over the forward's: what is left is LayerNorm, GELU, softmax,
// the embeddings, residual adds and copies.
//   cmake -B build -DAXFORMER_BUILD_BENCH=ON && cmake --build build --target roofline
//   build/bench/roofline [RUNS] [threads]
#include "bench/latency.h"
#include "common/fast_runtime.h"
#include "common/freed_memory.h"
#include "common/thread_count.h"
#include "model/attention_products.h"
#include "model/bert_model.h"
#include "model/dense_products.h"
#include "model/flops.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <optional>
#include <vector>

namespace {

struct Shape {
    const char* name;
    int hidden, layers, heads, intermediate;
};

double millisOf(const std::function<void()>& work)
{
    const auto start = std::chrono::steady_clock::now();
    work();
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

// A projection as BertLayer runs it at inference, without the FFN's activation: the product alone.
torch::Tensor dense(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias)
{
    if (std::optional<torch::Tensor> product = ax::denseProduct(x, weight, bias)) return *product;
    return torch::nn::functional::linear(x, weight, bias);
}

// Inputs and weights of one layer's products, random: the time of a product does not depend on
// its numbers.
struct LayerProducts {
    torch::Tensor hidden, inner, squareWeight, squareBias, upWeight, upBias, downWeight, downBias, mask;
    int64_t batch, length, heads, headDim;

    LayerProducts(const Shape& shape, int64_t batch, int64_t length)
        : hidden(torch::randn({batch, length, shape.hidden})),
          inner(torch::randn({batch, length, shape.intermediate})),
          squareWeight(torch::randn({shape.hidden, shape.hidden})),
          squareBias(torch::randn({shape.hidden})),
          upWeight(torch::randn({shape.intermediate, shape.hidden})),
          upBias(torch::randn({shape.intermediate})),
          downWeight(torch::randn({shape.hidden, shape.intermediate})),
          downBias(torch::randn({shape.hidden})),
          mask(torch::zeros({batch, 1, 1, length})),
          batch(batch), length(length), heads(shape.heads), headDim(shape.hidden / shape.heads)
    {
    }

    // One encoder layer's matrix products, as BertLayer calls them.
    void run() const
    {
        auto split = [&](const torch::Tensor& x) { return x.view({batch, length, heads, headDim}).transpose(1, 2); };
        const torch::Tensor query = split(dense(hidden, squareWeight, squareBias));
        const torch::Tensor key = split(dense(hidden, squareWeight, squareBias));
        const torch::Tensor value = split(dense(hidden, squareWeight, squareBias));
        const torch::Tensor scores = ax::attentionScores(query, key, mask, 0.125);
        const torch::Tensor context = ax::attentionContext(scores, value);
        dense(context, squareWeight, squareBias);
        dense(hidden, upWeight, upBias);
        dense(inner, downWeight, downBias);
    }
};

}  // namespace

int main(int argc, char** argv)
{
    ax::ensureFastRuntime(argc, argv);
    const int runs = argc > 1 ? std::atoi(argv[1]) : 10;
    at::set_num_threads(argc > 2 ? std::atoi(argv[2]) : ax::defaultThreadCount());
    torch::InferenceMode inference;
    const ax::KeepFreedMemory keepFreedMemory;  // as `axformer bench` and evaluation run
    std::printf("threads %d; attention products: %s; dense projections: %s\n\n", at::get_num_threads(),
                ax::attentionProductsEngine(torch::kFloat32).c_str(), ax::denseProductsEngine(torch::kFloat32).c_str());
    std::printf("| shape | batch | forward ms | products alone ms | forward GFLOP/s | products' GFLOP/s | share |\n"
                "|---|---|---|---|---|---|---|\n");
    constexpr int64_t kLength = 128;
    for (const Shape& shape : {Shape{"BERT-base", 768, 12, 12, 3072}, Shape{"BERT-Mini", 256, 4, 4, 1024}}) {
        const ax::BertConfig config = ax::BertConfig::standard(30522, shape.hidden, shape.layers, shape.heads, shape.intermediate);
        ax::BertModel model(config, ax::ModelHeads{});
        model->initialiseWeights(1);
        model->eval();
        for (const int64_t batch : {1, 32}) {
            torch::manual_seed(7);
            ax::ModelInput input;
            input.inputIds = torch::randint(1000, 30000, {batch, kLength}, torch::kInt64);
            input.tokenTypeIds = torch::zeros({batch, kLength}, torch::kInt64);
            input.attentionMask = torch::ones({batch, kLength}, torch::kInt64);
            const LayerProducts layer(shape, batch, kLength);
            const torch::Tensor pooled = torch::randn({batch, shape.hidden});
            const auto forward = [&] { model->forward(input); };
            const auto products = [&] {
                for (int l = 0; l < shape.layers; ++l) layer.run();
                torch::nn::functional::linear(pooled, layer.squareWeight, layer.squareBias);  // the pooler
            };
            for (int i = 0; i < 2; ++i) {
                millisOf(forward);
                millisOf(products);
            }
            std::vector<double> forwardMillis, productMillis;
            for (int i = 0; i < runs; ++i) {
                forwardMillis.push_back(millisOf(forward));
                productMillis.push_back(millisOf(products));
            }
            const double a = ax::medianOf(forwardMillis), b = ax::medianOf(productMillis);
            const double flops = static_cast<double>(ax::forwardFlops(config, ax::ModelHeads{}, batch, kLength));
            std::printf("| %s | %lld | %.2f | %.2f | %.1f | %.1f | **%.0f%%** |\n", shape.name, static_cast<long long>(batch), a,
                        b, flops / a / 1e6, flops / b / 1e6, 100 * b / a);
            std::fflush(stdout);
        }
    }
    return 0;
}
