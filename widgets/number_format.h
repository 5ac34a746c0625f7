// Number formatting shared by the views' labels, tooltips and tables.
#pragma once

#include <QString>

namespace ax::widgets {

// "+0.012", "−0.400" (a real minus sign), "0.000" for zero: differences read at a glance. Takes
// a finite value; callers show unknown values their own way.
// Values too small for `decimals` keep two significant digits instead of collapsing to ±0.
QString formatSigned(double value, int decimals);

}  // namespace ax::widgets
