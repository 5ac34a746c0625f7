// bf16 against fp32 for our forward (issue 8): the same BERT-base and BERT-Mini shaped encoders
// (random weights, seed 1), converted to bf16 with LibTorch's `to(kBFloat16)` (its matrix
// products then go to oneDNN), timed side by side in this one process at sequence 128, batch 1 and
// 32: median of RUNS alternate runs after 2 warm-up runs each. Also the largest difference of the
// last hidden states, relative to their largest magnitude, so the speed is read beside its price.
//   cmake -B build -DAXFORMER_BUILD_BENCH=ON && cmake --build build --target precision
//   build/bench/precision [RUNS] [threads]
#include "common/fast_runtime.h"
#include "common/thread_count.h"
#include "model/bert_model.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

struct Shape {
    const char* name;
    int hidden, layers, heads, intermediate;
};

double millisOf(ax::BertModelImpl& model, const ax::ModelInput& input)
{
    const auto start = std::chrono::steady_clock::now();
    model.forward(input);
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

double median(std::vector<double> values)
{
    std::nth_element(values.begin(), values.begin() + long(values.size() / 2), values.end());
    return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv)
{
    ax::ensureFastRuntime(argc, argv);
    const int runs = argc > 1 ? std::atoi(argv[1]) : 10;
    at::set_num_threads(argc > 2 ? std::atoi(argv[2]) : ax::defaultThreadCount());
    torch::InferenceMode inference;
    std::printf("| shape | batch | fp32 ms | bf16 ms | bf16 speed-up | largest difference (relative) |\n|---|---|---|---|---|---|\n");
    for (const Shape& shape : {Shape{"BERT-base", 768, 12, 12, 3072}, Shape{"BERT-Mini", 256, 4, 4, 1024}}) {
        const ax::BertConfig config = ax::BertConfig::standard(30522, shape.hidden, shape.layers, shape.heads, shape.intermediate);
        ax::BertModel fp32(config, ax::ModelHeads{}), bf16(config, ax::ModelHeads{});
        fp32->initialiseWeights(1);
        bf16->initialiseWeights(1);
        bf16->to(torch::kBFloat16);
        fp32->eval();
        bf16->eval();
        for (const int64_t batch : {1, 32}) {
            torch::manual_seed(7);
            ax::ModelInput input;
            input.inputIds = torch::randint(1000, 30000, {batch, 128}, torch::kInt64);
            input.tokenTypeIds = torch::zeros({batch, 128}, torch::kInt64);
            input.attentionMask = torch::ones({batch, 128}, torch::kInt64);
            const torch::Tensor reference = fp32->forward(input).lastHidden;
            const torch::Tensor approximate = bf16->forward(input).lastHidden.to(torch::kFloat32);
            const double difference = (reference - approximate).abs().max().item<double>() / reference.abs().max().item<double>();
            for (int i = 0; i < 2; ++i) {
                millisOf(*fp32, input);
                millisOf(*bf16, input);
            }
            std::vector<double> fp32Millis, bf16Millis;
            for (int i = 0; i < runs; ++i) {
                fp32Millis.push_back(millisOf(*fp32, input));
                bf16Millis.push_back(millisOf(*bf16, input));
            }
            const double a = median(fp32Millis), b = median(bf16Millis);
            std::printf("| %s | %lld | %.1f | %.1f | %.2fx | %.3f |\n", shape.name, static_cast<long long>(batch), a, b, a / b,
                        difference);
            std::fflush(stdout);
        }
    }
    return 0;
}
