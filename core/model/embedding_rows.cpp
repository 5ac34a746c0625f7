#include "model/embedding_rows.h"

#include "model/row_layer_norm.h"

namespace ax {

void embedRows(const EmbeddingTables& tables, const int64_t* ids, const int64_t* types, int64_t batch, int64_t length,
               float* dst)
{
    const int64_t width = tables.width;
    for (int64_t token = 0; token < batch * length; ++token) {
        const float* word = tables.word + ids[token] * width;
        const float* position = tables.position + (token % length) * width;
        float* row = dst + token * width;
        if (tables.tokenType) {
            const float* type = tables.tokenType + types[token] * width;
#pragma omp simd
            for (int64_t i = 0; i < width; ++i) row[i] = word[i] + position[i] + type[i];
        } else {
#pragma omp simd
            for (int64_t i = 0; i < width; ++i) row[i] = word[i] + position[i];
        }
    }
    layerNormRows(dst, dst, tables.normWeight, tables.normBias, batch * length, width, tables.eps);
}

}  // namespace ax
