#include "importance_heatmap_view.h"

#include "number_format.h"
#include "plot_style.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QStandardItemModel>
#include <QToolTip>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace ax::widgets {

namespace {

double at(const QVector<double>& values, int cell)
{
    return cell < values.size() ? values[cell] : qQNaN();
}

}  // namespace

ImportanceHeatmapView::ImportanceHeatmapView(QWidget* parent)
    : QWidget(parent), m_modeBox(new QComboBox(this)), m_plot(new QCustomPlot(this)), m_note(new QLabel(this))
{
    m_modeBox->addItem(tr("Δ loss when removed"));
    m_modeBox->addItem(tr("Gradient importance"));
    connect(m_modeBox, &QComboBox::activated, this,
            [this](int index) { setMode(index == 1 ? Mode::Gradient : Mode::DeltaLoss); });

    m_map = new QCPColorMap(m_plot->xAxis, m_plot->yAxis);
    m_map->setInterpolate(false);  // one flat colour per element: these are not samples of a field
    m_scale = new QCPColorScale(m_plot);
    m_plot->plotLayout()->addElement(0, 1, m_scale);
    m_map->setColorScale(m_scale);
    // The scale's bar spans exactly the heatmap's height.
    auto* margins = new QCPMarginGroup(m_plot);
    m_plot->axisRect()->setMarginGroup(QCP::msTop | QCP::msBottom, margins);
    m_scale->setMarginGroup(QCP::msTop | QCP::msBottom, margins);

    m_applied = m_plot->addGraph();
    m_applied->setLineStyle(QCPGraph::lsNone);
    m_applied->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCross, QPen(Qt::black, 2), Qt::NoBrush, 11));

    m_plot->yAxis->setLabel(tr("Layer"));
    setIntegerTicks(m_plot->xAxis);
    setIntegerTicks(m_plot->yAxis);
    for (QCPAxis* axis : {m_plot->xAxis, m_plot->yAxis}) axis->grid()->setVisible(false);
    m_plot->setMouseTracking(true);
    connect(m_plot, &QCustomPlot::mouseMove, this, &ImportanceHeatmapView::showTooltip);

    m_note->setWordWrap(true);
    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Show:"), this));
    controls->addWidget(m_modeBox);
    controls->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    layout->addWidget(m_plot, 1);
    layout->addWidget(m_note);
    setGrid({});
}

void ImportanceHeatmapView::setGrid(const ImportanceGrid& grid)
{
    m_grid = grid;
    const bool hasGradient = !m_grid.gradient.isEmpty();
    if (auto* items = qobject_cast<QStandardItemModel*>(m_modeBox->model())) items->item(1)->setEnabled(hasGradient);
    if (!hasGradient) m_mode = Mode::DeltaLoss;
    m_plot->xAxis->setLabel(m_grid.columnName);
    // Cell centres sit on whole numbers, so a cell is (column, layer) on the axes; layer 0 at the bottom.
    m_plot->xAxis->setRange(-0.5, std::max(m_grid.columns, 1) - 0.5);
    m_plot->yAxis->setRange(-0.5, std::max(m_grid.layers, 1) - 0.5);
    showData();
    showApplied();
}

void ImportanceHeatmapView::setApplied(const QVector<bool>& applied)
{
    m_appliedCells = applied;
    showApplied();
}

void ImportanceHeatmapView::setMode(Mode mode)
{
    m_mode = mode == Mode::Gradient && m_grid.gradient.isEmpty() ? Mode::DeltaLoss : mode;
    showData();
}

void ImportanceHeatmapView::showData()
{
    m_modeBox->setCurrentIndex(m_mode == Mode::Gradient ? 1 : 0);
    const QVector<double>& values = m_mode == Mode::Gradient ? m_grid.gradient : m_grid.deltaLoss;
    fillCells(m_map, m_grid.columns, m_grid.layers,
              [&](int column, int layer) { return at(values, layer * m_grid.columns + column); });
    // The colour range covers the measured values only; NaN cells are painted grey.
    double low = 0, high = 0;
    bool measured = false;
    for (double value : values) {
        if (!std::isfinite(value)) continue;
        measured = true;
        low = std::min(low, value);
        high = std::max(high, value);
    }
    QString meaning;
    if (m_mode == Mode::DeltaLoss) {
        // Symmetric around 0 so that white means "no effect" whatever the data's spread.
        const double reach = high > -low ? high : -low;
        m_scale->setGradient(divergingGradient());
        m_scale->setDataRange(reach > 0 ? QCPRange(-reach, reach) : QCPRange(-1, 1));
        m_scale->axis()->setLabel(tr("Δ val loss when removed"));
        meaning = tr("Green: removing it lowers the val loss (helps); red: raises it (hurts).");
    } else {
        m_scale->setGradient(sequentialGradient());
        m_scale->setDataRange(QCPRange(low, high > low ? high : low + 1));
        m_scale->axis()->setLabel(tr("Gradient importance"));
        meaning = tr("Darker: more important to the task loss.");
    }
    m_note->setText(QStringList{meaning, measured ? tr("Grey: not measured.") : tr("Nothing measured yet."),
                                tr("✕: applied in the plan. Hover a cell for its numbers.")}
                        .join(' '));
    m_plot->replot();
}

void ImportanceHeatmapView::showApplied()
{
    QVector<double> columns, layers;
    for (int cell = 0; cell < std::min<int>(m_appliedCells.size(), m_grid.layers * m_grid.columns); ++cell) {
        if (!m_appliedCells[cell]) continue;
        columns << cell % m_grid.columns;
        layers << cell / m_grid.columns;
    }
    m_applied->setData(columns, layers);
    m_plot->replot();
}

QString ImportanceHeatmapView::tooltipFor(int layer, int column) const
{
    if (layer < 0 || layer >= m_grid.layers || column < 0 || column >= m_grid.columns) return {};
    const int cell = layer * m_grid.columns + column;
    QStringList parts;
    const double loss = at(m_grid.deltaLoss, cell), metric = at(m_grid.deltaMetric, cell);
    if (std::isfinite(loss)) parts << tr("Δloss %1").arg(formatSigned(loss, 3));
    if (std::isfinite(metric)) parts << tr("Δmetric %1%").arg(formatSigned(metric * m_grid.metricToPercent, 1));
    const double gradient = at(m_grid.gradient, cell);
    if (std::isfinite(gradient)) parts << tr("gradient importance %1").arg(QString::number(gradient, 'g', 3));
    QString text = tr("Layer %1, %2 %3: %4")
                       .arg(layer)
                       .arg(m_grid.columnName)
                       .arg(column)
                       .arg(parts.isEmpty() ? tr("not measured") : parts.join(", "));
    if (cell < m_appliedCells.size() && m_appliedCells[cell]) text += tr(" (applied in the plan)");
    return text;
}

void ImportanceHeatmapView::showTooltip(QMouseEvent* event)
{
    const int column = qRound(m_plot->xAxis->pixelToCoord(event->position().x()));
    const int layer = qRound(m_plot->yAxis->pixelToCoord(event->position().y()));
    const bool inside = m_plot->axisRect()->rect().contains(event->position().toPoint());
    const QString text = inside ? tooltipFor(layer, column) : QString();
    if (text.isEmpty())
        QToolTip::hideText();
    else
        QToolTip::showText(event->globalPosition().toPoint(), text, m_plot);
}

}  // namespace ax::widgets
