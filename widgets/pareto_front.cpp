#include "pareto_front.h"

#include <algorithm>
#include <cmath>

namespace ax::widgets {

double costOf(const ConfigurationPoint& point, bool useLatency)
{
    return useLatency ? point.latencyMs : double(point.parameters);
}

QVector<int> paretoFront(const QVector<ConfigurationPoint>& points, bool useLatency)
{
    QVector<ConfigurationPoint> candidates;
    for (const ConfigurationPoint& point : points)
        if (std::isfinite(point.metric) && std::isfinite(costOf(point, useLatency))) candidates << point;
    // Quadratic, but a search evaluates at most a few hundred configurations.
    QVector<ConfigurationPoint> front;
    for (const ConfigurationPoint& point : candidates) {
        const double cost = costOf(point, useLatency);
        const bool dominated = std::any_of(candidates.begin(), candidates.end(), [&](const ConfigurationPoint& other) {
            const double otherCost = costOf(other, useLatency);
            return otherCost <= cost && other.metric >= point.metric && (otherCost < cost || other.metric > point.metric);
        });
        if (!dominated) front << point;
    }
    std::sort(front.begin(), front.end(), [&](const ConfigurationPoint& a, const ConfigurationPoint& b) {
        const double costA = costOf(a, useLatency), costB = costOf(b, useLatency);
        if (costA != costB) return costA < costB;
        if (a.metric != b.metric) return a.metric < b.metric;
        return a.id < b.id;
    });
    QVector<int> ids;
    for (const ConfigurationPoint& point : front) ids << point.id;
    return ids;
}

}  // namespace ax::widgets
