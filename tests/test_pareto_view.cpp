// The Pareto view, headless: the front of (metric up, cost down) with ties and duplicates, the
// switch between parameters and latency, and selecting a point with a click.

// qcustomplot.h needs Qt's `signals` and `foreach` keywords, which ax_add_test switches off for
// LibTorch's sake; this test includes no LibTorch header.
#undef QT_NO_KEYWORDS

#include "pareto_front.h"
#include "pareto_view.h"

#include "test_support.h"

#include <QApplication>
#include <QComboBox>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QToolTip>
#include <qcustomplot.h>

#include <cmath>

using namespace ax;
using widgets::ConfigurationPoint;
using widgets::ParetoView;

namespace {

ConfigurationPoint point(int id, double metric, qint64 parameters, double latencyMs = qQNaN(), bool baseline = false)
{
    return {id, QString("configuration %1").arg(id), metric, parameters, latencyMs, baseline};
}

// A baseline and five candidates; 4 is dominated on parameters, 2 has no latency.
QVector<ConfigurationPoint> searchPoints()
{
    return {point(0, 0.90, 110'000'000, 10.0, true), point(1, 0.91, 100'000'000, 9.0), point(2, 0.89, 80'000'000),
            point(3, 0.85, 60'000'000, 6.0), point(4, 0.84, 90'000'000, 5.0), point(5, 0.92, 105'000'000, 9.5)};
}

void saveScreenshot(QWidget& view, const QString& name)
{
    const QString folder = qEnvironmentVariable("AX_VIEW_SCREENSHOTS");
    if (folder.isEmpty()) return;
    QDir().mkpath(folder);
    QVERIFY(view.grab().save(folder + "/" + name + ".png"));
}

}  // namespace

class TestParetoView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void findsTheFront_data()
    {
        QTest::addColumn<QVector<ConfigurationPoint>>("points");
        QTest::addColumn<bool>("useLatency");
        QTest::addColumn<QVector<int>>("front");
        QTest::newRow("parameters") << searchPoints() << false << QVector<int>{3, 2, 1, 5};
        QTest::newRow("latency skips the unmeasured") << searchPoints() << true << QVector<int>{4, 3, 1, 5};
        QTest::newRow("single point") << QVector<ConfigurationPoint>{point(7, 0.5, 10)} << false << QVector<int>{7};
        QTest::newRow("no points") << QVector<ConfigurationPoint>{} << false << QVector<int>{};
        QTest::newRow("duplicates are both on it")
            << QVector<ConfigurationPoint>{point(1, 0.8, 50), point(2, 0.8, 50), point(3, 0.7, 60)} << false
            << QVector<int>{1, 2};
        QTest::newRow("same cost: only the better metric")
            << QVector<ConfigurationPoint>{point(1, 0.8, 50), point(2, 0.9, 50)} << false << QVector<int>{2};
        QTest::newRow("same metric: only the lower cost")
            << QVector<ConfigurationPoint>{point(1, 0.9, 60), point(2, 0.9, 50)} << false << QVector<int>{2};
        QTest::newRow("no latency anywhere") << QVector<ConfigurationPoint>{point(1, 0.9, 60)} << true << QVector<int>{};
    }

    void findsTheFront()
    {
        QFETCH(QVector<ConfigurationPoint>, points);
        QFETCH(bool, useLatency);
        QFETCH(QVector<int>, front);
        QCOMPARE(widgets::paretoFront(points, useLatency), front);
    }

    void drawsTheFrontAsSteps()
    {
        ParetoView view;
        view.setPoints(searchPoints());
        const QCPGraph* front = view.frontGraph();
        QCOMPARE(front->lineStyle(), QCPGraph::lsStepLeft);
        QCOMPARE(front->dataCount(), 4);
        QCOMPARE(front->data()->at(0)->key, 60.0);  // millions of parameters
        QCOMPARE(front->data()->at(0)->value, 0.85);
        QCOMPARE(front->data()->at(3)->key, 105.0);
        QCOMPARE(view.plot()->xAxis->label(), QString("Parameters (millions)"));
        QCOMPARE(view.plotPosition(0), QPointF(110, 0.90));
        QVERIFY(!view.noteText().contains("not shown"));
    }

    void switchesToLatency()
    {
        ParetoView view;
        view.setPoints(searchPoints());
        view.setXAxis(ParetoView::XAxis::Latency);
        QCOMPARE(view.xAxis(), ParetoView::XAxis::Latency);
        QCOMPARE(view.plot()->xAxis->label(), QString("Latency (ms)"));
        QCOMPARE(view.frontGraph()->dataCount(), 4);
        QCOMPARE(view.frontGraph()->data()->at(0)->key, 5.0);
        QVERIFY(std::isnan(view.plotPosition(2).x()));
        QVERIFY2(view.noteText().contains("1 configuration(s) without a measured latency not shown"), qPrintable(view.noteText()));
        QCOMPARE(view.findChild<QComboBox*>()->currentIndex(), 1);
    }

    void latencyNeedsAMeasuredPoint()
    {
        ParetoView view;
        view.setPoints({point(1, 0.9, 60), point(2, 0.8, 40)});
        view.setXAxis(ParetoView::XAxis::Latency);
        QCOMPARE(view.xAxis(), ParetoView::XAxis::Parameters);
        const auto* items = qobject_cast<QStandardItemModel*>(view.findChild<QComboBox*>()->model());
        QVERIFY(!items->item(1)->isEnabled());
    }

    void hoverShowsAndClickSelectsAPoint()
    {
        ParetoView view;
        view.resize(700, 480);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setPoints(searchPoints());
        QSignalSpy selected(&view, &ParetoView::pointSelected);
        QCustomPlot* plot = view.plot();
        plot->replot();
        const QPointF at = view.plotPosition(3);
        const QPoint pixel(qRound(plot->xAxis->coordToPixel(at.x())), qRound(plot->yAxis->coordToPixel(at.y())));
        QTest::mouseMove(plot, pixel + QPoint(3, -2));  // near enough
        QTRY_COMPARE(QToolTip::text(), view.tooltipFor(3));
        QTest::mouseClick(plot, Qt::LeftButton, {}, pixel);
        QCOMPARE(selected.count(), 1);
        QCOMPARE(selected.takeFirst().at(0).toInt(), 3);
        QCOMPARE(view.selectedId(), 3);
        const QCPGraph* ring = plot->graph(3);
        QCOMPARE(ring->dataCount(), 1);
        QCOMPARE(ring->data()->at(0)->key, at.x());
        auto* label = qobject_cast<QCPItemText*>(plot->item(plot->itemCount() - 1));
        QVERIFY(label && label->visible());
        QCOMPARE(label->text(), QString("configuration 3"));

        // Far from every point: nothing selected anew.
        QTest::mouseClick(plot, Qt::LeftButton, {}, plot->axisRect()->rect().topLeft() + QPoint(2, 2));
        QCOMPARE(selected.count(), 0);
        QCOMPARE(view.selectedId(), 3);
        saveScreenshot(view, "pareto_selected");
    }

    void selectionHidesWhenItsPointIsNotShown()
    {
        ParetoView view;
        view.setPoints(searchPoints());
        view.setSelectedId(2);
        QCOMPARE(view.plot()->graph(3)->dataCount(), 1);
        view.setXAxis(ParetoView::XAxis::Latency);  // 2 has no latency
        QCOMPARE(view.plot()->graph(3)->dataCount(), 0);
        QCOMPARE(view.selectedId(), 2);
    }

    void tooltipsNameTheConfiguration()
    {
        ParetoView view;
        view.setMetricName("Val accuracy");
        view.setPoints(searchPoints());
        QCOMPARE(view.tooltipFor(1), QString("configuration 1\nVal accuracy 0.9100, 100.0 M parameters, 9.00 ms"));
        QCOMPARE(view.tooltipFor(0), QString("Baseline (unapproximated)\nVal accuracy 0.9000, 110.0 M parameters, 10.00 ms"));
        QCOMPARE(view.tooltipFor(2), QString("configuration 2\nVal accuracy 0.8900, 80.0 M parameters"));
        QCOMPARE(view.tooltipFor(42), QString());
    }

    void screenshotOfASearch()
    {
        QVector<ConfigurationPoint> points{point(0, 0.912, 109'482'240, 12.1, true)};
        for (int id = 1; id < 40; ++id)
            points << point(id, 0.912 + 0.006 * std::sin(id * 1.3) - 0.0004 * id, 109'482'240 - id * 2'100'000,
                            12.1 - id * 0.2 + 0.3 * std::cos(id));
        ParetoView view;
        view.setMetricName("Val accuracy");
        view.setPoints(points);
        view.setSelectedId(31);
        view.resize(760, 500);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        saveScreenshot(view, "pareto_parameters");
        view.setXAxis(ParetoView::XAxis::Latency);
        saveScreenshot(view, "pareto_latency");
    }
};

AX_GUI_TEST_MAIN(TestParetoView)
#include "test_pareto_view.moc"
