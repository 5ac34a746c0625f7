// Every evaluated configuration as a point (task metric against parameters or latency), the
// Pareto front drawn as a step line, the baseline marked; clicking a point selects it.
#pragma once

#include "pareto_data.h"

#include <QPointF>
#include <QVector>
#include <QWidget>

class QComboBox;
class QCustomPlot;
class QCPGraph;
class QCPItemText;
class QCPItemTracer;
class QLabel;
class QMouseEvent;

namespace ax::widgets {

class ParetoView : public QWidget {
    Q_OBJECT
public:
    enum class XAxis { Parameters, Latency };

    explicit ParetoView(QWidget* parent = nullptr);

    void setPoints(const QVector<ConfigurationPoint>& points);
    void setMetricName(const QString& name);  // the y axis label, e.g. "Val accuracy"
    // Latency is refused (stays on parameters) while no point has a measured latency.
    void setXAxis(XAxis axis);
    XAxis xAxis() const { return m_xAxis; }
    // Highlights a point without emitting pointSelected; -1 clears the selection.
    void setSelectedId(int id);
    int selectedId() const { return m_selectedId; }

    // Where a point sits in plot coordinates on the current x axis (parameters in millions);
    // NaN coordinates when it is not shown.
    QPointF plotPosition(int id) const;
    QString tooltipFor(int id) const;
    QString noteText() const;

    QCustomPlot* plot() const { return m_plot; }
    QCPGraph* frontGraph() const { return m_front; }

Q_SIGNALS:
    void pointSelected(int id);

private:
    void showPoints();
    void showSelection();
    int pointNear(const QPointF& pixel) const;
    void select(QMouseEvent* event);
    void showTooltip(QMouseEvent* event);

    QVector<ConfigurationPoint> m_points;
    XAxis m_xAxis = XAxis::Parameters;
    int m_selectedId = -1;
    QComboBox* m_axisBox;
    QCustomPlot* m_plot;
    QCPGraph* m_others;
    QCPGraph* m_front;
    QCPGraph* m_baseline;
    QCPGraph* m_selected;
    QCPItemTracer* m_selectedAnchor;
    QCPItemText* m_selectedLabel;
    QLabel* m_note;
};

}  // namespace ax::widgets
