// Big readable plots for a projector: scales the fonts of every plot under a widget (axis labels,
// tick labels, colour scales, legends, titles) by a factor; the inverse factor undoes it.
#pragma once

class QWidget;

namespace ax::widgets {

void scalePlotFonts(QWidget* root, double factor);

}  // namespace ax::widgets
