#include "attention_map_view.h"

#include "hard_attention.h"
#include "plot_style.h"

#include <QVBoxLayout>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace ax::widgets {

namespace {

// Beyond this many tokens only every few get a label, so that labels never overlap.
constexpr int kMaxLabelledTokens = 48;

void setTokenTicks(QCPAxis* axis, const QStringList& tokens, bool showLabels)
{
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    const int stride = (tokens.size() + kMaxLabelledTokens - 1) / kMaxLabelledTokens;
    for (int position = 0; position < tokens.size(); position += std::max(stride, 1))
        ticker->addTick(position, tokens[position]);
    axis->setTicker(ticker);
    axis->setTickLabels(showLabels);
    axis->setRange(-0.5, std::max<int>(tokens.size(), 1) - 0.5);
}

}  // namespace

AttentionMapView::AttentionMapView(QWidget* parent) : QWidget(parent), m_plot(new QCustomPlot(this))
{
    m_plot->plotLayout()->clear();
    m_soft = addMap(0, m_softTitle);
    m_hard = addMap(1, m_hardTitle);
    m_difference = addMap(3, m_differenceTitle);

    auto* margins = new QCPMarginGroup(m_plot);
    auto addScale = [&](int column, const QCPColorGradient& gradient, const QString& label) {
        auto* scale = new QCPColorScale(m_plot);
        m_plot->plotLayout()->addElement(1, column, scale);
        scale->setGradient(gradient);
        scale->axis()->setLabel(label);
        scale->setBarWidth(12);
        scale->setMarginGroup(QCP::msTop | QCP::msBottom, margins);
        return scale;
    };
    // Softmax and top-k share one [0, 1] scale, so equal colours mean equal probabilities.
    QCPColorScale* probability = addScale(2, sequentialGradient(), tr("Attention probability"));
    probability->setDataRange(QCPRange(0, 1));
    m_soft->setColorScale(probability);
    m_hard->setColorScale(probability);
    m_difference->setColorScale(addScale(4, divergingGradient(), tr("Top-k − softmax")));
    for (QCPColorMap* map : {m_soft, m_hard, m_difference})
        map->keyAxis()->axisRect()->setMarginGroup(QCP::msTop | QCP::msBottom, margins);
    m_plot->plotLayout()->setRowStretchFactor(0, 0.01);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_plot);
    setPair({});
}

QCPColorMap* AttentionMapView::addMap(int column, QCPTextElement*& title)
{
    auto* rect = new QCPAxisRect(m_plot);
    m_plot->plotLayout()->addElement(1, column, rect);
    title = new QCPTextElement(m_plot, QString(), QFont(font().family(), font().pointSize(), QFont::Bold));
    m_plot->plotLayout()->addElement(0, column, title);
    QCPAxis* keys = rect->axis(QCPAxis::atBottom);
    QCPAxis* queries = rect->axis(QCPAxis::atLeft);
    keys->setTickLabelRotation(-90);
    keys->setLabel(tr("Key"));
    if (column == 0) queries->setLabel(tr("Query"));  // the maps to its right share its rows
    queries->setRangeReversed(true);  // the first token's row at the top, as the matrix reads
    for (QCPAxis* axis : {keys, queries}) axis->grid()->setVisible(false);
    auto* map = new QCPColorMap(keys, queries);
    map->setInterpolate(false);
    return map;
}

void AttentionMapView::setPair(const AttentionPair& pair)
{
    const int n = pair.tokens.size();
    const bool valid = pair.soft.size() == n * n;
    const QVector<float> hard = valid ? hardenTopK(pair.soft, n, pair.topK) : QVector<float>();
    const int shown = valid ? n : 0;
    const auto cell = [shown](const QVector<float>& values) {
        return [data = values.constData(), shown](int key, int query) { return double(data[query * shown + key]); };
    };
    fillCells(m_soft, shown, shown, cell(pair.soft));
    fillCells(m_hard, shown, shown, cell(hard));
    fillCells(m_difference, shown, shown, [&](int key, int query) {
        return double(hard[query * shown + key]) - double(pair.soft[query * shown + key]);
    });

    // Symmetric around 0 so that white means "unchanged"; the top-k map only ever drops mass.
    float largest = 0;
    for (int i = 0; i < hard.size(); ++i) largest = std::max(largest, std::abs(hard[i] - pair.soft[i]));
    m_difference->colorScale()->setDataRange(largest > 0 ? QCPRange(-largest, largest) : QCPRange(-1, 1));

    const QStringList tokens = valid ? pair.tokens : QStringList();
    for (QCPColorMap* map : {m_soft, m_hard, m_difference}) {
        setTokenTicks(map->keyAxis(), tokens, true);
        setTokenTicks(map->valueAxis(), tokens, map == m_soft);  // one column of query labels is enough
    }
    m_softTitle->setText(valid ? tr("Layer %1, head %2: softmax").arg(pair.layer).arg(pair.head)
                               : tr("Layer %1, head %2: %3 values for %4 tokens")
                                     .arg(pair.layer)
                                     .arg(pair.head)
                                     .arg(pair.soft.size())
                                     .arg(n));
    // With k at least the sentence length nothing is dropped; say so rather than show a blank difference.
    m_hardTitle->setText(valid && pair.topK >= n ? tr("top-k (k=%1 ≥ %2 tokens: all kept)").arg(pair.topK).arg(n)
                                                 : tr("top-k (k=%1)").arg(pair.topK));
    m_differenceTitle->setText(tr("difference"));
    m_plot->replot();
}

QStringList AttentionMapView::titles() const
{
    return {m_softTitle->text(), m_hardTitle->text(), m_differenceTitle->text()};
}

}  // namespace ax::widgets
