// Post-training dynamic int8 quantization of a dense projection, as PyTorch's quantize_dynamic
// does it: int8 weights per output channel (symmetric, zero point 0), activations quantized on
// each call by LibTorch's quantized engine (oneDNN in Debian's LibTorch), float in and out.
#pragma once

#include <torch/types.h>

#include <memory>
#include <string>

namespace ax {

struct Int8Weight {
    torch::Tensor values;  // int8 [out, in]
    torch::Tensor scales;  // float32 [out]: the weight is values * scales[:, None]
    torch::Tensor dequantized() const;
};

// Per row: scale = max |row| / 127 (1 for a row of zeros), values = round(row / scale).
Int8Weight quantizePerChannel(const torch::Tensor& weight);

// One quantized projection, packed once for the engine. Inference only (no autograd).
class Int8Linear {
public:
    // Throws ax::Error when this LibTorch has no quantized engine.
    Int8Linear(Int8Weight weight, const torch::Tensor& bias);
    torch::Tensor forward(const torch::Tensor& input) const;
    const Int8Weight& weight() const { return m_weight; }

private:
    struct Packed;
    std::shared_ptr<const Packed> m_packed;
    Int8Weight m_weight;
};

// The quantized engine that runs Int8Linear ("onednn", "fbgemm", "qnnpack"), chosen on first use.
std::string int8EngineName();

}  // namespace ax
