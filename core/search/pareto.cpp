#include "search/pareto.h"

namespace ax {

std::vector<bool> paretoFront(const std::vector<ParetoPoint>& points)
{
    std::vector<bool> front(points.size(), true);
    for (size_t i = 0; i < points.size(); ++i) {
        for (size_t j = 0; j < points.size() && front[i]; ++j) {
            const ParetoPoint& a = points[j];
            const ParetoPoint& b = points[i];
            const bool noWorse = a.metric >= b.metric && a.parameters <= b.parameters && a.cost <= b.cost;
            const bool better = a.metric > b.metric || a.parameters < b.parameters || a.cost < b.cost;
            if (j != i && noWorse && better) front[i] = false;
        }
    }
    return front;
}

}  // namespace ax
