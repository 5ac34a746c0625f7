// The safetensors reader: header JSON, dtypes, shapes, offsets, then every tensor read back.
#include "fuzz_input.h"
#include "io/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    return ax::fuzz::expectCleanError([&] {
        const ax::SafetensorsReader reader(ax::fuzz::writeInput("model.safetensors", data, size));
        for (const ax::TensorInfo& tensor : reader.tensors()) reader.readBytes(tensor.name);
    });
}
