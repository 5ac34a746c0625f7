// One head's attention over an example, side by side: the softmax, the top-k hardened map the
// AxFormer method would use instead, and their difference (what hard attention drops).
#pragma once

#include "attention_data.h"

#include <QWidget>

class QCustomPlot;
class QCPAxisRect;
class QCPColorMap;
class QCPTextElement;

namespace ax::widgets {

class AttentionMapView : public QWidget {
    Q_OBJECT
public:
    explicit AttentionMapView(QWidget* parent = nullptr);

    void setPair(const AttentionPair& pair);

    QCustomPlot* plot() const { return m_plot; }
    QCPColorMap* softMap() const { return m_soft; }
    QCPColorMap* hardMap() const { return m_hard; }
    QCPColorMap* differenceMap() const { return m_difference; }
    // The titles above the three maps, left to right.
    QStringList titles() const;

private:
    QCPColorMap* addMap(int column, QCPTextElement*& title);

    QCustomPlot* m_plot;
    QCPColorMap* m_soft;
    QCPColorMap* m_hard;
    QCPColorMap* m_difference;
    QCPTextElement* m_softTitle = nullptr;
    QCPTextElement* m_hardTitle = nullptr;
    QCPTextElement* m_differenceTitle = nullptr;
};

}  // namespace ax::widgets
