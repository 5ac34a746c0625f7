// The plan's approximations as a table model: one row per element the search considered, with the
// user's override of its decision in the last column. Rows keep the order they were given in.
#pragma once

#include "plan_data.h"

#include <QAbstractTableModel>
#include <QVector>

namespace ax::widgets {

class PlanTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Kind, Layer, Index, DeltaLoss, Metric, Source, State, Override, ColumnCount };
    // Raw values (numbers, or nothing for unknown) that sort as numbers, not as text.
    static constexpr int SortRole = Qt::UserRole;

    explicit PlanTableModel(QObject* parent = nullptr);

    // Overrides start from the rows: forced rows keep their forced state, the rest SearchDecides.
    void setRows(const QVector<PlanRow>& rows, double baselineLoss);
    const QVector<PlanRow>& rows() const { return m_rows; }
    double baselineLoss() const { return m_baselineLoss; }
    OverrideState overrideAt(int row) const { return m_overrides.value(row); }
    // Emits overrideChanged when the state differs from the row's current one.
    void setOverride(int row, OverrideState state);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    // The Override column takes an OverrideState (as int) under Qt::EditRole.
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;

Q_SIGNALS:
    // `row` indexes rows() (not a sorted view's row).
    void overrideChanged(int row, ax::widgets::OverrideState state);

private:
    QVariant display(const PlanRow& row, int rowIndex, int column) const;
    QVariant sortValue(const PlanRow& row, int rowIndex, int column) const;

    QVector<PlanRow> m_rows;
    QVector<OverrideState> m_overrides;
    double m_baselineLoss = 0;
};

// "search decides", "accept (force on)", "reject (force off)".
QString overrideName(OverrideState state);

}  // namespace ax::widgets
