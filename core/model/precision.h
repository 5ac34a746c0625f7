// How a model's weights run, as plain data (no LibTorch): for the CLI, the studio and the engine.
#pragma once

namespace ax {

// float32; int8 encoder projections (dynamic activations); or every weight in bfloat16.
enum class Precision { Float32, Int8, BFloat16 };

}  // namespace ax
