// The importance heatmap, headless, from plain data: cells equal the input, the colours say what
// removal does, NaN cells read as not measured, the mode switch, tooltips and applied marks.

// qcustomplot.h needs Qt's `signals` and `foreach` keywords, which ax_add_test switches off for
// LibTorch's sake; this test includes no LibTorch header.
#undef QT_NO_KEYWORDS

#include "importance_heatmap_view.h"
#include "plot_style.h"

#include "test_support.h"

#include <QApplication>
#include <QComboBox>
#include <QStandardItemModel>
#include <QToolTip>
#include <qcustomplot.h>

#include <cmath>

using namespace ax;
using widgets::ImportanceHeatmapView;

namespace {

// 3 layers x 4 heads: layer 2 head 3 hurts when removed, layer 0 head 1 was never measured.
widgets::ImportanceGrid smallGrid()
{
    widgets::ImportanceGrid grid;
    grid.layers = 3;
    grid.columns = 4;
    for (int cell = 0; cell < 12; ++cell) {
        grid.deltaLoss << 0.001 * (cell - 5);
        grid.deltaMetric << -0.001 * (cell - 5);
        grid.gradient << 0.1 * cell;
    }
    grid.deltaLoss[2 * 4 + 3] = 0.012;
    grid.deltaMetric[2 * 4 + 3] = -0.004;
    grid.deltaLoss[1] = qQNaN();
    grid.deltaMetric[1] = qQNaN();
    grid.gradient[1] = qQNaN();
    return grid;
}

// The colour drawn at the centre of cell (column, layer).
QColor colourAt(ImportanceHeatmapView& view, int column, int layer)
{
    QCustomPlot* plot = view.plot();
    plot->replot();
    const QImage image = plot->toPixmap(plot->width(), plot->height(), 1.0).toImage();
    return image.pixelColor(qRound(plot->xAxis->coordToPixel(column)), qRound(plot->yAxis->coordToPixel(layer)));
}

void saveScreenshot(QWidget& view, const QString& name)
{
    const QString folder = qEnvironmentVariable("AX_VIEW_SCREENSHOTS");
    if (folder.isEmpty()) return;
    QDir().mkpath(folder);
    QVERIFY(view.grab().save(folder + "/" + name + ".png"));
}

}  // namespace

class TestImportanceHeatmapView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void cellsEqualTheInput()
    {
        ImportanceHeatmapView view;
        const widgets::ImportanceGrid grid = smallGrid();
        view.setGrid(grid);
        QCPColorMapData* data = view.colorMap()->data();
        QCOMPARE(data->keySize(), 4);
        QCOMPARE(data->valueSize(), 3);
        for (int layer = 0; layer < 3; ++layer)
            for (int head = 0; head < 4; ++head)
                if (layer * 4 + head != 1) QCOMPARE(data->cell(head, layer), grid.deltaLoss[layer * 4 + head]);
        QVERIFY(std::isnan(data->cell(1, 0)));
        QCOMPARE(view.plot()->xAxis->label(), QString("Head"));
        QCOMPARE(view.plot()->yAxis->label(), QString("Layer"));
    }

    void colourScaleIsCentredAtZero()
    {
        ImportanceHeatmapView view;
        view.setGrid(smallGrid());
        const QCPRange range = view.colorScale()->dataRange();
        QCOMPARE(range.lower, -0.012);
        QCOMPARE(range.upper, 0.012);
        QCOMPARE(view.colorScale()->axis()->label(), QString("Δ val loss when removed"));
    }

    void coloursShowWhatRemovalDoes()
    {
        ImportanceHeatmapView view;
        view.resize(700, 450);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setGrid(smallGrid());
        const QColor hurts = colourAt(view, 3, 2), helps = colourAt(view, 0, 0), notMeasured = colourAt(view, 1, 0);
        QVERIFY2(hurts.red() > 2 * hurts.green(), qPrintable(hurts.name()));
        QVERIFY2(helps.green() > helps.red() + 40, qPrintable(helps.name()));
        QCOMPARE(notMeasured, widgets::kNotMeasuredColor);
        saveScreenshot(view, "importance_heatmap");
    }

    void gradientModeShowsTheGradient()
    {
        ImportanceHeatmapView view;
        const widgets::ImportanceGrid grid = smallGrid();
        view.setGrid(grid);
        view.setMode(ImportanceHeatmapView::Mode::Gradient);
        QCOMPARE(view.mode(), ImportanceHeatmapView::Mode::Gradient);
        QCOMPARE(view.colorMap()->data()->cell(2, 1), grid.gradient[1 * 4 + 2]);
        QCOMPARE(view.colorScale()->axis()->label(), QString("Gradient importance"));
        QCOMPARE(view.colorScale()->dataRange().upper, grid.gradient[11]);
        QCOMPARE(view.findChild<QComboBox*>()->currentIndex(), 1);

        view.setMode(ImportanceHeatmapView::Mode::DeltaLoss);
        QCOMPARE(view.colorMap()->data()->cell(2, 1), grid.deltaLoss[1 * 4 + 2]);
    }

    void gradientModeNeedsAGradient()
    {
        ImportanceHeatmapView view;
        widgets::ImportanceGrid grid = smallGrid();
        view.setGrid(grid);
        view.setMode(ImportanceHeatmapView::Mode::Gradient);
        grid.gradient.clear();
        view.setGrid(grid);
        QCOMPARE(view.mode(), ImportanceHeatmapView::Mode::DeltaLoss);
        const auto* items = qobject_cast<QStandardItemModel*>(view.findChild<QComboBox*>()->model());
        QVERIFY(!items->item(1)->isEnabled());
        view.setMode(ImportanceHeatmapView::Mode::Gradient);
        QCOMPARE(view.mode(), ImportanceHeatmapView::Mode::DeltaLoss);
        QCOMPARE(view.colorMap()->data()->cell(0, 0), grid.deltaLoss[0]);
    }

    void tooltipsGiveTheNumbers()
    {
        ImportanceHeatmapView view;
        view.setGrid(smallGrid());
        QCOMPARE(view.tooltipFor(2, 3), QString("Layer 2, Head 3: Δloss +0.012, Δmetric −0.4%, gradient importance 1.1"));
        QCOMPARE(view.tooltipFor(0, 1), QString("Layer 0, Head 1: not measured"));
        QCOMPARE(view.tooltipFor(3, 0), QString());
        QCOMPARE(view.tooltipFor(0, -1), QString());

        widgets::ImportanceGrid groups = smallGrid();
        groups.columnName = "FFN group";
        groups.gradient.clear();
        groups.metricToPercent = 1;  // SQuAD's F1 is already in percent
        groups.deltaMetric[0] = 1.25;
        view.setGrid(groups);
        view.setApplied(QVector<bool>(12, true));
        QCOMPARE(view.tooltipFor(0, 0), QString("Layer 0, FFN group 0: Δloss −0.005, Δmetric +1.3% (applied in the plan)"));
        QCOMPARE(view.plot()->xAxis->label(), QString("FFN group"));
    }

    void hoveringACellShowsItsTooltip()
    {
        ImportanceHeatmapView view;
        view.resize(700, 450);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setGrid(smallGrid());
        QCustomPlot* plot = view.plot();
        const QPoint cell(qRound(plot->xAxis->coordToPixel(3)), qRound(plot->yAxis->coordToPixel(2)));
        QTest::mouseMove(plot, cell);
        QTRY_COMPARE(QToolTip::text(), view.tooltipFor(2, 3));
    }

    void marksAppliedElements()
    {
        ImportanceHeatmapView view;
        view.setGrid(smallGrid());
        QVector<bool> applied(12, false);
        applied[1 * 4 + 2] = true;
        applied[2 * 4 + 0] = true;
        view.setApplied(applied);
        const QCPGraph* marks = view.appliedMarks();
        QCOMPARE(marks->dataCount(), 2);
        QCOMPARE(marks->data()->at(0)->key, 0.0);
        QCOMPARE(marks->data()->at(0)->value, 2.0);
        QCOMPARE(marks->data()->at(1)->key, 2.0);
        QCOMPARE(marks->data()->at(1)->value, 1.0);
        view.setApplied({});
        QCOMPARE(marks->dataCount(), 0);
    }

    void oneLayerStillCoversItsRow()
    {
        // QCustomPlot draws a one-cell-high map with no height; the view stores it doubled.
        ImportanceHeatmapView view;
        widgets::ImportanceGrid grid;
        grid.layers = 1;
        grid.columns = 2;
        grid.deltaLoss = {0.5, -0.5};
        grid.deltaMetric = {0, 0};
        view.setGrid(grid);
        QCPColorMapData* data = view.colorMap()->data();
        QCOMPARE(data->cell(1, 0), -0.5);
        QCOMPARE(data->cell(1, 1), -0.5);
        QCOMPARE(data->valueRange().size(), 0.5);
        QCOMPARE(view.tooltipFor(0, 1), QString("Layer 0, Head 1: Δloss −0.500, Δmetric 0.0%"));
    }

    void screenshotOfABertBaseGrid()
    {
        ImportanceHeatmapView view;
        widgets::ImportanceGrid grid;
        grid.layers = 12;
        grid.columns = 12;
        for (int cell = 0; cell < 144; ++cell) {
            const int layer = cell / 12;
            grid.deltaLoss << 0.02 * std::sin(cell * 1.7) * (layer < 6 ? 1.5 : 0.5) + (layer > 9 ? -0.01 : 0.004);
            grid.deltaMetric << -grid.deltaLoss.last() * 0.3;
            grid.gradient << std::abs(std::cos(cell * 0.9)) * (12 - layer);
        }
        for (int cell : {5, 17, 40, 41}) grid.deltaLoss[cell] = qQNaN();
        view.setGrid(grid);
        QVector<bool> applied(144, false);
        for (int cell : {130, 131, 140, 143, 120}) applied[cell] = true;
        view.setApplied(applied);
        view.resize(760, 560);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        saveScreenshot(view, "importance_heatmap_bert_base");
        view.setMode(ImportanceHeatmapView::Mode::Gradient);
        saveScreenshot(view, "importance_heatmap_gradient");
    }
};

AX_GUI_TEST_MAIN(TestImportanceHeatmapView)
#include "test_importance_heatmap_view.moc"
