// The attention view, headless: top-k hardening exactly as the method does it (ties, k >= n, no
// renormalisation), and the three maps, titles and token labels built from plain data.

// qcustomplot.h needs Qt's `signals` and `foreach` keywords, which ax_add_test switches off for
// LibTorch's sake; this test includes no LibTorch header.
#undef QT_NO_KEYWORDS

#include "attention_map_view.h"
#include "hard_attention.h"

#include "test_support.h"

#include <QApplication>
#include <qcustomplot.h>

#include <cmath>

using namespace ax;
using widgets::AttentionMapView;

namespace {

// A softmax over made-up scores: every row sums to 1, like real attention.
widgets::AttentionPair examplePair(const QStringList& tokens, int topK)
{
    widgets::AttentionPair pair;
    pair.tokens = tokens;
    pair.topK = topK;
    pair.layer = 3;
    pair.head = 7;
    const int n = tokens.size();
    for (int query = 0; query < n; ++query) {
        QVector<double> scores;
        double total = 0;
        for (int key = 0; key < n; ++key) {
            scores << std::exp(2.5 * std::sin(0.9 * query * key + key) + (key == query + 1 ? 2 : 0));
            total += scores.last();
        }
        for (double score : scores) pair.soft << float(score / total);
    }
    return pair;
}

void saveScreenshot(QWidget& view, const QString& name)
{
    const QString folder = qEnvironmentVariable("AX_VIEW_SCREENSHOTS");
    if (folder.isEmpty()) return;
    QDir().mkpath(folder);
    QVERIFY(view.grab().save(folder + "/" + name + ".png"));
}

}  // namespace

class TestAttentionMapView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void hardensTopK_data()
    {
        QTest::addColumn<QVector<float>>("values");
        QTest::addColumn<int>("n");
        QTest::addColumn<int>("k");
        QTest::addColumn<QVector<float>>("expected");
        QTest::newRow("keeps the k largest, no renormalisation")
            << QVector<float>{0.1f, 0.5f, 0.3f, 0.1f, 0.4f, 0.2f, 0.3f, 0.1f, 0.25f} << 3 << 2
            << QVector<float>{0, 0.5f, 0.3f, 0, 0.4f, 0.2f, 0.3f, 0, 0.25f};
        QTest::newRow("ties keep exactly k, the earlier keys")
            << QVector<float>{0.25f, 0.25f, 0.25f, 0.25f, 0.1f, 0.3f, 0.3f, 0.3f, 0.5f, 0.2f, 0.2f, 0.1f,
                              0.4f, 0.1f, 0.4f, 0.1f}
            << 4 << 2
            << QVector<float>{0.25f, 0.25f, 0, 0, 0, 0.3f, 0.3f, 0, 0.5f, 0.2f, 0, 0, 0.4f, 0, 0.4f, 0};
        QTest::newRow("k = n leaves it unchanged") << QVector<float>{0.6f, 0.4f, 0.5f, 0.5f} << 2 << 2
                                                   << QVector<float>{0.6f, 0.4f, 0.5f, 0.5f};
        QTest::newRow("k > n leaves it unchanged") << QVector<float>{0.6f, 0.4f, 0.5f, 0.5f} << 2 << 30
                                                   << QVector<float>{0.6f, 0.4f, 0.5f, 0.5f};
        QTest::newRow("k = 0 is soft attention") << QVector<float>{0.6f, 0.4f, 0.5f, 0.5f} << 2 << 0
                                                 << QVector<float>{0.6f, 0.4f, 0.5f, 0.5f};
        QTest::newRow("k = 1 keeps the maximum") << QVector<float>{0.2f, 0.7f, 0.1f, 0.3f, 0.3f, 0.4f, 0.9f, 0.05f, 0.05f}
                                                 << 3 << 1 << QVector<float>{0, 0.7f, 0, 0, 0, 0.4f, 0.9f, 0, 0};
        QTest::newRow("no tokens") << QVector<float>{} << 0 << 2 << QVector<float>{};
    }

    void hardensTopK()
    {
        QFETCH(QVector<float>, values);
        QFETCH(int, n);
        QFETCH(int, k);
        QFETCH(QVector<float>, expected);
        QCOMPARE(widgets::hardenTopK(values, n, k), expected);
    }

    void showsSoftmaxTopKAndTheirDifference()
    {
        const QStringList tokens = {"[CLS]", "the", "film", "was", "great", "[SEP]"};
        const widgets::AttentionPair pair = examplePair(tokens, 2);
        AttentionMapView view;
        view.setPair(pair);
        const QVector<float> hard = widgets::hardenTopK(pair.soft, 6, 2);
        for (int query = 0; query < 6; ++query) {
            int kept = 0;
            for (int key = 0; key < 6; ++key) {
                const int cell = query * 6 + key;
                QCOMPARE(view.softMap()->data()->cell(key, query), double(pair.soft[cell]));
                QCOMPARE(view.hardMap()->data()->cell(key, query), double(hard[cell]));
                QCOMPARE(view.differenceMap()->data()->cell(key, query), double(hard[cell]) - double(pair.soft[cell]));
                kept += hard[cell] > 0;
            }
            QCOMPARE(kept, 2);
        }
        QCOMPARE(view.titles(), (QStringList{"Layer 3, head 7: softmax", "top-k (k=2)", "difference"}));
        // k at least the sentence length keeps everything, and the title says so.
        view.setPair(examplePair({"a", "b", "c"}, 30));
        QCOMPARE(view.titles().at(1), QString("top-k (k=30 ≥ 3 tokens: all kept)"));
    }

    void scalesAreSharedAndCentred()
    {
        const widgets::AttentionPair pair = examplePair({"a", "b", "c", "d"}, 1);
        AttentionMapView view;
        view.setPair(pair);
        QCOMPARE(view.softMap()->colorScale(), view.hardMap()->colorScale());
        QCOMPARE(view.softMap()->colorScale()->dataRange(), QCPRange(0, 1));
        const QCPRange difference = view.differenceMap()->colorScale()->dataRange();
        QCOMPARE(difference.lower, -difference.upper);
        float largestDrop = 0;
        const QVector<float> hard = widgets::hardenTopK(pair.soft, 4, 1);
        for (int i = 0; i < hard.size(); ++i) largestDrop = std::max(largestDrop, pair.soft[i] - hard[i]);
        QCOMPARE(difference.upper, double(largestDrop));
    }

    void labelsTokensOnBothAxes()
    {
        const QStringList tokens = {"[CLS]", "hello", "world", "[SEP]"};
        AttentionMapView view;
        view.setPair(examplePair(tokens, 2));
        for (QCPAxis* axis : {view.softMap()->keyAxis(), view.softMap()->valueAxis(), view.differenceMap()->keyAxis()}) {
            auto ticker = axis->ticker().dynamicCast<QCPAxisTickerText>();
            QVERIFY(ticker);
            QCOMPARE(ticker->ticks().values(), tokens);
        }
        QCOMPARE(view.softMap()->keyAxis()->tickLabelRotation(), -90.0);
        QVERIFY(view.softMap()->valueAxis()->rangeReversed());  // the first query at the top
    }

    void refusesAMapOfTheWrongSize()
    {
        widgets::AttentionPair pair = examplePair({"a", "b", "c"}, 2);
        pair.soft.removeLast();
        AttentionMapView view;
        view.setPair(pair);
        QCOMPARE(view.titles().first(), QString("Layer 3, head 7: 8 values for 3 tokens"));
        QVERIFY(view.softMap()->data()->isEmpty());
    }

    void screenshot()
    {
        AttentionMapView view;
        view.setPair(examplePair({"[CLS]", "the", "movie", "was", "surprisingly", "good", ",", "i", "loved", "it", ".",
                                  "[SEP]"},
                                 3));
        view.resize(1300, 480);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        saveScreenshot(view, "attention_map");
    }
};

AX_GUI_TEST_MAIN(TestAttentionMapView)
#include "test_attention_map_view.moc"
