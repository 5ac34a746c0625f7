#include "plot_fonts.h"

#include <qcustomplot.h>

namespace ax::widgets {

namespace {

QFont scaled(QFont font, double factor)
{
    font.setPointSizeF(font.pointSizeF() * factor);
    return font;
}

void scaleAxis(QCPAxis* axis, double factor)
{
    axis->setTickLabelFont(scaled(axis->tickLabelFont(), factor));
    axis->setLabelFont(scaled(axis->labelFont(), factor));
    axis->setSelectedTickLabelFont(scaled(axis->selectedTickLabelFont(), factor));
    axis->setSelectedLabelFont(scaled(axis->selectedLabelFont(), factor));
}

}  // namespace

void scalePlotFonts(QWidget* root, double factor)
{
    for (QCustomPlot* plot : root->findChildren<QCustomPlot*>()) {
        for (QCPLayoutElement* element : plot->plotLayout()->elements(true)) {
            if (auto* rect = dynamic_cast<QCPAxisRect*>(element)) {
                for (QCPAxis* axis : rect->axes()) scaleAxis(axis, factor);
            } else if (auto* scale = dynamic_cast<QCPColorScale*>(element)) {
                scaleAxis(scale->axis(), factor);
            } else if (auto* text = dynamic_cast<QCPTextElement*>(element)) {
                text->setFont(scaled(text->font(), factor));
            } else if (auto* legend = dynamic_cast<QCPLegend*>(element)) {
                legend->setFont(scaled(legend->font(), factor));
                for (int i = 0; i < legend->itemCount(); ++i)
                    if (auto* item = legend->item(i)) item->setFont(scaled(item->font(), factor));
            }
        }
        plot->replot(QCustomPlot::rpQueuedReplot);
    }
}

}  // namespace ax::widgets
