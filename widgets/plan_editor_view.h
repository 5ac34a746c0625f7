// The plan editor: every approximation the search considered, sortable by any column, where the
// user accepts (forces on), rejects (forces off) or leaves each to the search. Select rows and
// press A, R or S, use the buttons, or the context menu.
#pragma once

#include "plan_data.h"

#include <QVector>
#include <QWidget>

class QSortFilterProxyModel;
class QTableView;

namespace ax::widgets {

class PlanTableModel;

class PlanEditorView : public QWidget {
    Q_OBJECT
public:
    explicit PlanEditorView(QWidget* parent = nullptr);

    void setRows(const QVector<PlanRow>& rows, double baselineLoss);
    // Sets the override of every selected row (the keys, buttons and context menu do this).
    void overrideSelection(OverrideState state);

    PlanTableModel* model() const { return m_model; }
    QSortFilterProxyModel* sortedModel() const { return m_sorted; }
    QTableView* table() const { return m_table; }

Q_SIGNALS:
    // `row` indexes the rows given to setRows, whatever the sort order.
    void overrideChanged(int row, ax::widgets::OverrideState state);

private:
    PlanTableModel* m_model;
    QSortFilterProxyModel* m_sorted;
    QTableView* m_table;
};

}  // namespace ax::widgets
