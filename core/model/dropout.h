// Dropout whose masks come from a generator the model owns rather than LibTorch's process-wide
// one. A training run then depends on its own seed only, whatever else the process draws
// meanwhile (the studio loads and probes models on other threads while its worker trains), and
// an interrupted run resumes at an epoch boundary with the very masks it would have drawn.
#pragma once

#include <ATen/core/Generator.h>
#include <torch/types.h>

#include <cstdint>
#include <memory>
#include <optional>

namespace ax {

class DropoutRandom {
public:
    // From now on masks come from a generator seeded with `seed`.
    void reseed(uint64_t seed);

    // Inverted dropout, as torch's: zeroes each element with probability p and scales the rest by
    // 1/(1-p); the identity when not training or p is 0. Tensors off the CPU use LibTorch's own
    // dropout (a CPU generator cannot drive them).
    torch::Tensor apply(const torch::Tensor& x, double p, bool training) const;

private:
    std::optional<at::Generator> m_generator;  // unset: LibTorch's global generator
};

// One source shared by a model and all of its layers.
using SharedDropoutRandom = std::shared_ptr<DropoutRandom>;

}  // namespace ax
