// The layers' dense projections two ways, alternated in this one process (issue 8): LibTorch's
// linear (OpenBLAS on Debian's build) then its activation, against model/dense_products.h (oneDNN's
// matmul, the activation folded in, one thread below its size threshold), on the shapes BERT-Mini
// and BERT-base hand them at sequence 128, whole and with half their heads or FFN groups removed.
// Median of RUNS alternated runs of each, after 5 warm-up runs.
//   cmake -B build -DAXFORMER_BUILD_BENCH=ON && cmake --build build --target dense_products
//   build/bench/dense_products [RUNS] [threads]
#include "bench/latency.h"
#include "common/fast_runtime.h"
#include "common/thread_count.h"
#include "model/bert_layer.h"
#include "model/dense_products.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <optional>
#include <vector>

namespace {

struct Projection {
    const char* what;
    int64_t in, out;
    bool gelu;
};

double microsOf(const std::function<void()>& work)
{
    const auto start = std::chrono::steady_clock::now();
    work();
    return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv)
{
    ax::ensureFastRuntime(argc, argv);
    const int runs = argc > 1 ? std::atoi(argv[1]) : 101;
    at::set_num_threads(argc > 2 ? std::atoi(argv[2]) : ax::defaultThreadCount());
    torch::InferenceMode inference;
    std::printf("threads %d; dense projections: %s\n\n", at::get_num_threads(),
                ax::denseProductsEngine(torch::kFloat32).c_str());
    if (ax::denseProductsEngine(torch::kFloat32) == "LibTorch") {
        std::printf("oneDNN has only reference kernels on this CPU: the layers use LibTorch's linear.\n");
        return 0;
    }
    std::printf("| projection | rows × in × out | LibTorch µs | ours µs | ours / LibTorch |\n|---|---|---|---|---|\n");
    const std::vector<Projection> projections = {
        {"BERT-Mini query, key, value, output", 256, 256, false},
        {"BERT-Mini FFN in, GELU", 256, 1024, true},
        {"BERT-Mini FFN out", 1024, 256, false},
        {"BERT-Mini half the heads: query", 256, 128, false},
        {"BERT-Mini half the heads: output", 128, 256, false},
        {"BERT-Mini half the FFN groups: in, GELU", 256, 512, true},
        {"BERT-Mini half the FFN groups: out", 512, 256, false},
        {"BERT-base query, key, value, output", 768, 768, false},
        {"BERT-base FFN in, GELU", 768, 3072, true},
        {"BERT-base FFN out", 3072, 768, false},
        {"BERT-base half the FFN groups: in, GELU", 768, 1536, true},
    };
    for (const int64_t rows : {128, 4096}) {
        for (const Projection& p : projections) {
            if (rows == 4096 && p.in * p.out > 768 * 768) continue;  // batch 32 of BERT-base: minutes, same picture
            torch::manual_seed(1);
            const torch::Tensor x = torch::randn({rows, p.in});
            const torch::Tensor weight = torch::randn({p.out, p.in}) / std::sqrt(double(p.in));
            const torch::Tensor bias = torch::randn({p.out});
            const std::optional<ax::Activation> activation =
                p.gelu ? std::optional<ax::Activation>(ax::Activation::GeluErf) : std::nullopt;
            const auto libtorch = [&] {
                torch::Tensor y = torch::nn::functional::linear(x, weight, bias);
                if (activation) y = ax::applyActivation(*activation, y);
            };
            const auto ours = [&] { ax::denseProduct(x, weight, bias, activation); };
            for (int i = 0; i < 5; ++i) {
                microsOf(libtorch);
                microsOf(ours);
            }
            std::vector<double> a, b;
            for (int i = 0; i < runs; ++i) {
                a.push_back(microsOf(libtorch));
                b.push_back(microsOf(ours));
            }
            const double ta = ax::medianOf(a), tb = ax::medianOf(b);
            std::printf("| %s | %lld × %lld × %lld | %.1f | %.1f | **%.2f** |\n", p.what, static_cast<long long>(rows),
                        static_cast<long long>(p.in), static_cast<long long>(p.out), ta, tb, tb / ta);
        }
    }
}
