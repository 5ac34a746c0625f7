// Shows what a model is: its shape, size, task heads and, per layer, heads, FFN width, removed
// blocks and hard attention. Takes plain data; knows nothing of the engine.
#pragma once

#include "model_summary.h"

#include <QWidget>

class QLabel;
class QTableWidget;

namespace ax::widgets {

class ModelSummaryView : public QWidget {
    Q_OBJECT
public:
    explicit ModelSummaryView(QWidget* parent = nullptr);

    void setSummary(const ModelSummary& summary);
    void clear();

    // For tests and screenshots: the text of the facts panel and the per-layer table.
    QString factsText() const;
    const QTableWidget* layerTable() const { return m_layers; }

private:
    QLabel* m_title;
    QLabel* m_facts;
    QTableWidget* m_layers;
};

// "11.3 M", "45.1 MB": human-readable counts for the views.
QString formatCount(qint64 count);
QString formatBytes(qint64 bytes);

}  // namespace ax::widgets
