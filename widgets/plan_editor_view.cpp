#include "plan_editor_view.h"

#include "plan_table_model.h"

#include <QAction>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace ax::widgets {

PlanEditorView::PlanEditorView(QWidget* parent)
    : QWidget(parent),
      m_model(new PlanTableModel(this)),
      m_sorted(new QSortFilterProxyModel(this)),
      m_table(new QTableView(this))
{
    m_sorted->setSourceModel(m_model);
    m_sorted->setSortRole(PlanTableModel::SortRole);
    m_table->setModel(m_sorted);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(-1, Qt::AscendingOrder);  // the plan's own order until the user sorts
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setContextMenuPolicy(Qt::ActionsContextMenu);
    connect(m_model, &PlanTableModel::overrideChanged, this, &PlanEditorView::overrideChanged);

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(new QLabel(tr("Selected rows (keys A, R, S):"), this));
    const struct {
        OverrideState state;
        QString text;
        Qt::Key key;
    } choices[] = {{OverrideState::ForceOn, tr("&Accept (force on)"), Qt::Key_A},
                   {OverrideState::ForceOff, tr("&Reject (force off)"), Qt::Key_R},
                   {OverrideState::SearchDecides, tr("&Search decides"), Qt::Key_S}};
    for (const auto& choice : choices) {
        auto* action = new QAction(choice.text, this);
        // Plain keys while the table has focus: quicker than a menu when going through many rows.
        action->setShortcut(choice.key);
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        action->setToolTip(tr("%1 — key %2").arg(QString(choice.text).remove('&'), QKeySequence(choice.key).toString()));
        connect(action, &QAction::triggered, this, [this, state = choice.state] { overrideSelection(state); });
        m_table->addAction(action);
        auto* button = new QToolButton(this);
        button->setDefaultAction(action);
        buttons->addWidget(button);
    }
    buttons->addStretch(1);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(buttons);
    layout->addWidget(m_table, 1);
}

void PlanEditorView::setRows(const QVector<PlanRow>& rows, double baselineLoss)
{
    m_model->setRows(rows, baselineLoss);
}

void PlanEditorView::overrideSelection(OverrideState state)
{
    // Source rows first: each change may re-sort the view and move the selected rows.
    QVector<int> rows;
    for (const QModelIndex& row : m_table->selectionModel()->selectedRows()) rows << m_sorted->mapToSource(row).row();
    for (int row : rows) m_model->setOverride(row, state);
}

}  // namespace ax::widgets
