// The method's validation split (DESIGN.md §1): carved out of the training set with a fixed seed,
// so that every decision is made on data the official dev set never sees.
#pragma once

#include "data/example.h"

#include <cstdint>
#include <vector>

namespace ax {

struct TrainValSplit {
    std::vector<Example> train, val;   // each in the original file order
};

// Puts ceil(fraction * n) examples (sklearn's train_test_split rounding) into val, chosen by a
// Fisher-Yates shuffle driven by std::mt19937_64(seed) with an unbiased bounded draw of our own,
// so the split is the same on every platform and standard library. fraction 0 gives an empty val.
// Throws ax::Error when fraction is outside [0, 1) or nothing would be left to train on.
TrainValSplit carveValidation(const std::vector<Example>& train, double fraction = 0.15, uint64_t seed = 42);

// A uniform integer in [0, bound) from a 64-bit engine, without modulo bias; bound >= 1. The same
// sequence on every platform (std::uniform_int_distribution is implementation-defined).
template <typename Engine>
uint64_t uniformBelow(Engine& engine, uint64_t bound)
{
    // Reject the top partial block of 2^64 so that every residue is equally likely.
    const uint64_t limit = ~uint64_t(0) - (~uint64_t(0) % bound + 1) % bound;
    while (true) {
        const uint64_t draw = engine();
        if (draw <= limit) return draw % bound;
    }
}

}  // namespace ax
