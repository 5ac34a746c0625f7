#include "pareto_view.h"

#include "model_summary_view.h"
#include "pareto_front.h"

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

// How close (in pixels) a click or hover must come to a point to mean it.
constexpr double kPickRadius = 10;

const QColor kFrontColor(31, 119, 180);
const QColor kSelectedColor(214, 39, 40);

bool anyLatency(const QVector<ConfigurationPoint>& points)
{
    return std::any_of(points.begin(), points.end(),
                       [](const ConfigurationPoint& point) { return std::isfinite(point.latencyMs); });
}

}  // namespace

ParetoView::ParetoView(QWidget* parent)
    : QWidget(parent), m_axisBox(new QComboBox(this)), m_plot(new QCustomPlot(this)), m_note(new QLabel(this))
{
    m_axisBox->addItem(tr("Parameters"));
    m_axisBox->addItem(tr("Latency (ms)"));
    connect(m_axisBox, &QComboBox::activated, this,
            [this](int index) { setXAxis(index == 1 ? XAxis::Latency : XAxis::Parameters); });

    m_others = m_plot->addGraph();
    m_others->setName(tr("Configuration"));
    m_others->setLineStyle(QCPGraph::lsNone);
    m_others->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QColor(130, 130, 130), QColor(220, 220, 220), 7));
    m_front = m_plot->addGraph();
    m_front->setName(tr("Pareto front"));
    // Left steps: from each front point on, the best metric reachable at that cost is its own.
    m_front->setLineStyle(QCPGraph::lsStepLeft);
    m_front->setPen(QPen(kFrontColor, 2));
    m_front->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, kFrontColor, 8));
    m_baseline = m_plot->addGraph();
    m_baseline->setName(tr("Baseline (unapproximated)"));
    m_baseline->setLineStyle(QCPGraph::lsNone);
    m_baseline->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDiamond, QPen(Qt::black, 1.5), QColor(255, 200, 0), 13));
    m_selected = m_plot->addGraph();
    m_selected->setLineStyle(QCPGraph::lsNone);
    m_selected->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(kSelectedColor, 2.5), Qt::NoBrush, 19));
    // The label hangs a few pixels off the selected point, whatever the zoom: an invisible
    // tracer at the point (in plot coordinates) is its anchor.
    m_selectedAnchor = new QCPItemTracer(m_plot);
    m_selectedAnchor->setStyle(QCPItemTracer::tsNone);
    m_selectedLabel = new QCPItemText(m_plot);
    m_selectedLabel->position->setType(QCPItemPosition::ptAbsolute);
    m_selectedLabel->position->setParentAnchor(m_selectedAnchor->position);
    m_selectedLabel->setPadding(QMargins(4, 2, 4, 2));
    m_selectedLabel->setBrush(QColor(255, 255, 255, 220));
    m_selectedLabel->setPen(QPen(kSelectedColor));
    m_selectedLabel->setClipToAxisRect(false);

    // The legend sits in its own row under the plot, where it never hides a point.
    m_plot->plotLayout()->addElement(1, 0, m_plot->legend);
    m_plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    m_plot->legend->setBorderPen(Qt::NoPen);
    m_plot->legend->setVisible(true);
    m_plot->plotLayout()->setRowStretchFactor(1, 0.001);
    m_selected->removeFromLegend();

    m_plot->setMouseTracking(true);
    connect(m_plot, &QCustomPlot::mousePress, this, &ParetoView::select);
    connect(m_plot, &QCustomPlot::mouseMove, this, &ParetoView::showTooltip);

    m_note->setWordWrap(true);
    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("X axis:"), this));
    controls->addWidget(m_axisBox);
    controls->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    layout->addWidget(m_plot, 1);
    layout->addWidget(m_note);
    setMetricName(tr("Val metric"));
    setPoints({});
}

void ParetoView::setPoints(const QVector<ConfigurationPoint>& points)
{
    m_points = points;
    const bool latency = anyLatency(m_points);
    if (auto* items = qobject_cast<QStandardItemModel*>(m_axisBox->model())) items->item(1)->setEnabled(latency);
    if (!latency) m_xAxis = XAxis::Parameters;
    showPoints();
}

void ParetoView::setMetricName(const QString& name)
{
    m_plot->yAxis->setLabel(name);
    m_plot->replot();
}

void ParetoView::setXAxis(XAxis axis)
{
    m_xAxis = axis == XAxis::Latency && !anyLatency(m_points) ? XAxis::Parameters : axis;
    showPoints();
}

void ParetoView::setSelectedId(int id)
{
    m_selectedId = id;
    showSelection();
}

QPointF ParetoView::plotPosition(int id) const
{
    const bool useLatency = m_xAxis == XAxis::Latency;
    for (const ConfigurationPoint& point : m_points) {
        // Parameters are plotted in millions: axis ticks like 85.6 read better than 8.56e7.
        const double x = useLatency ? point.latencyMs : point.parameters / 1e6;
        if (point.id == id && std::isfinite(x) && std::isfinite(point.metric)) return {x, point.metric};
    }
    return {qQNaN(), qQNaN()};
}

void ParetoView::showPoints()
{
    m_axisBox->setCurrentIndex(m_xAxis == XAxis::Latency ? 1 : 0);
    const bool useLatency = m_xAxis == XAxis::Latency;
    m_plot->xAxis->setLabel(useLatency ? tr("Latency (ms)") : tr("Parameters (millions)"));
    const QVector<int> front = paretoFront(m_points, useLatency);
    QVector<double> otherX, otherY, frontX, frontY, baselineX, baselineY;
    int hidden = 0;
    QCPRange xRange, yRange;
    bool first = true;
    for (const ConfigurationPoint& point : m_points) {
        const QPointF at = plotPosition(point.id);
        if (std::isnan(at.x())) {
            ++hidden;
            continue;
        }
        if (point.baseline) {
            baselineX << at.x();
            baselineY << at.y();
        } else if (!front.contains(point.id)) {
            otherX << at.x();
            otherY << at.y();
        }
        xRange = first ? QCPRange(at.x(), at.x()) : QCPRange(std::min(xRange.lower, at.x()), std::max(xRange.upper, at.x()));
        yRange = first ? QCPRange(at.y(), at.y()) : QCPRange(std::min(yRange.lower, at.y()), std::max(yRange.upper, at.y()));
        first = false;
    }
    for (int id : front) {
        const QPointF at = plotPosition(id);
        frontX << at.x();
        frontY << at.y();
    }
    m_others->setData(otherX, otherY);
    m_front->setData(frontX, frontY, true);  // already in step order; equal x must keep it
    m_baseline->setData(baselineX, baselineY);

    // A margin around the points, so that markers and the selection ring are never cut in half.
    const auto padded = [](const QCPRange& range) {
        const double pad = range.size() > 0 ? 0.08 * range.size() : std::max(0.05 * std::abs(range.center()), 0.01);
        return QCPRange(range.lower - pad, range.upper + pad);
    };
    m_plot->xAxis->setRange(first ? QCPRange(0, 1) : padded(xRange));
    m_plot->yAxis->setRange(first ? QCPRange(0, 1) : padded(yRange));

    QStringList note;
    if (hidden > 0)
        note << (useLatency ? tr("%n configuration(s) without a measured latency not shown.", nullptr, hidden)
                            : tr("%n configuration(s) without a metric not shown.", nullptr, hidden));
    note << tr("Click a point to select it; hover for what it applies.");
    m_note->setText(note.join(' '));
    showSelection();
}

void ParetoView::showSelection()
{
    const QPointF at = plotPosition(m_selectedId);
    const bool shown = !std::isnan(at.x());
    m_selected->setData(shown ? QVector<double>{at.x()} : QVector<double>(),
                        shown ? QVector<double>{at.y()} : QVector<double>());
    m_selectedLabel->setVisible(shown);
    if (shown) {
        for (const ConfigurationPoint& point : m_points)
            if (point.id == m_selectedId) m_selectedLabel->setText(point.label);
        m_selectedAnchor->position->setCoords(at);
        // Keep the label inside the plot: it opens to the left of points in the right half.
        const bool rightHalf = at.x() > m_plot->xAxis->range().center();
        m_selectedLabel->position->setCoords(rightHalf ? -12 : 12, -12);
        m_selectedLabel->setPositionAlignment((rightHalf ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignBottom);
    }
    m_plot->replot();
}

QString ParetoView::tooltipFor(int id) const
{
    for (const ConfigurationPoint& point : m_points) {
        if (point.id != id) continue;
        QStringList facts{tr("%1 %2").arg(m_plot->yAxis->label()).arg(point.metric, 0, 'f', 4),
                          tr("%1 parameters").arg(formatCount(point.parameters))};
        if (std::isfinite(point.latencyMs)) facts << tr("%1 ms").arg(point.latencyMs, 0, 'f', 2);
        const QString name = point.baseline ? tr("Baseline (unapproximated)") : point.label;
        return name + "\n" + facts.join(", ");
    }
    return {};
}

QString ParetoView::noteText() const
{
    return m_note->text();
}

int ParetoView::pointNear(const QPointF& pixel) const
{
    int nearest = -1;
    double best = kPickRadius;
    for (const ConfigurationPoint& point : m_points) {
        const QPointF at = plotPosition(point.id);
        if (std::isnan(at.x())) continue;
        const QPointF onScreen(m_plot->xAxis->coordToPixel(at.x()), m_plot->yAxis->coordToPixel(at.y()));
        const double distance = std::hypot(onScreen.x() - pixel.x(), onScreen.y() - pixel.y());
        if (distance <= best) {
            best = distance;
            nearest = point.id;
        }
    }
    return nearest;
}

void ParetoView::select(QMouseEvent* event)
{
    const int id = pointNear(event->position());
    if (id < 0) return;
    setSelectedId(id);
    Q_EMIT pointSelected(id);
}

void ParetoView::showTooltip(QMouseEvent* event)
{
    const int id = pointNear(event->position());
    if (id < 0)
        QToolTip::hideText();
    else
        QToolTip::showText(event->globalPosition().toPoint(), tooltipFor(id), m_plot);
}

}  // namespace ax::widgets
