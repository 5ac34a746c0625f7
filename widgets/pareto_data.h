// Plain data for the Pareto view: one evaluated configuration of the model.
#pragma once

#include <QString>
#include <QtGlobal>

namespace ax::widgets {

struct ConfigurationPoint {
    int id = 0;               // >= 0; reported back when the user picks the point
    QString label;            // what was applied, e.g. "ffn block 11 + head 3:2"
    double metric = 0;        // val task metric, higher is better
    qint64 parameters = 0;    // lower is better
    double latencyMs = qQNaN();  // lower is better; NaN when not measured
    bool baseline = false;    // the unapproximated model
};

}  // namespace ax::widgets
