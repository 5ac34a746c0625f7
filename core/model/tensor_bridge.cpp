#include "model/tensor_bridge.h"

#include "common/error.h"

#include <torch/torch.h>

namespace ax {

torch::ScalarType scalarTypeOf(DType dtype)
{
    switch (dtype) {
    case DType::F64: return torch::kFloat64;
    case DType::F32: return torch::kFloat32;
    case DType::F16: return torch::kFloat16;
    case DType::BF16: return torch::kBFloat16;
    case DType::I64: return torch::kInt64;
    case DType::I32: return torch::kInt32;
    case DType::I16: return torch::kInt16;
    case DType::I8: return torch::kInt8;
    case DType::U8: return torch::kUInt8;
    case DType::Bool: return torch::kBool;
    }
    throw Error("unknown dtype");
}

DType dtypeOf(torch::ScalarType type)
{
    switch (type) {
    case torch::kFloat64: return DType::F64;
    case torch::kFloat32: return DType::F32;
    case torch::kFloat16: return DType::F16;
    case torch::kBFloat16: return DType::BF16;
    case torch::kInt64: return DType::I64;
    case torch::kInt32: return DType::I32;
    case torch::kInt16: return DType::I16;
    case torch::kInt8: return DType::I8;
    case torch::kUInt8: return DType::U8;
    case torch::kBool: return DType::Bool;
    default: throw Error(std::string("tensors of type ") + c10::toString(type) + " cannot be written to safetensors");
    }
}

torch::Tensor readTensor(const Checkpoint& checkpoint, const std::string& name)
{
    const TensorInfo* info = checkpoint.find(name);
    if (info == nullptr) throw Error(checkpoint.fileOf(name) + ": tensor \"" + name + "\" is missing");
    torch::Tensor tensor = torch::empty(info->shape, torch::TensorOptions().dtype(scalarTypeOf(info->dtype)));
    checkpoint.readInto(name, tensor.data_ptr(), static_cast<size_t>(tensor.nbytes()));
    return tensor;
}

torch::Tensor readFloatTensor(const Checkpoint& checkpoint, const std::string& name)
{
    torch::Tensor tensor = readTensor(checkpoint, name);
    if (!tensor.is_floating_point())
        throw Error(checkpoint.fileOf(name) + ": tensor \"" + name + "\" holds " + c10::toString(tensor.scalar_type()) +
                    ", expected floating-point weights");
    return tensor.to(torch::kFloat32);
}

std::vector<TensorToWrite> viewsForWriting(const std::vector<OwnedTensor>& tensors)
{
    std::vector<TensorToWrite> views;
    views.reserve(tensors.size());
    for (const OwnedTensor& owned : tensors) {
        if (!owned.tensor.is_contiguous() || owned.tensor.device().type() != torch::kCPU)
            throw Error("tensor \"" + owned.name + "\" must be a contiguous CPU tensor to be written");
        views.push_back({owned.name, dtypeOf(owned.tensor.scalar_type()),
                         std::vector<int64_t>(owned.tensor.sizes().begin(), owned.tensor.sizes().end()),
                         owned.tensor.data_ptr(), static_cast<size_t>(owned.tensor.nbytes())});
    }
    return views;
}

}  // namespace ax
