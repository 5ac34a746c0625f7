#include "plan_table_model.h"

#include "number_format.h"

#include <QColor>
#include <QFont>

namespace ax::widgets {

namespace {

// "ffn_group" -> "FFN group": the plan's kind names, as a person reads them.
QString readableKind(const QString& kind)
{
    QStringList words = kind.split('_');
    for (QString& word : words)
        if (word == QLatin1String("ffn")) word = QStringLiteral("FFN");
    return words.join(' ');
}

QString stateName(const PlanRow& row)
{
    const QString state = row.applied ? PlanTableModel::tr("applied")
                          : row.tried ? PlanTableModel::tr("rejected")
                                      : PlanTableModel::tr("not tried");
    return row.forced ? PlanTableModel::tr("%1 (forced)").arg(state) : state;
}

}  // namespace

QString overrideName(OverrideState state)
{
    switch (state) {
    case OverrideState::ForceOn: return PlanTableModel::tr("accept (force on)");
    case OverrideState::ForceOff: return PlanTableModel::tr("reject (force off)");
    case OverrideState::SearchDecides: break;
    }
    return PlanTableModel::tr("search decides");
}

PlanTableModel::PlanTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void PlanTableModel::setRows(const QVector<PlanRow>& rows, double baselineLoss)
{
    beginResetModel();
    m_rows = rows;
    m_baselineLoss = baselineLoss;
    m_overrides.clear();
    for (const PlanRow& row : m_rows)
        m_overrides << (!row.forced   ? OverrideState::SearchDecides
                        : row.applied ? OverrideState::ForceOn
                                      : OverrideState::ForceOff);
    endResetModel();
}

void PlanTableModel::setOverride(int row, OverrideState state)
{
    if (row < 0 || row >= m_overrides.size() || m_overrides[row] == state) return;
    m_overrides[row] = state;
    Q_EMIT dataChanged(index(row, Override), index(row, Override));
    Q_EMIT overrideChanged(row, state);
}

int PlanTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : m_rows.size();
}

int PlanTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant PlanTableModel::display(const PlanRow& row, int rowIndex, int column) const
{
    const QString unknown = QStringLiteral("—");
    switch (column) {
    case Kind: return readableKind(row.kind);
    case Layer: return row.layer;
    case Index: return row.index >= 0 ? QString::number(row.index) : unknown;
    case DeltaLoss: return row.tried ? formatSigned(row.loss - m_baselineLoss, 4) : unknown;
    case Metric: return row.tried ? QString::number(row.metric, 'f', 4) : unknown;
    case Source: return row.source;
    case State: return stateName(row);
    case Override: return overrideName(m_overrides[rowIndex]);
    }
    return {};
}

QVariant PlanTableModel::sortValue(const PlanRow& row, int rowIndex, int column) const
{
    switch (column) {
    case Index: return row.index;
    case DeltaLoss: return row.tried ? QVariant(row.loss - m_baselineLoss) : QVariant();
    case Metric: return row.tried ? QVariant(row.metric) : QVariant();
    case Override: return int(m_overrides[rowIndex]);
    }
    return display(row, rowIndex, column);
}

QVariant PlanTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size()) return {};
    const PlanRow& row = m_rows[index.row()];
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole: return display(row, index.row(), column);
    case SortRole: return sortValue(row, index.row(), column);
    case Qt::EditRole: return column == Override ? QVariant(int(m_overrides[index.row()])) : QVariant();
    case Qt::TextAlignmentRole:
        return int((column == Layer || column == Index || column == DeltaLoss || column == Metric ? Qt::AlignRight
                                                                                                   : Qt::AlignLeft) |
                   Qt::AlignVCenter);
    case Qt::BackgroundRole: return row.applied ? QVariant(QColor(223, 240, 216)) : QVariant();
    case Qt::ForegroundRole:
        if (column == Override && m_overrides[index.row()] != OverrideState::SearchDecides) return QColor(0, 70, 160);
        // Dark text on the light green of applied rows, whatever the palette.
        return row.applied ? QVariant(QColor(Qt::black)) : QVariant();
    case Qt::FontRole: {
        if (!row.forced) return {};
        QFont font;
        font.setBold(true);
        return font;
    }
    case Qt::ToolTipRole:
        if (row.forced) return tr("Forced by the user: the search recorded its loss but did not decide it.");
        return {};
    }
    return {};
}

QVariant PlanTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal && role == Qt::ToolTipRole && section == DeltaLoss)
        return tr("Val loss of the configuration tried, minus the baseline's %1").arg(m_baselineLoss, 0, 'f', 4);
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Kind: return tr("Kind");
    case Layer: return tr("Layer");
    case Index: return tr("Index");
    case DeltaLoss: return tr("Δ loss");
    case Metric: return tr("Val metric");
    case Source: return tr("Source");
    case State: return tr("State");
    case Override: return tr("Your decision");
    }
    return {};
}

bool PlanTableModel::setData(const QModelIndex& index, const QVariant& value, int role)
{
    bool isInt = false;
    const int state = value.toInt(&isInt);
    if (!index.isValid() || index.column() != Override || role != Qt::EditRole || !isInt || state < 0 ||
        state > int(OverrideState::ForceOff))
        return false;
    setOverride(index.row(), OverrideState(state));
    return true;
}

}  // namespace ax::widgets
