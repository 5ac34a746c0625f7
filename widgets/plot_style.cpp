#include "plot_style.h"

#include <qcustomplot.h>

namespace ax::widgets {

QCPColorGradient divergingGradient()
{
    QCPColorGradient gradient;
    gradient.clearColorStops();
    gradient.setColorStopAt(0.0, QColor(0, 104, 55));
    gradient.setColorStopAt(0.25, QColor(120, 198, 121));
    gradient.setColorStopAt(0.5, QColor(255, 255, 255));
    gradient.setColorStopAt(0.75, QColor(244, 109, 67));
    gradient.setColorStopAt(1.0, QColor(165, 0, 38));
    gradient.setNanHandling(QCPColorGradient::nhNanColor);
    gradient.setNanColor(kNotMeasuredColor);
    return gradient;
}

QCPColorGradient sequentialGradient()
{
    QCPColorGradient gradient;
    gradient.clearColorStops();
    gradient.setColorStopAt(0.0, QColor(255, 255, 255));
    gradient.setColorStopAt(0.5, QColor(107, 174, 214));
    gradient.setColorStopAt(1.0, QColor(8, 48, 107));
    gradient.setNanHandling(QCPColorGradient::nhNanColor);
    gradient.setNanColor(kNotMeasuredColor);
    return gradient;
}

void fillCells(QCPColorMap* map, int keys, int values, const std::function<double(int key, int value)>& valueAt)
{
    const int storedKeys = keys == 1 ? 2 : keys, storedValues = values == 1 ? 2 : values;
    const auto range = [](int size) { return size == 1 ? QCPRange(-0.25, 0.25) : QCPRange(0, size - 1); };
    map->data()->setSize(storedKeys, storedValues);
    map->data()->setRange(range(keys), range(values));
    for (int value = 0; value < storedValues; ++value)
        for (int key = 0; key < storedKeys; ++key)
            map->data()->setCell(key, value, valueAt(keys == 1 ? 0 : key, values == 1 ? 0 : value));
}

void setIntegerTicks(QCPAxis* axis)
{
    QSharedPointer<QCPAxisTickerFixed> ticker(new QCPAxisTickerFixed);
    ticker->setTickStep(1);
    ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    ticker->setTickCount(16);  // every one of BERT-base's 12 layers and heads; multiples beyond ~16
    axis->setTicker(ticker);
    axis->setSubTicks(false);
}

}  // namespace ax::widgets
