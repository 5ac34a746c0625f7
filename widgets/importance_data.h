// Plain data for the importance heatmap: how much each head (or FFN group) of each layer matters,
// measured by removing it alone. Filled by the studio from engine results; no engine types here.
#pragma once

#include <QString>
#include <QVector>

namespace ax::widgets {

struct ImportanceGrid {
    QString columnName = QStringLiteral("Head");  // "Head" or "FFN group": names a column in labels
    int layers = 0;
    int columns = 0;
    // Row-major (layer * columns + column); NaN where the element was not measured.
    QVector<double> deltaLoss;    // val loss with this element alone removed, minus the baseline loss
    QVector<double> deltaMetric;  // the same for the task metric
    QVector<double> gradient;     // gradient-based importance; empty when not computed
    // Turns deltaMetric into percentage points: 100 for metrics in [0, 1], 1 for SQuAD's 0-100.
    double metricToPercent = 100;
};

}  // namespace ax::widgets
