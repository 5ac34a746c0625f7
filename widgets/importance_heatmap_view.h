// A layers x columns heatmap of how much each head (or FFN group) matters: the change of the val
// loss when it alone is removed, or its gradient importance, with the plan's applied elements
// marked. Takes plain data; knows nothing of the engine.
#pragma once

#include "importance_data.h"

#include <QVector>
#include <QWidget>

class QComboBox;
class QCustomPlot;
class QCPColorMap;
class QCPColorScale;
class QCPGraph;
class QLabel;
class QMouseEvent;

namespace ax::widgets {

class ImportanceHeatmapView : public QWidget {
    Q_OBJECT
public:
    enum class Mode { DeltaLoss, Gradient };

    explicit ImportanceHeatmapView(QWidget* parent = nullptr);

    void setGrid(const ImportanceGrid& grid);
    // Row-major like the grid: true where the current plan applies that element. Empty: no marks.
    void setApplied(const QVector<bool>& applied);
    // Gradient mode is refused (stays Δloss) while the grid has no gradient importance.
    void setMode(Mode mode);
    Mode mode() const { return m_mode; }

    // "Layer 2, Head 3: Δloss +0.012, Δmetric −0.4%": what hovering a cell shows.
    QString tooltipFor(int layer, int column) const;

    QCustomPlot* plot() const { return m_plot; }
    QCPColorMap* colorMap() const { return m_map; }
    QCPColorScale* colorScale() const { return m_scale; }
    QCPGraph* appliedMarks() const { return m_applied; }

private:
    void showData();
    void showApplied();
    void showTooltip(QMouseEvent* event);

    ImportanceGrid m_grid;
    QVector<bool> m_appliedCells;
    Mode m_mode = Mode::DeltaLoss;
    QComboBox* m_modeBox;
    QCustomPlot* m_plot;
    QCPColorMap* m_map;
    QCPColorScale* m_scale;
    QCPGraph* m_applied;
    QLabel* m_note;
};

}  // namespace ax::widgets
