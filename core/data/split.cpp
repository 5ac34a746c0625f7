#include "data/split.h"

#include "common/error.h"

#include <cmath>
#include <numeric>
#include <random>

namespace ax {

TrainValSplit carveValidation(const std::vector<Example>& train, double fraction, uint64_t seed)
{
    if (!(fraction >= 0.0 && fraction < 1.0))
        throw Error("validation fraction " + std::to_string(fraction) + " is outside [0, 1)");
    const size_t total = train.size();
    // Exactly sklearn's n_test = ceil(test_size * n_samples), binary rounding included.
    const size_t valCount = static_cast<size_t>(std::ceil(fraction * static_cast<double>(total)));
    if (valCount >= total && total > 0)
        throw Error("a validation fraction of " + std::to_string(fraction) + " leaves none of the " +
                    std::to_string(total) + " training examples to train on");

    std::vector<size_t> order(total);
    std::iota(order.begin(), order.end(), size_t(0));
    std::mt19937_64 engine(seed);
    for (size_t i = total; i > 1; --i) std::swap(order[i - 1], order[uniformBelow(engine, i)]);

    std::vector<char> inVal(total, 0);
    for (size_t i = 0; i < valCount; ++i) inVal[order[i]] = 1;
    TrainValSplit split;
    split.val.reserve(valCount);
    split.train.reserve(total - valCount);
    for (size_t i = 0; i < total; ++i) (inVal[i] ? split.val : split.train).push_back(train[i]);
    return split;
}

}  // namespace ax
