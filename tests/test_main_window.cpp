// The studio's first views, headless: the model summary from plain data, the main window
// loading a model on a worker thread (and showing, not crashing on, a broken one), and the menu
// of models in the Hugging Face cache.

#include "model_summary_view.h"
#include "studio/cached_models_menu.h"
#include "studio/main_window.h"

#include "test_support.h"

#include <QApplication>
#include <QLabel>
#include <QSignalSpy>
#include <QTableWidget>

using namespace ax;

class TestMainWindow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void summaryShowsPlainData()
    {
        widgets::ModelSummaryView view;
        QVERIFY(view.factsText().contains("No model open"));
        widgets::ModelSummary summary;
        summary.folder = "/models/demo";
        summary.hiddenSize = 256;
        summary.numHeads = 4;
        summary.headDim = 64;
        summary.intermediateSize = 1024;
        summary.parameters = 11267386;
        summary.bytesOnDisk = 45078208;
        summary.precision = "bfloat16";
        summary.taskHeads = {"pooler", "masked_lm"};
        summary.layers = {{4, 1024, true, true, 0}, {2, 512, true, false, 0}, {0, 0, false, false, 30}};
        view.setSummary(summary);
        QVERIFY(view.factsText().contains("11.3 M parameters (bfloat16), 45.1 MB on disk"));
        QVERIFY(view.factsText().contains("pooler, masked_lm"));
        const QTableWidget* table = view.layerTable();
        QCOMPARE(table->rowCount(), 3);
        QCOMPARE(table->item(1, 0)->text(), QString("2"));
        QCOMPARE(table->item(1, 3)->text(), QString("removed"));
        QCOMPARE(table->item(2, 4)->text(), QString("30"));
        view.clear();
        QCOMPARE(table->rowCount(), 0);
    }

    void formatsSizes_data()
    {
        QTest::addColumn<qint64>("value");
        QTest::addColumn<QString>("count");
        QTest::addColumn<QString>("bytes");
        QTest::newRow("small") << qint64(999) << "999" << "999 B";
        QTest::newRow("thousands") << qint64(4500) << "4.5 k" << "4.5 kB";
        QTest::newRow("millions") << qint64(110000000) << "110.0 M" << "110.0 MB";
        QTest::newRow("billions") << qint64(1340000000) << "1.34 G" << "1.34 GB";
    }

    void formatsSizes()
    {
        QFETCH(qint64, value);
        QFETCH(QString, count);
        QFETCH(QString, bytes);
        QCOMPARE(widgets::formatCount(value), count);
        QCOMPARE(widgets::formatBytes(value), bytes);
    }

    void loadsAModelOffTheGuiThread()
    {
        AX_REQUIRE_SHARED(folder, "reference/tiny");
        studio::MainWindow window;
        QSignalSpy finished(&window, &studio::MainWindow::modelLoadFinished);
        window.openModel(QString::fromStdString(folder.string()));
        QVERIFY(window.isBusy() || finished.count() == 1);
        QVERIFY(finished.wait(60000) || finished.count() == 1);
        QCOMPARE(finished.takeFirst().at(0).toBool(), true);
        const auto* view = window.findChild<widgets::ModelSummaryView*>();
        QVERIFY(view->factsText().contains("2 layers, hidden size 128"));
        QVERIFY(view->factsText().contains("sequence_classification"));
    }

    void showsLoadErrorsInTheWindow()
    {
        const auto folder = ax::test::scratchFolder("broken-model");
        studio::MainWindow window;
        QSignalSpy finished(&window, &studio::MainWindow::modelLoadFinished);
        window.openModel(QString::fromStdString(folder.string()));
        QVERIFY(finished.wait(60000) || finished.count() == 1);
        QCOMPARE(finished.takeFirst().at(0).toBool(), false);
        bool shown = false;
        for (const QLabel* label : window.findChildren<QLabel*>())
            shown = shown || (label->isVisibleTo(&window) && label->text().contains("has no config.json"));
        QVERIFY(shown);
    }

    void cachedModelsMenuListsTheHubCache()
    {
        const auto cache = ax::test::scratchFolder("hub");
        const auto addModel = [&](const std::string& repo, const std::string& weights) {
            const auto snapshot = cache / ("models--" + repo) / "snapshots" / "abcdef0123";
            ax::test::writeFile(snapshot / "config.json", R"({"model_type": "bert"})");
            ax::test::writeFile(snapshot / weights, "weights");
            ax::test::writeFile(cache / ("models--" + repo) / "refs" / "main", "abcdef0123");
            return QString::fromStdString(snapshot.string());
        };
        addModel("bert-base-uncased", "pytorch_model.bin");
        const QString mini = addModel("prajjwal1--bert-mini", "model.safetensors");
        qputenv("HF_HUB_CACHE", QByteArray::fromStdString(cache.string()));

        studio::CachedModelsMenu menu;
        QSignalSpy chosen(&menu, &studio::CachedModelsMenu::modelChosen);
        menu.refresh();
        const QList<QAction*> actions = menu.actions();
        QCOMPARE(actions.size(), 2);
        QCOMPARE(actions[0]->text(), QString("bert-base-uncased  (abcdef01)"));
        QVERIFY(!actions[0]->isEnabled());
        QVERIFY(actions[0]->toolTip().contains("only pytorch_model.bin"));
        QCOMPARE(actions[1]->text(), QString("prajjwal1/bert-mini  (abcdef01)"));
        QVERIFY(actions[1]->isEnabled());
        actions[1]->trigger();
        QCOMPARE(chosen.count(), 1);
        QCOMPARE(chosen.takeFirst().at(0).toString(), mini);

        qputenv("HF_HUB_CACHE", "/nonexistent/hub");
        menu.refresh();
        QCOMPARE(menu.actions().size(), 1);
        QCOMPARE(menu.actions()[0]->text(), QString("No models in /nonexistent/hub"));
        QVERIFY(!menu.actions()[0]->isEnabled());
        qunsetenv("HF_HUB_CACHE");
    }
};

AX_GUI_TEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
