#include "number_format.h"

#include <cmath>

namespace ax::widgets {

QString formatSigned(double value, int decimals)
{
    if (value == 0) return QString::number(0.0, 'f', decimals);
    const QString sign = value > 0 ? QStringLiteral("+") : QStringLiteral("\u2212");
    const double magnitude = std::abs(value);
    const bool roundsToZero = magnitude < 0.5 * std::pow(10.0, -decimals);
    return sign + (roundsToZero ? QString::number(magnitude, 'g', 2) : QString::number(magnitude, 'f', decimals));
}

}  // namespace ax::widgets
