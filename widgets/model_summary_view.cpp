#include "model_summary_view.h"

#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

namespace ax::widgets {

QString formatCount(qint64 count)
{
    if (count >= 1000000000) return QString::number(count / 1e9, 'f', 2) + " G";
    if (count >= 1000000) return QString::number(count / 1e6, 'f', 1) + " M";
    if (count >= 1000) return QString::number(count / 1e3, 'f', 1) + " k";
    return QString::number(count);
}

QString formatBytes(qint64 bytes)
{
    if (bytes >= 1000000000) return QString::number(bytes / 1e9, 'f', 2) + " GB";
    if (bytes >= 1000000) return QString::number(bytes / 1e6, 'f', 1) + " MB";
    if (bytes >= 1000) return QString::number(bytes / 1e3, 'f', 1) + " kB";
    return QString::number(bytes) + " B";
}

ModelSummaryView::ModelSummaryView(QWidget* parent)
    : QWidget(parent), m_title(new QLabel(this)), m_facts(new QLabel(this)), m_layers(new QTableWidget(this))
{
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.4);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_facts->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_facts->setWordWrap(true);

    m_layers->setColumnCount(5);
    m_layers->setHorizontalHeaderLabels({tr("Heads"), tr("FFN width"), tr("Attention block"), tr("FFN block"),
                                         tr("Hard attention k")});
    m_layers->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_layers->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_layers->setAlternatingRowColors(true);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addWidget(m_facts);
    layout->addWidget(m_layers, 1);
    clear();
}

void ModelSummaryView::clear()
{
    m_title->setText(tr("No model open"));
    m_facts->setText(tr("Open a model folder in Hugging Face layout (config.json, vocab.txt, model.safetensors) "
                        "with File ▸ Open Model… (Ctrl+O), or start the studio with --model DIR."));
    m_layers->setRowCount(0);
    m_layers->setVisible(false);
}

void ModelSummaryView::setSummary(const ModelSummary& summary)
{
    m_title->setText(summary.folder);
    QStringList lines;
    lines << tr("%1 layers, hidden size %2, %3 heads of %4, FFN width %5")
                 .arg(summary.layers.size())
                 .arg(summary.hiddenSize)
                 .arg(summary.numHeads)
                 .arg(summary.headDim)
                 .arg(summary.intermediateSize);
    const QString precision = summary.precision.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(summary.precision);
    lines << tr("%1 parameters%2, %3 on disk").arg(formatCount(summary.parameters), precision, formatBytes(summary.bytesOnDisk));
    lines << tr("Vocabulary %1 tokens, %2 positions").arg(summary.vocabSize).arg(summary.maxPositions);
    lines << tr("Task heads: %1").arg(summary.taskHeads.isEmpty() ? tr("none") : summary.taskHeads.join(", "));
    if (!summary.labels.isEmpty()) lines << tr("Labels: %1").arg(summary.labels.join(", "));
    m_facts->setText(lines.join("\n"));

    m_layers->setRowCount(summary.layers.size());
    QStringList rowNames;
    for (int row = 0; row < summary.layers.size(); ++row) {
        const LayerSummary& layer = summary.layers[row];
        rowNames << tr("Layer %1").arg(row);
        const QStringList cells = {QString::number(layer.heads), QString::number(layer.intermediateSize),
                                   layer.hasAttention ? tr("kept") : tr("removed"), layer.hasFfn ? tr("kept") : tr("removed"),
                                   layer.hardAttentionTopK > 0 ? QString::number(layer.hardAttentionTopK) : tr("soft")};
        for (int column = 0; column < cells.size(); ++column) {
            auto* item = new QTableWidgetItem(cells[column]);
            item->setTextAlignment(Qt::AlignCenter);
            m_layers->setItem(row, column, item);
        }
    }
    m_layers->setVerticalHeaderLabels(rowNames);
    m_layers->setVisible(true);
}

QString ModelSummaryView::factsText() const
{
    return m_title->text() + "\n" + m_facts->text();
}

}  // namespace ax::widgets
