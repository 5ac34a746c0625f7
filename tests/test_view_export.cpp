// Exports from the views: plots as PNG, PDF and SVG written all-or-nothing, and the Pareto points
// and plan rows as CSV text.

// qcustomplot.h needs Qt's `signals` and `foreach` keywords, which ax_add_test switches off for
// LibTorch's sake; this test includes no LibTorch header.
#undef QT_NO_KEYWORDS

#include "csv_export.h"
#include "pareto_view.h"
#include "plot_export.h"

#include "test_support.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <qcustomplot.h>

using namespace ax;

namespace {

QByteArray readAll(const QString& fileName)
{
    QFile file(fileName);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QVector<widgets::ConfigurationPoint> points()
{
    return {{0, "baseline", 0.9, 110'000'000, 10.5, true},
            {1, "ffn block 11, head 3:2", 0.91, 100'000'000, qQNaN(), false},
            {2, "say \"hi\"", 0.8, 120'000'000, 9.0, false}};
}

}  // namespace

class TestViewExport : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void exportsPlots_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("start");
        QTest::newRow("png") << "pareto.png" << QByteArray("\x89PNG");
        QTest::newRow("pdf") << "pareto.pdf" << QByteArray("%PDF");
        QTest::newRow("svg, upper-case suffix") << "pareto.SVG" << QByteArray("<?xml");
    }

    void exportsPlots()
    {
        QFETCH(QString, name);
        QFETCH(QByteArray, start);
        const QString folder = QString::fromStdString(test::scratchFolder("plot-export-" + name).string());
        widgets::ParetoView view;
        view.setPoints(points());
        QString error;
        const QString target = folder + "/" + name;
        QVERIFY2(widgets::exportPlot(*view.plot(), target, &error), qPrintable(error));
        const QByteArray written = readAll(target);
        QVERIFY(written.size() > 1000);
        QVERIFY(written.startsWith(start));
        if (name.endsWith("SVG")) QVERIFY(written.contains("Val metric"));  // text stays text
        QCOMPARE(QDir(folder).entryList(QDir::Files), QStringList{name});  // no temporary file left
    }

    void pngHasTwiceThePlotsPixels()
    {
        const QString folder = QString::fromStdString(test::scratchFolder("plot-export-size").string());
        widgets::ParetoView view;
        view.setPoints(points());
        QString error;
        QVERIFY2(widgets::exportPlot(*view.plot(), folder + "/a.png", &error, QSize(640, 400)), qPrintable(error));
        QCOMPARE(QImage(folder + "/a.png").size(), QSize(1280, 800));
    }

    void exportErrorsNameTheFile()
    {
        const QString folder = QString::fromStdString(test::scratchFolder("plot-export-errors").string());
        widgets::ParetoView view;
        QString error;
        QVERIFY(!widgets::exportPlot(*view.plot(), folder + "/plot.bmp", &error));
        QVERIFY2(error.contains(folder + "/plot.bmp") && error.contains("use .png, .pdf or .svg"), qPrintable(error));
        QVERIFY(!widgets::exportPlot(*view.plot(), folder + "/missing/plot.png", &error));
        QVERIFY2(error.contains(folder + "/missing/plot.png"), qPrintable(error));
        QVERIFY(!widgets::saveTextFile(folder + "/missing/points.csv", "x", &error));
        QVERIFY2(error.contains(folder + "/missing/points.csv"), qPrintable(error));
        QVERIFY(QDir(folder).entryList(QDir::Files).isEmpty());
    }

    void replacesAnExistingFileWhole()
    {
        const QString folder = QString::fromStdString(test::scratchFolder("text-export").string());
        const QString target = folder + "/points.csv";
        QString error;
        QVERIFY2(widgets::saveTextFile(target, QString(5000, 'x'), &error), qPrintable(error));
        QVERIFY2(widgets::saveTextFile(target, "id,é\r\n", &error), qPrintable(error));
        QCOMPARE(readAll(target), QByteArray("id,\xc3\xa9\r\n"));
    }

    void paretoPointsAsCsv()
    {
        QCOMPARE(widgets::paretoCsv(points()),
                 QString("id,label,metric,parameters,latency_ms,baseline,front_parameters,front_latency\r\n"
                         "0,baseline,0.9,110000000,10.5,true,false,true\r\n"
                         "1,\"ffn block 11, head 3:2\",0.91,100000000,,false,true,false\r\n"
                         "2,\"say \"\"hi\"\"\",0.8,120000000,9,false,false,true\r\n"));
    }

    void planRowsAsCsv()
    {
        const QVector<widgets::PlanRow> rows{{"ffn_block", 11, -1, 0.3125, 0.9, true, false, "search", true},
                                             {"head", 3, 2, 0, 0, false, false, "search", false},
                                             {"head", 0, 1, 0.25, 0.93, false, true, "user", true}};
        QCOMPARE(widgets::planCsv(rows, 0.3),
                 QString("kind,layer,index,loss,delta_loss,metric,applied,forced,source,tried\r\n"
                         "ffn_block,11,,0.3125,0.012500000000000011,0.9,true,false,search,true\r\n"
                         "head,3,2,,,,false,false,search,false\r\n"
                         "head,0,1,0.25,-0.04999999999999999,0.93,false,true,user,true\r\n"));
    }
};

AX_GUI_TEST_MAIN(TestViewExport)
#include "test_view_export.moc"
