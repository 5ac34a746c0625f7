// The Pareto front of evaluated configurations: those no other configuration beats on accuracy,
// size and cost at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ax {

struct ParetoPoint {
    double metric = 0;      // higher is better
    int64_t parameters = 0; // lower is better
    double cost = 0;        // lower is better (latency, or FLOPs where latency is not measured)
};

// For each point, whether it is on the front (not dominated: no other point is at least as good in
// all three and strictly better in one). Equal points are all on the front.
std::vector<bool> paretoFront(const std::vector<ParetoPoint>& points);

}  // namespace ax
