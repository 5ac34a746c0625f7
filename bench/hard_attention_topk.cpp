// Is top-k ("hard") attention faster than softmax attention on this CPU? Times, in one process and
// side by side, the attention core (scores, softmax, context) of one layer four ways:
//   dense    softmax(QK^T/sqrt(d) + mask) V                      (no hard attention)
//   masked   the engine's way: top-k of the probabilities, the rest zeroed, then the dense product
//   gather   top-k of the scores, softmax weights from logsumexp, then the k value rows gathered
//   fused    one hand-written pass per query row: exp, k-th largest (nth_element), k weighted rows
// and checks that the three hard variants agree. Median of 30 runs after 5 warm-up runs.
//   cmake -B build -DAXFORMER_BUILD_BENCH=ON && cmake --build build --target hard_attention_topk
//   build/bench/hard_attention_topk [threads]
#include "common/fast_runtime.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <thread>
#include <vector>

namespace {

double medianMillis(const std::function<torch::Tensor()>& run)
{
    for (int i = 0; i < 5; ++i) run();
    std::vector<double> millis;
    for (int i = 0; i < 30; ++i) {
        const auto start = std::chrono::steady_clock::now();
        run();
        millis.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::nth_element(millis.begin(), millis.begin() + 15, millis.end());
    return millis[15];
}

// context[b,h,i,:] = sum over the k largest scores j of row (b,h,i) of softmax(row)[j] * value[b,h,j,:]
torch::Tensor fusedTopK(const torch::Tensor& scoresIn, const torch::Tensor& valueIn, int64_t k)
{
    const torch::Tensor scores = scoresIn.contiguous(), value = valueIn.contiguous();
    const int64_t rows = scores.numel() / scores.size(-1), keys = scores.size(-1), queries = scores.size(-2);
    const int64_t width = value.size(-1);
    torch::Tensor out = torch::empty({scores.size(0), scores.size(1), queries, width}, value.options());
    const float* scoreData = scores.data_ptr<float>();
    const float* valueData = value.data_ptr<float>();
    float* outData = out.data_ptr<float>();
    at::parallel_for(0, rows, 64, [&](int64_t begin, int64_t end) {
        std::vector<float> weights(static_cast<size_t>(keys)), scratch(static_cast<size_t>(keys));
        for (int64_t r = begin; r < end; ++r) {
            const float* s = scoreData + r * keys;
            const float* v = valueData + (r / queries) * keys * width;
            float* o = outData + r * width;
            const float top = *std::max_element(s, s + keys);
            float sum = 0;
            for (int64_t j = 0; j < keys; ++j) sum += weights[size_t(j)] = std::exp(s[j] - top);
            scratch = weights;
            std::nth_element(scratch.begin(), scratch.begin() + (k - 1), scratch.end(), std::greater<float>());
            const float threshold = scratch[size_t(k - 1)];
            int64_t ties = k - std::count_if(weights.begin(), weights.end(), [&](float w) { return w > threshold; });
            std::fill(o, o + width, 0.0f);
            for (int64_t j = 0; j < keys; ++j) {
                const float w = weights[size_t(j)];
                if (w < threshold || (w == threshold && ties-- <= 0)) continue;
                const float p = w / sum;
                const float* row = v + j * width;
                for (int64_t d = 0; d < width; ++d) o[d] += p * row[d];
            }
        }
    });
    return out;
}

}  // namespace

int main(int argc, char** argv)
{
    ax::ensureFastRuntime(argc, argv);
    const int threads = argc > 1 ? std::max(1, std::atoi(argv[1])) : int(std::max(1u, std::thread::hardware_concurrency()));
    at::set_num_threads(threads);
    torch::InferenceMode inference;
    torch::manual_seed(0);
    std::printf("threads %d; median ms of 30 runs; max |difference| to the masked variant\n\n", threads);
    std::printf("| shape | batch | heads | seq | k | dense | masked (engine) | gather | fused | max diff |\n");
    std::printf("|---|---|---|---|---|---|---|---|---|---|\n");
    struct Case { const char* name; int64_t batch, heads, length, width, k; };
    for (const Case& c : {Case{"demo", 1, 4, 128, 32, 8}, Case{"demo", 32, 4, 128, 32, 8}, Case{"bert-base", 1, 12, 128, 64, 30},
                          Case{"bert-base", 32, 12, 128, 64, 30}, Case{"bert-base", 1, 12, 512, 64, 30}}) {
        const torch::Tensor q = torch::randn({c.batch, c.heads, c.length, c.width});
        const torch::Tensor key = torch::randn({c.batch, c.heads, c.length, c.width});
        const torch::Tensor v = torch::randn({c.batch, c.heads, c.length, c.width});
        const torch::Tensor mask = torch::zeros({c.batch, 1, 1, c.length});
        const double scale = 1.0 / std::sqrt(double(c.width));
        auto scores = [&] { return torch::matmul(q, key.transpose(-1, -2)).mul_(scale).add_(mask); };
        auto dense = [&] { return torch::matmul(torch::softmax(scores(), -1), v); };
        auto masked = [&] {
            const torch::Tensor probs = torch::softmax(scores(), -1);
            const auto [kept, indices] = probs.topk(c.k, -1);
            return torch::matmul(torch::zeros_like(probs).scatter(-1, indices, kept), v);
        };
        auto gather = [&] {
            const torch::Tensor s = scores();
            const auto [top, indices] = s.topk(c.k, -1, true, false);
            const torch::Tensor weights = (top - s.logsumexp(-1, true)).exp();
            const torch::Tensor rows = v.unsqueeze(2).expand({c.batch, c.heads, c.length, c.length, c.width})
                                           .gather(3, indices.unsqueeze(-1).expand({c.batch, c.heads, c.length, c.k, c.width}));
            return (weights.unsqueeze(-1) * rows).sum(3);
        };
        auto fused = [&] { return fusedTopK(scores(), v, c.k); };
        const torch::Tensor reference = masked();
        const double difference = std::max((gather() - reference).abs().max().item<double>(),
                                           (fused() - reference).abs().max().item<double>());
        std::printf("| %s | %ld | %ld | %ld | %ld | %.2f | %.2f | %.2f | %.2f | %.1e |\n", c.name, long(c.batch), long(c.heads),
                    long(c.length), long(c.k), medianMillis(dense), medianMillis(masked), medianMillis(gather),
                    medianMillis(fused), difference);
        std::fflush(stdout);
    }
    return 0;
}
