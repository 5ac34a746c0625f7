// The colour scales and axis settings the plot views share, so that the same quantity always
// looks the same in every view.
#pragma once

#include <QColor>

#include <functional>

class QCPAxis;
class QCPColorGradient;
class QCPColorMap;

namespace ax::widgets {

// Grey for cells that were not measured: neutral, and unlike every colour of the scales below.
inline const QColor kNotMeasuredColor(190, 190, 190);

// Green (negative) through white (0) to red (positive), for differences centred at 0: use it with
// a data range symmetric around 0. Negative Δloss means removing the element helps.
QCPColorGradient divergingGradient();

// White (0) to dark blue (high), for quantities that only grow: probabilities, importance.
QCPColorGradient sequentialGradient();

// Fills `map` with keys x values cells centred on whole numbers (cell (k, v) covers k ± 0.5,
// v ± 0.5), taking each cell's value from `valueAt(k, v)`. QCustomPlot draws a map that is one cell
// wide or high with no extent, so such a dimension is stored as two identical half-width cells.
void fillCells(QCPColorMap* map, int keys, int values, const std::function<double(int key, int value)>& valueAt);

// Ticks on whole numbers only (layers, heads, groups), thinned to multiples when crowded.
void setIntegerTicks(QCPAxis* axis);

}  // namespace ax::widgets
