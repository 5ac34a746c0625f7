#include "model/row_layer_norm.h"

#include <cmath>

namespace ax {

// One build for the AVX-512 and AVX2 machines this runs on and one for any x86-64: the package
// targets the baseline, where the loops below get 4-wide vectors.
__attribute__((target_clones("avx512f", "avx2", "default")))
void layerNormRows(const float* src, float* dst, const float* weight, const float* bias, int64_t rows, int64_t width,
                   float eps)
{
    for (int64_t r = 0; r < rows; ++r) {
        const float* in = src + r * width;
        float* out = dst + r * width;
        // Two passes, the mean first and then the squared deviations from it: one pass summing the
        // values and their squares loses the variance where the values sit far from zero.
        float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
        for (int64_t i = 0; i < width; ++i) sum += in[i];
        const float mean = sum / static_cast<float>(width);
        float squares = 0.0f;
#pragma omp simd reduction(+ : squares)
        for (int64_t i = 0; i < width; ++i) {
            const float deviation = in[i] - mean;
            squares += deviation * deviation;
        }
        const float inverse = 1.0f / std::sqrt(squares / static_cast<float>(width) + eps);
#pragma omp simd
        for (int64_t i = 0; i < width; ++i) out[i] = (in[i] - mean) * inverse * weight[i] + bias[i];
    }
}

}  // namespace ax
