// Conversions between the torch-free checkpoint layer and LibTorch tensors.
#pragma once

#include "io/checkpoint.h"
#include "io/safetensors.h"

#include <torch/types.h>

#include <string>
#include <vector>

namespace ax {

// Reads one tensor as stored (F32/F64/F16/BF16/integers/bool), without conversion.
torch::Tensor readTensor(const Checkpoint& checkpoint, const std::string& name);

// Reads one floating-point tensor and converts it to float32 (F16 and BF16 checkpoints load
// into a float32 model).
torch::Tensor readFloatTensor(const Checkpoint& checkpoint, const std::string& name);

torch::ScalarType scalarTypeOf(DType dtype);
DType dtypeOf(torch::ScalarType type);

// A named, contiguous CPU tensor ready for writeSafetensors. Keeps the tensor alive.
struct OwnedTensor {
    std::string name;
    torch::Tensor tensor;
};
std::vector<TensorToWrite> viewsForWriting(const std::vector<OwnedTensor>& tensors);

}  // namespace ax
