// The plan editor, headless: the model's cells from plain rows, overrides set through setData, the
// keys and the buttons (always reported with the plan's row, whatever the sort), and sorting.

#include "plan_editor_view.h"
#include "plan_table_model.h"

#include "test_support.h"

#include <QAction>
#include <QApplication>
#include <QFont>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QToolButton>

using namespace ax;
using widgets::OverrideState;
using widgets::PlanRow;
using widgets::PlanTableModel;

namespace {

constexpr double kBaselineLoss = 0.30;

// The search's order: hard attention, then blocks, heads and groups from the top layer down.
QVector<PlanRow> planRows()
{
    return {
        {"hard_attention", 0, -1, 0.2950, 0.915, true, false, "search", true},
        {"ffn_block", 1, -1, 0.3400, 0.880, false, false, "search", true},
        {"ffn_group", 1, 2, 0.2990, 0.912, true, false, "search", true},
        {"attention_block", 1, -1, 0.3100, 0.905, false, true, "user", true},
        {"head", 1, 3, 0.0, 0.0, false, false, "search", false},
        {"head", 0, 1, 0.2800, 0.921, true, true, "user", true},
    };
}

QString cell(const QAbstractItemModel& model, int row, int column)
{
    return model.data(model.index(row, column)).toString();
}

void saveScreenshot(QWidget& view, const QString& name)
{
    const QString folder = qEnvironmentVariable("AX_VIEW_SCREENSHOTS");
    if (folder.isEmpty()) return;
    QDir().mkpath(folder);
    QVERIFY(view.grab().save(folder + "/" + name + ".png"));
}

}  // namespace

class TestPlanEditor : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void showsEveryApproximation()
    {
        PlanTableModel model;
        model.setRows(planRows(), kBaselineLoss);
        QCOMPARE(model.rowCount(), 6);
        QCOMPARE(model.columnCount(), int(PlanTableModel::ColumnCount));
        QCOMPARE(model.headerData(PlanTableModel::DeltaLoss, Qt::Horizontal).toString(), QString("Δ loss"));
        QCOMPARE(cell(model, 0, PlanTableModel::Kind), QString("hard attention"));
        QCOMPARE(cell(model, 2, PlanTableModel::Kind), QString("FFN group"));
        QCOMPARE(cell(model, 2, PlanTableModel::Layer), QString("1"));
        QCOMPARE(cell(model, 2, PlanTableModel::Index), QString("2"));
        QCOMPARE(cell(model, 1, PlanTableModel::Index), QString("—"));
        QCOMPARE(cell(model, 1, PlanTableModel::DeltaLoss), QString("+0.0400"));
        QCOMPARE(cell(model, 5, PlanTableModel::DeltaLoss), QString("−0.0200"));
        QCOMPARE(cell(model, 5, PlanTableModel::Metric), QString("0.9210"));
        QCOMPARE(cell(model, 4, PlanTableModel::DeltaLoss), QString("—"));
        QCOMPARE(cell(model, 3, PlanTableModel::Source), QString("user"));
        QCOMPARE(cell(model, 0, PlanTableModel::State), QString("applied"));
        QCOMPARE(cell(model, 1, PlanTableModel::State), QString("rejected"));
        QCOMPARE(cell(model, 3, PlanTableModel::State), QString("rejected (forced)"));
        QCOMPARE(cell(model, 4, PlanTableModel::State), QString("not tried"));
        QCOMPARE(cell(model, 0, PlanTableModel::Override), QString("search decides"));
        QCOMPARE(cell(model, 3, PlanTableModel::Override), QString("reject (force off)"));
        QCOMPARE(cell(model, 5, PlanTableModel::Override), QString("accept (force on)"));
    }

    void marksAppliedAndForcedRows()
    {
        PlanTableModel model;
        model.setRows(planRows(), kBaselineLoss);
        QVERIFY(model.data(model.index(0, PlanTableModel::Kind), Qt::BackgroundRole).isValid());
        QVERIFY(!model.data(model.index(1, PlanTableModel::Kind), Qt::BackgroundRole).isValid());
        QVERIFY(model.data(model.index(3, PlanTableModel::Layer), Qt::FontRole).value<QFont>().bold());
        QVERIFY(!model.data(model.index(0, PlanTableModel::Layer), Qt::FontRole).isValid());
        QVERIFY(model.data(model.index(3, PlanTableModel::State), Qt::ToolTipRole).toString().contains("Forced"));
    }

    void setDataChangesTheOverride()
    {
        PlanTableModel model;
        model.setRows(planRows(), kBaselineLoss);
        QSignalSpy changed(&model, &PlanTableModel::overrideChanged);
        const QModelIndex override = model.index(1, PlanTableModel::Override);
        QVERIFY(model.setData(override, int(OverrideState::ForceOn)));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.at(0).at(0).toInt(), 1);
        QCOMPARE(changed.at(0).at(1).value<OverrideState>(), OverrideState::ForceOn);
        QCOMPARE(model.overrideAt(1), OverrideState::ForceOn);
        QCOMPARE(model.data(override, Qt::EditRole).toInt(), int(OverrideState::ForceOn));
        QCOMPARE(model.data(override).toString(), QString("accept (force on)"));

        QVERIFY(model.setData(override, int(OverrideState::ForceOn)));  // unchanged: no signal
        QCOMPARE(changed.count(), 1);
        QVERIFY(!model.setData(model.index(1, PlanTableModel::Kind), int(OverrideState::ForceOff)));
        QVERIFY(!model.setData(override, 7));
        QVERIFY(!model.setData(override, "force"));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(model.overrideAt(1), OverrideState::ForceOn);
    }

    void sortsNumbersAsNumbers()
    {
        widgets::PlanEditorView view;
        view.setRows(planRows(), kBaselineLoss);
        const QAbstractItemModel& sorted = *view.sortedModel();
        QCOMPARE(cell(sorted, 0, PlanTableModel::Kind), QString("hard attention"));  // the plan's order at first
        view.table()->sortByColumn(PlanTableModel::DeltaLoss, Qt::AscendingOrder);
        QStringList order;
        for (int row = 0; row < sorted.rowCount(); ++row) order << cell(sorted, row, PlanTableModel::DeltaLoss);
        QCOMPARE(order, (QStringList{"−0.0200", "−0.0050", "−0.0010", "+0.0100", "+0.0400", "—"}));
        view.table()->sortByColumn(PlanTableModel::Index, Qt::DescendingOrder);
        QCOMPARE(cell(sorted, 0, PlanTableModel::Index), QString("3"));
        QCOMPARE(cell(sorted, 1, PlanTableModel::Index), QString("2"));
    }

    void keysOverrideTheSelectedRows()
    {
        widgets::PlanEditorView view;
        view.setRows(planRows(), kBaselineLoss);
        view.resize(900, 400);
        view.show();
        QVERIFY(QTest::qWaitForWindowActive(&view));
        QTableView* table = view.table();
        table->sortByColumn(PlanTableModel::DeltaLoss, Qt::AscendingOrder);
        table->setFocus();
        QSignalSpy changed(&view, &widgets::PlanEditorView::overrideChanged);

        // The first sorted row is the plan's row 5 (Δloss −0.02), already forced on: R rejects it.
        table->selectRow(0);
        QTest::keyClick(table, Qt::Key_R);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.at(0).at(0).toInt(), 5);
        QCOMPARE(changed.at(0).at(1).value<OverrideState>(), OverrideState::ForceOff);

        // Two rows at once, then S hands them back to the search.
        table->selectRow(1);
        table->selectionModel()->select(view.sortedModel()->index(2, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
        QTest::keyClick(table, Qt::Key_A);
        QCOMPARE(changed.count(), 3);
        QCOMPARE(view.model()->overrideAt(2), OverrideState::ForceOn);
        QCOMPARE(view.model()->overrideAt(0), OverrideState::ForceOn);
        QTest::keyClick(table, Qt::Key_S);
        QCOMPARE(changed.count(), 5);
        QCOMPARE(view.model()->overrideAt(0), OverrideState::SearchDecides);
        saveScreenshot(view, "plan_editor");
    }

    void buttonsAndContextMenuOfferTheSameChoices()
    {
        widgets::PlanEditorView view;
        view.setRows(planRows(), kBaselineLoss);
        QStringList menu;
        for (const QAction* action : view.table()->actions()) menu << action->text().remove('&');
        QCOMPARE(menu, (QStringList{"Accept (force on)", "Reject (force off)", "Search decides"}));
        QCOMPARE(view.table()->contextMenuPolicy(), Qt::ActionsContextMenu);
        QSignalSpy changed(&view, &widgets::PlanEditorView::overrideChanged);
        view.table()->selectRow(4);
        view.findChildren<QToolButton*>().at(0)->click();
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.at(0).at(0).toInt(), 4);
        QCOMPARE(view.model()->overrideAt(4), OverrideState::ForceOn);
    }
};

AX_GUI_TEST_MAIN(TestPlanEditor)
#include "test_plan_editor.moc"
