// The Pareto front of evaluated configurations for one cost axis: those no other configuration
// beats on the task metric and the cost at once.
#pragma once

#include "pareto_data.h"

#include <QVector>

namespace ax::widgets {

// The cost a configuration is judged on: its parameters, or its latency when `useLatency`
// (NaN when not measured).
double costOf(const ConfigurationPoint& point, bool useLatency);

// Ids of the points on the front (metric up, cost down), by increasing cost then metric, then id.
// A point is off the front when another is at least as good on both and strictly better on one,
// so equal points are all on it. Points without a finite metric or cost take no part.
QVector<int> paretoFront(const QVector<ConfigurationPoint>& points, bool useLatency);

}  // namespace ax::widgets
