#include "hard_attention.h"

#include <algorithm>
#include <numeric>
#include <vector>

namespace ax::widgets {

QVector<float> hardenTopK(const QVector<float>& values, int n, int k)
{
    QVector<float> hardened = values;
    if (k <= 0 || k >= n) return hardened;
    std::vector<int> keys(n);
    for (int row = 0; row < n; ++row) {
        const float* probabilities = values.constData() + row * n;
        std::iota(keys.begin(), keys.end(), 0);
        // Stable, so that ties are broken towards the earlier key.
        std::stable_sort(keys.begin(), keys.end(),
                         [&](int a, int b) { return probabilities[a] > probabilities[b]; });
        for (int rank = k; rank < n; ++rank) hardened[row * n + keys[rank]] = 0;
    }
    return hardened;
}

}  // namespace ax::widgets
