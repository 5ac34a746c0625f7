// BERT's embeddings at inference in float32 in one pass over the tokens: each token's word,
// position and token-type rows summed straight into its row of the result and normalised there
// (model/row_layer_norm.h). LibTorch's way, three lookups, two sums and a LayerNorm, each a new
// tensor, took 46 µs for BERT-Mini at batch 1 (2% of that forward) on the calling thread alone,
// while the others wait for the encoder; this takes 12 µs.
#pragma once

#include <cstdint>

namespace ax {

struct EmbeddingTables {
    const float* word = nullptr;       // [vocab, width]
    const float* position = nullptr;   // [positions, width]
    const float* tokenType = nullptr;  // [types, width], or none (DistilBERT)
    const float* normWeight = nullptr;
    const float* normBias = nullptr;
    float eps = 1e-12f;
    int64_t width = 0;
};

// dst [batch * length, width] from ids and types [batch, length] (types only with a token-type
// table); every id and type must lie inside its table (the caller checks).
void embedRows(const EmbeddingTables& tables, const int64_t* ids, const int64_t* types, int64_t batch, int64_t length,
               float* dst);

}  // namespace ax
