#include "studio/main_window.h"

#include "model/model_facts.h"
#include "model_summary_view.h"

#include <QAction>
#include <QApplication>
#include <QFileDialog>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QStatusBar>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace ax::studio {

struct ModelLoadResult {
    bool ok = false;
    widgets::ModelSummary summary;
    QString error;
};

namespace {

widgets::ModelSummary summarise(const ModelFacts& facts)
{
    widgets::ModelSummary summary;
    const BertConfig& config = facts.config;
    summary.folder = QString::fromStdString(facts.folder.string());
    summary.hiddenSize = config.hiddenSize;
    summary.numHeads = config.numHeads;
    summary.headDim = config.headDim();
    summary.intermediateSize = config.intermediateSize;
    summary.vocabSize = config.vocabSize;
    summary.maxPositions = config.maxPositions;
    summary.parameters = facts.parameters;
    summary.bytesOnDisk = static_cast<qint64>(facts.bytesOnDisk);
    for (const auto& head : facts.taskHeads) summary.taskHeads << QString::fromStdString(head);
    for (const auto& entry : config.id2label) summary.labels << QString::fromStdString(entry.second);
    for (const LayerShape& layer : config.layers)
        summary.layers.push_back({layer.heads(), layer.intermediateSize, layer.hasAttention, layer.hasFfn,
                                  layer.hardAttentionTopK});
    return summary;
}

ModelLoadResult loadSummary(const QString& folder)
{
    ModelLoadResult result;
    try {
        result.summary = summarise(describeModelFolder(folder.toStdString()));
        result.ok = true;
    } catch (const std::exception& error) {
        result.error = QString::fromUtf8(error.what());
    }
    return result;
}

}  // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent),
      m_summary(new widgets::ModelSummaryView(this)),
      m_error(new QLabel(this)),
      m_loading(new QFutureWatcher<ModelLoadResult>(this))
{
    setWindowTitle(tr("AxFormer Studio"));
    resize(1100, 720);

    m_error->setWordWrap(true);
    m_error->setStyleSheet("QLabel { background: #fdecea; color: #8a1c12; padding: 8px; border-radius: 4px; }");
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->hide();

    auto* central = new QWidget(this);
    auto* layout = new QVBoxLayout(central);
    layout->addWidget(m_error);
    layout->addWidget(m_summary, 1);
    setCentralWidget(central);

    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open Model…"), this, &MainWindow::chooseModel);
    open->setShortcut(QKeySequence::Open);
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), qApp, &QApplication::quit);
    quit->setShortcut(QKeySequence::Quit);
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About AxFormer Studio"), this, [this] {
        QMessageBox::about(this, tr("About AxFormer Studio"),
                           tr("AxFormer Studio %1\nAccuracy-driven approximation of fine-tuned Transformers: "
                              "pruning and selective hard attention that make a model smaller, faster and "
                              "more accurate for one task.")
                               .arg(QApplication::applicationVersion()));
    });

    connect(m_loading, &QFutureWatcher<ModelLoadResult>::finished, this, &MainWindow::showLoadResult);
    statusBar()->showMessage(tr("Ready"));
}

MainWindow::~MainWindow()
{
    m_loading->waitForFinished();
}

bool MainWindow::isBusy() const
{
    return m_loading->isRunning();
}

void MainWindow::chooseModel()
{
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Open Model Folder"));
    if (!folder.isEmpty()) openModel(folder);
}

void MainWindow::openModel(const QString& folder)
{
    if (isBusy()) return;
    m_error->hide();
    statusBar()->showMessage(tr("Loading %1…").arg(folder));
    m_loading->setFuture(QtConcurrent::run(loadSummary, folder));
}

void MainWindow::showLoadResult()
{
    const ModelLoadResult result = m_loading->result();
    if (result.ok) {
        m_summary->setSummary(result.summary);
        statusBar()->showMessage(tr("Loaded %1").arg(result.summary.folder));
    } else {
        m_summary->clear();
        showError(result.error);
    }
    Q_EMIT modelLoadFinished(result.ok);
}

void MainWindow::showError(const QString& message)
{
    m_error->setText(tr("Could not open the model: %1").arg(message));
    m_error->show();
    statusBar()->showMessage(tr("Error"));
}

}  // namespace ax::studio
