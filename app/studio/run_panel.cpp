#include "studio/run_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace ax::studio {

namespace {

QWidget* withBrowse(QLineEdit* edit, QWidget* parent, bool folder)
{
    auto* row = new QWidget(parent);
    auto* layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(edit, 1);
    auto* browse = new QToolButton(row);
    browse->setText(QStringLiteral("…"));
    browse->setToolTip(QObject::tr("Browse"));
    QObject::connect(browse, &QToolButton::clicked, row, [edit, row, folder] {
        const QString chosen = folder ? QFileDialog::getExistingDirectory(row, QObject::tr("Choose a folder"), edit->text())
                                      : QFileDialog::getOpenFileName(row, QObject::tr("Choose a file"), edit->text());
        if (!chosen.isEmpty()) edit->setText(chosen);
    });
    layout->addWidget(browse);
    return row;
}

}  // namespace

QString formatDuration(double seconds)
{
    if (seconds < 0 || !std::isfinite(seconds)) return QStringLiteral("?");
    const qint64 total = qint64(std::llround(seconds));
    if (total >= 3600) return QStringLiteral("%1:%2:%3").arg(total / 3600).arg(total / 60 % 60, 2, 10, QChar('0')).arg(total % 60, 2, 10, QChar('0'));
    return QStringLiteral("%1:%2").arg(total / 60).arg(total % 60, 2, 10, QChar('0'));
}

RunPanel::RunPanel(QWidget* parent)
    : QWidget(parent),
      m_model(new QLineEdit(this)),
      m_task(new QComboBox(this)),
      m_data(new QLineEdit(this)),
      m_textColumn(new QLineEdit(QStringLiteral("text"), this)),
      m_textPairColumn(new QLineEdit(this)),
      m_labelColumn(new QLineEdit(QStringLiteral("label"), this)),
      m_labels(new QLineEdit(this)),
      m_regression(new QCheckBox(tr("Regression"), this)),
      m_metric(new QComboBox(this)),
      m_form(new QFormLayout),
      m_columnsRow(new QWidget(this)),
      m_labelsRow(new QWidget(this)),
      m_maxSeqLength(new QSpinBox(this)),
      m_topK(new QSpinBox(this)),
      m_tolerance(new QDoubleSpinBox(this)),
      m_int8(new QCheckBox(tr("int8 points"), this)),
      m_bf16(new QCheckBox(tr("bf16 points"), this)),
      m_distilled(new QCheckBox(tr("distilled points"), this)),
      m_epochs(new QSpinBox(this)),
      m_learningRate(new QDoubleSpinBox(this)),
      m_fineTune(new QPushButton(tr("Fine-tune"), this)),
      m_search(new QPushButton(tr("Run search"), this)),
      m_demo(new QPushButton(tr("Run demo"), this)),
      m_cancel(new QPushButton(tr("Cancel"), this)),
      m_bar(new QProgressBar(this)),
      m_stage(new QLabel(this)),
      m_log(new QPlainTextEdit(this))
{
    m_model->setPlaceholderText(tr("fine-tuned model folder"));
    m_data->setPlaceholderText(tr("GLUE task folder, SQuAD JSON, or your own train/dev files"));
    for (const char* task : {"sst2", "mrpc", "cola", "stsb", "rte", "qnli", "qqp", "mnli", "wnli", "squad", "custom"})
        m_task->addItem(QString::fromLatin1(task));
    m_task->setItemData(m_task->count() - 1, tr("Your own task: a folder with train and dev (or validation) files as .tsv, "
                                                 ".csv or .jsonl, read by the column names below"),
                        Qt::ToolTipRole);
    connect(m_task, &QComboBox::currentTextChanged, this, &RunPanel::showCustomTaskRows);

    m_textColumn->setObjectName(QStringLiteral("textColumn"));
    m_textColumn->setToolTip(tr("The column (or JSONL key) that holds the text"));
    m_textPairColumn->setObjectName(QStringLiteral("textPairColumn"));
    m_textPairColumn->setPlaceholderText(tr("pair (none)"));
    m_textPairColumn->setToolTip(tr("The column of the second text of a pair task; empty for single texts"));
    m_labelColumn->setObjectName(QStringLiteral("labelColumn"));
    m_labelColumn->setToolTip(tr("The column of the gold label (or score, for regression)"));
    m_labels->setObjectName(QStringLiteral("labels"));
    m_labels->setPlaceholderText(tr("labels: from the train file"));
    m_labels->setToolTip(tr("The labels in id order, separated by commas; empty: every label of the train file, sorted"));
    m_regression->setObjectName(QStringLiteral("regression"));
    m_regression->setToolTip(tr("The label column holds scores: train a regression head"));
    m_metric->setObjectName(QStringLiteral("metric"));
    m_metric->addItem(tr("default metric"), QString());
    for (const char* metric : {"accuracy", "f1", "mcc", "pearson", "spearman"}) m_metric->addItem(QString::fromLatin1(metric), QString::fromLatin1(metric));
    m_metric->setToolTip(tr("The metric to select checkpoints by and report first: accuracy (default), f1 (two labels) or "
                            "mcc; pearson (default) or spearman for regression"));
    auto* columns = new QHBoxLayout(m_columnsRow);
    columns->setContentsMargins(0, 0, 0, 0);
    for (QLineEdit* edit : {m_textColumn, m_textPairColumn, m_labelColumn}) columns->addWidget(edit);
    auto* labels = new QHBoxLayout(m_labelsRow);
    labels->setContentsMargins(0, 0, 0, 0);
    labels->addWidget(m_labels, 1);
    labels->addWidget(m_regression);
    labels->addWidget(m_metric);
    m_maxSeqLength->setRange(8, 512);
    m_maxSeqLength->setValue(128);
    m_topK->setRange(1, 512);
    m_topK->setValue(30);
    m_topK->setToolTip(tr("Hard attention keeps this many attention weights per query"));
    m_tolerance->setRange(0, 1);
    m_tolerance->setSingleStep(0.01);
    m_tolerance->setDecimals(3);
    m_tolerance->setToolTip(tr("Accept a change when its val loss is below the best loss × (1 + tolerance): "
                               "above 0 trades accuracy for size and speed"));

    m_epochs->setRange(1, 100);
    m_epochs->setValue(3);
    m_learningRate->setDecimals(6);
    m_learningRate->setRange(1e-6, 1e-2);
    m_learningRate->setSingleStep(1e-5);
    m_learningRate->setValue(1e-4);
    m_fineTune->setToolTip(tr("Fine-tune the model (a pretrained one) on the task; the best epoch on val is kept "
                              "and opened, ready for the search"));
    connect(m_fineTune, &QPushButton::clicked, this, &RunPanel::fineTuneClicked);

    QFormLayout* form = m_form;
    form->addRow(tr("Model"), withBrowse(m_model, this, true));
    form->addRow(tr("Task"), m_task);
    form->addRow(tr("Data"), withBrowse(m_data, this, true));
    form->addRow(tr("Columns"), m_columnsRow);
    form->addRow(tr("Labels"), m_labelsRow);
    showCustomTaskRows();
    form->addRow(tr("Max length"), m_maxSeqLength);
    form->addRow(tr("Top-k"), m_topK);
    auto* tolerance = new QHBoxLayout;
    tolerance->addWidget(m_tolerance, 1);
    tolerance->addWidget(m_int8);
    m_int8->setObjectName(QStringLiteral("int8"));
    m_int8->setToolTip(tr("Also evaluate the baseline and the final configuration with int8 encoder projections, "
                          "as their own points on the Pareto front (slower search; axformer search --int8)"));
    tolerance->addWidget(m_bf16);
    m_bf16->setObjectName(QStringLiteral("bf16"));
    m_bf16->setToolTip(tr("Also evaluate the baseline and the final configuration with every weight in bfloat16, as their own "
                          "points on the Pareto front: faster on CPUs with AVX-512 BF16 or AMX (axformer search --bf16)"));
    tolerance->addWidget(m_distilled);
    m_distilled->setObjectName(QStringLiteral("distilled"));
    m_distilled->setToolTip(tr("Also fine-tune the final configuration again with the model as teacher, for the Training "
                               "row's epochs and learning rate, as its own point on the Pareto front (axformer search --distill)"));
    form->addRow(tr("Tolerance"), tolerance);
    auto* training = new QHBoxLayout;
    training->addWidget(m_epochs);
    training->addWidget(m_learningRate, 1);
    training->addWidget(m_fineTune);
    m_epochs->setSuffix(tr(" epochs"));
    m_learningRate->setPrefix(tr("lr "));
    form->addRow(tr("Training"), training);

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_search);
    buttons->addWidget(m_demo);
    buttons->addWidget(m_cancel);
    m_search->setToolTip(tr("Significance analysis and the AxFormer search on the model and task (Ctrl+R)"));
    m_demo->setToolTip(tr("The built-in demo: a synthetic language, pretraining, fine-tuning and the search (Ctrl+D)"));
    m_cancel->setToolTip(tr("Stop the running job within one batch (Esc)"));
    m_cancel->setEnabled(false);
    connect(m_search, &QPushButton::clicked, this, &RunPanel::runSearchClicked);
    connect(m_demo, &QPushButton::clicked, this, &RunPanel::runDemoClicked);
    connect(m_cancel, &QPushButton::clicked, this, &RunPanel::cancelClicked);

    m_bar->setRange(0, 1);
    m_bar->setValue(0);
    m_stage->setWordWrap(true);
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(5000);
    m_log->setPlaceholderText(tr("The running job's log appears here."));

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addLayout(buttons);
    layout->addWidget(m_bar);
    layout->addWidget(m_stage);
    layout->addWidget(m_log, 1);
}

QString RunPanel::modelFolder() const { return m_model->text().trimmed(); }
void RunPanel::setModelFolder(const QString& folder) { m_model->setText(folder); }
QString RunPanel::task() const { return m_task->currentText(); }
void RunPanel::setTask(const QString& task)
{
    const int index = m_task->findText(task);
    if (index >= 0) m_task->setCurrentIndex(index);
}
QJsonObject RunPanel::customTask() const
{
    QJsonArray labels;
    for (const QString& label : m_labels->text().split(QLatin1Char(','), Qt::SkipEmptyParts)) labels.append(label.trimmed());
    return {{"columns", QJsonObject{{"text", m_textColumn->text().trimmed()},
                                    {"text_pair", m_textPairColumn->text().trimmed()},
                                    {"label", m_labelColumn->text().trimmed()}}},
            {"labels", labels},
            {"kind", m_regression->isChecked() ? "regression" : "classification"},
            {"metric", m_metric->currentData().toString()}};
}

void RunPanel::setCustomTask(const QJsonObject& settings)
{
    const QJsonObject columns = settings.value("columns").toObject();
    m_textColumn->setText(columns.value("text").toString(QStringLiteral("text")));
    m_textPairColumn->setText(columns.value("text_pair").toString());
    m_labelColumn->setText(columns.value("label").toString(QStringLiteral("label")));
    QStringList labels;
    for (const QJsonValue& label : settings.value("labels").toArray()) labels << label.toString();
    m_labels->setText(labels.join(QLatin1Char(',')));
    m_regression->setChecked(settings.value("kind").toString() == QLatin1String("regression"));
    m_metric->setCurrentIndex(std::max(0, m_metric->findData(settings.value("metric").toString())));
}

QString RunPanel::dataPath() const { return m_data->text().trimmed(); }
void RunPanel::setDataPath(const QString& path) { m_data->setText(path); }
void RunPanel::setTopK(int k) { m_topK->setValue(k); }
void RunPanel::setTolerance(double tolerance) { m_tolerance->setValue(tolerance); }

void RunPanel::showCustomTaskRows()
{
    const bool custom = task() == QLatin1String("custom");
    m_form->setRowVisible(m_columnsRow, custom);
    m_form->setRowVisible(m_labelsRow, custom);
}

void RunPanel::fillTaskFields(TaskRequest& request) const
{
    request.model = modelFolder();
    request.task = task();
    request.data = dataPath();
    request.maxSeqLength = m_maxSeqLength->value();
    request.textColumn = m_textColumn->text().trimmed();
    request.textPairColumn = m_textPairColumn->text().trimmed();
    request.labelColumn = m_labelColumn->text().trimmed();
    request.labels = m_labels->text().trimmed();
    request.regression = m_regression->isChecked();
    request.metric = m_metric->currentData().toString();
}

FineTuneRequest RunPanel::fineTuneRequest() const
{
    FineTuneRequest request;
    fillTaskFields(request);
    request.epochs = m_epochs->value();
    request.learningRate = m_learningRate->value();
    return request;
}

SearchRequest RunPanel::request() const
{
    SearchRequest request;
    fillTaskFields(request);
    request.topK = m_topK->value();
    request.tolerance = m_tolerance->value();
    request.int8 = m_int8->isChecked();
    request.bf16 = m_bf16->isChecked();
    request.distillEpochs = m_distilled->isChecked() ? m_epochs->value() : 0;
    request.distillLearningRate = m_learningRate->value();
    return request;
}

void RunPanel::setBusy(bool busy)
{
    m_search->setEnabled(!busy);
    m_fineTune->setEnabled(!busy);
    m_demo->setEnabled(!busy);
    m_cancel->setEnabled(busy);
    if (busy) {
        m_bar->setRange(0, 0);  // busy indicator until the first progress report
        m_stage->setText(tr("Starting…"));
    } else {
        m_bar->setRange(0, 1);
        m_bar->setValue(0);
        m_stage->setText(tr("Ready"));
    }
}

void RunPanel::showProgress(const QString& stage, qint64 done, qint64 total, double elapsed, double remaining, const QString& detail)
{
    m_bar->setRange(0, int(std::max<qint64>(1, total)));
    m_bar->setValue(int(std::min(done, total)));
    m_stage->setText(tr("%1: %2/%3 · elapsed %4 · left %5%6")
                         .arg(stage)
                         .arg(done)
                         .arg(total)
                         .arg(formatDuration(elapsed))
                         .arg(formatDuration(remaining))
                         .arg(detail.isEmpty() ? QString() : QStringLiteral("\n") + detail));
}

void RunPanel::appendLog(const QString& line)
{
    m_log->appendPlainText(line);
}

QString RunPanel::log() const
{
    return m_log->toPlainText();
}

}  // namespace ax::studio
