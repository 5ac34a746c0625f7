#include "model/dropout.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/nn/functional/dropout.h>

namespace ax {

void DropoutRandom::reseed(uint64_t seed)
{
    m_generator = at::make_generator<at::CPUGeneratorImpl>(seed);
}

torch::Tensor DropoutRandom::apply(const torch::Tensor& x, double p, bool training) const
{
    if (!training || p <= 0) return x;
    namespace F = torch::nn::functional;
    if (!m_generator || !x.device().is_cpu()) return F::dropout(x, F::DropoutFuncOptions().p(p).training(true));
    if (p >= 1) return torch::zeros_like(x);
    const torch::Tensor keep = torch::empty_like(x).bernoulli_(1.0 - p, *m_generator);
    return x * keep * (1.0 / (1.0 - p));
}

}  // namespace ax
