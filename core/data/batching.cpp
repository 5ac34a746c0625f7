#include "data/batching.h"

#include "common/error.h"
#include "data/split.h"

#include <algorithm>
#include <numeric>
#include <random>

namespace ax {

namespace {

template <typename T>
void shuffleInPlace(std::vector<T>& items, std::mt19937_64& engine)
{
    for (size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[uniformBelow(engine, i)]);
}

Batch assemble(const std::vector<Feature>& features, std::vector<size_t> rows, int64_t padId)
{
    Batch batch;
    batch.size = static_cast<int64_t>(rows.size());
    for (const size_t row : rows) batch.length = std::max(batch.length, features[row].length());
    const size_t cells = rows.size() * static_cast<size_t>(batch.length);
    batch.inputIds.assign(cells, padId);
    batch.tokenTypeIds.assign(cells, 0);
    batch.attentionMask.assign(cells, 0);
    for (size_t r = 0; r < rows.size(); ++r) {
        const Feature& feature = features[rows[r]];
        const size_t offset = r * static_cast<size_t>(batch.length);
        std::copy(feature.inputIds.begin(), feature.inputIds.end(), batch.inputIds.begin() + offset);
        std::copy(feature.tokenTypeIds.begin(), feature.tokenTypeIds.end(), batch.tokenTypeIds.begin() + offset);
        std::fill_n(batch.attentionMask.begin() + offset, feature.inputIds.size(), 1);
        batch.labels.push_back(feature.label);
        batch.scores.push_back(feature.score);
        batch.startPositions.push_back(feature.startPosition);
        batch.endPositions.push_back(feature.endPosition);
    }
    batch.features = std::move(rows);
    return batch;
}

}  // namespace

std::vector<Batch> makeBatches(const std::vector<Feature>& features, int batchSize, bool shuffle, uint64_t seed,
                               int64_t padId)
{
    if (batchSize < 1) throw Error("batch size " + std::to_string(batchSize) + " must be at least 1");
    for (size_t i = 0; i < features.size(); ++i) {
        if (features[i].inputIds.empty()) throw Error("feature " + std::to_string(i) + " has no tokens");
        if (features[i].tokenTypeIds.size() != features[i].inputIds.size())
            throw Error("feature " + std::to_string(i) + " has " + std::to_string(features[i].tokenTypeIds.size()) +
                        " token types for " + std::to_string(features[i].inputIds.size()) + " tokens");
    }
    const size_t size = static_cast<size_t>(batchSize);
    std::vector<size_t> order(features.size());
    std::iota(order.begin(), order.end(), size_t(0));
    std::mt19937_64 engine(seed);
    if (shuffle) {
        shuffleInPlace(order, engine);
        const size_t pool = size * kBucketPoolBatches;
        for (size_t begin = 0; begin < order.size(); begin += pool) {
            const auto first = order.begin() + static_cast<std::ptrdiff_t>(begin);
            const auto last = order.begin() + static_cast<std::ptrdiff_t>(std::min(order.size(), begin + pool));
            std::stable_sort(first, last, [&](size_t a, size_t b) { return features[a].length() < features[b].length(); });
        }
    }
    std::vector<Batch> batches;
    for (size_t begin = 0; begin < order.size(); begin += size) {
        const size_t end = std::min(order.size(), begin + size);
        batches.push_back(assemble(features, std::vector<size_t>(order.begin() + static_cast<std::ptrdiff_t>(begin),
                                                                 order.begin() + static_cast<std::ptrdiff_t>(end)),
                                   padId));
    }
    if (shuffle) shuffleInPlace(batches, engine);
    return batches;
}

}  // namespace ax
