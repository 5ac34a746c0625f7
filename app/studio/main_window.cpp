#include "studio/main_window.h"

#include "data/custom_task.h"
#include "data/table_file.h"
#include "demo/demo_pipeline.h"
#include "model/model_facts.h"
#include "studio/cached_models_menu.h"
#include "studio/classroom_guide.h"
#include "studio/classroom_steps.h"
#include "studio/job_runner.h"
#include "studio/model_export.h"
#include "studio/run_panel.h"

#include "attention_map_view.h"
#include "csv_export.h"
#include "importance_heatmap_view.h"
#include "model_summary_view.h"
#include "pareto_view.h"
#include "plan_editor_view.h"
#include "plan_table_model.h"
#include "plot_export.h"
#include "plot_fonts.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QSaveFile>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QStatusBar>
#include <QTimer>
#include <QStyleFactory>
#include <QTabWidget>
#include <QTextBrowser>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <utility>

namespace ax::studio {

struct ModelLoadResult {
    bool ok = false;
    widgets::ModelSummary summary;
    QString error;
};

struct RunLoadResult {
    bool ok = false;
    RunData run;
    QString error;
};

struct AttentionResult {
    bool ok = false;
    AttentionSample sample;
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
    summary.precision = QString::fromStdString(facts.precision);
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

RunLoadResult loadRunSafely(const QString& folder)
{
    RunLoadResult result;
    try {
        result.run = loadRun(folder);
        result.ok = true;
    } catch (const std::exception& error) {
        result.error = QString::fromUtf8(error.what());
    }
    return result;
}

AttentionResult probeSafely(const QString& model, const QString& text)
{
    AttentionResult result;
    try {
        result.sample = ax::probeAttention(model.toStdString(), text.toStdString());
        result.ok = true;
    } catch (const std::exception& error) {
        result.error = QString::fromUtf8(error.what());
    }
    return result;
}

QString overrideKey(const widgets::PlanRow& row)
{
    return row.index >= 0 ? QStringLiteral("%1:%2:%3").arg(row.kind).arg(row.layer).arg(row.index)
                          : QStringLiteral("%1:%2").arg(row.kind).arg(row.layer);
}

// The first sentences of the task's dev file (GLUE: its first column; a custom task: its text
// column), to pick from in the attention tab.
QStringList devSentences(const TaskRequest& form)
{
    constexpr int kMaxSentences = 40;
    QStringList sentences;
    if (form.task == QLatin1String("custom")) {
        // The user's own dev file, read by the run panel's text column; one the engine would
        // refuse just leaves the list empty (the job reports why when it runs).
        try {
            const auto records = readTable(customSplitFile(form.data.toStdString(), "dev"), {form.textColumn.toStdString()});
            for (const TableRecord& record : records) {
                if (sentences.size() == kMaxSentences) break;
                sentences << QString::fromStdString(record.values[0]).simplified();
            }
        } catch (const std::exception&) {
        }
        return sentences;
    }
    QFile file(QDir(form.data).filePath(QStringLiteral("dev.tsv")));
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) return sentences;
    file.readLine();  // header
    while (!file.atEnd() && sentences.size() < kMaxSentences) {
        const QString line = QString::fromUtf8(file.readLine()).trimmed();
        const QString text = line.section('\t', 0, 0);
        if (!text.isEmpty()) sentences << text;
    }
    return sentences;
}

}  // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent),
      m_panel(new RunPanel(this)),
      m_runner(new JobRunner(this)),
      m_tabs(new QTabWidget(this)),
      m_error(new QLabel(this)),
      m_summaryLine(new QLabel(this)),
      m_summary(new widgets::ModelSummaryView(this)),
      m_headMap(new widgets::ImportanceHeatmapView(this)),
      m_groupMap(new widgets::ImportanceHeatmapView(this)),
      m_attention(new widgets::AttentionMapView(this)),
      m_pareto(new widgets::ParetoView(this)),
      m_plan(new widgets::PlanEditorView(this)),
      m_report(new QTextBrowser(this)),
      m_attentionText(new QComboBox(this)),
      m_attentionLayer(new QSpinBox(this)),
      m_attentionHead(new QSpinBox(this)),
      m_guide(new ClassroomGuide(this)),
      m_guideDock(new QDockWidget(tr("Classroom guide"), this)),
      m_loading(new QFutureWatcher<ModelLoadResult>(this)),
      m_runLoading(new QFutureWatcher<RunLoadResult>(this)),
      m_attentionLoading(new QFutureWatcher<AttentionResult>(this)),
      m_rerunTimer(new QTimer(this)),
      m_liveRepaint(new QTimer(this))
{
    // A search's configurations stream into the Pareto view, repainted at most twice a second.
    m_liveRepaint->setSingleShot(true);
    m_liveRepaint->setInterval(500);
    connect(m_liveRepaint, &QTimer::timeout, this, [this] {
        m_pareto->setPoints(m_livePoints);
        statusBar()->showMessage(tr("Searching: %1 configurations evaluated").arg(m_livePoints.size()));
    });
    m_rerunTimer->setSingleShot(true);
    m_rerunTimer->setInterval(1500);
    connect(m_rerunTimer, &QTimer::timeout, this, &MainWindow::rerunWithOverrides);
    setWindowTitle(tr("AxFormer Studio"));
    setAcceptDrops(true);
    resize(1360, 860);

    m_error->setWordWrap(true);
    m_error->setStyleSheet("QLabel { background: #fdecea; color: #8a1c12; padding: 8px; border-radius: 4px; }");
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->hide();
    m_summaryLine->setWordWrap(true);
    m_summaryLine->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summaryLine->setStyleSheet("QLabel { font-weight: 600; padding: 4px; }");

    auto* significance = new QSplitter(Qt::Horizontal, this);
    significance->addWidget(m_headMap);
    significance->addWidget(m_groupMap);
    auto* planTab = new QWidget(this);
    auto* planLayout = new QVBoxLayout(planTab);
    planLayout->addWidget(m_plan, 1);
    auto* rerun = new QPushButton(tr("Re-run now"), planTab);
    rerun->setToolTip(tr("A change re-runs the search by itself after a short pause: forced decisions are kept and the "
                         "search continues around them, in the background; a newer run replaces an older one"));
    connect(rerun, &QPushButton::clicked, this, &MainWindow::rerunWithOverrides);
    // Precision is a last step of the plan: the exported folder is the sliced model, in int8 or
    // bfloat16 when asked (what `axformer apply --plan P --quantize int8|bf16` writes). The items'
    // order is Precision's.
    m_exportPrecision = new QComboBox(planTab);
    m_exportPrecision->setObjectName(QStringLiteral("exportPrecision"));
    m_exportPrecision->addItems({tr("float32"), tr("int8 encoder projections"), tr("bfloat16")});
    m_exportPrecision->setToolTip(tr("The precision of the exported model. int8: a quarter of the projections' bytes, faster "
                                     "at larger batches. bfloat16: half the bytes, faster on CPUs with AVX-512 BF16 or "
                                     "AMX. The Pareto front's int8 and bf16 points (search with those points) show what "
                                     "each costs in accuracy"));
    auto* exportButton = new QPushButton(tr("Export sliced model…"), planTab);
    connect(exportButton, &QPushButton::clicked, this, &MainWindow::exportModel);
    auto* planButtons = new QHBoxLayout;
    planButtons->addStretch(1);
    planButtons->addWidget(new QLabel(tr("Export as"), planTab));
    planButtons->addWidget(m_exportPrecision);
    planButtons->addWidget(exportButton);
    planButtons->addWidget(rerun);
    planLayout->addLayout(planButtons);
    m_report->setOpenExternalLinks(false);

    m_tabs->insertTab(ModelTab, m_summary, tr("Model"));
    m_tabs->insertTab(SignificanceTab, significance, tr("Significance"));
    m_tabs->insertTab(AttentionTab, buildAttentionTab(), tr("Attention"));
    m_tabs->insertTab(ParetoTab, m_pareto, tr("Pareto front"));
    m_tabs->insertTab(PlanTab, planTab, tr("Plan"));
    m_tabs->insertTab(ReportTab, m_report, tr("Report"));

    auto* right = new QWidget(this);
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(m_error);
    rightLayout->addWidget(m_summaryLine);
    rightLayout->addWidget(m_tabs, 1);
    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(m_panel);
    splitter->addWidget(right);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({340, 1020});
    setCentralWidget(splitter);
    m_guideDock->setObjectName("classroomGuide");
    m_guideDock->setWidget(m_guide);
    addDockWidget(Qt::RightDockWidgetArea, m_guideDock);
    m_guideDock->hide();
    connect(m_guide, &ClassroomGuide::stepShown, this, [this](const GuideStep& step) {
        if (!m_classroom) return;
        m_tabs->setCurrentIndex(step.tab);
        if (!step.sentence.isEmpty()) {
            m_attentionText->setEditText(step.sentence);
            probeAttention();
        }
    });
    buildMenus();

    connect(m_loading, &QFutureWatcher<ModelLoadResult>::finished, this, &MainWindow::showLoadResult);
    connect(m_runLoading, &QFutureWatcher<RunLoadResult>::finished, this, &MainWindow::showRun);
    connect(m_attentionLoading, &QFutureWatcher<AttentionResult>::finished, this, &MainWindow::showAttention);
    connect(m_panel, &RunPanel::runSearchClicked, this, &MainWindow::runSearch);
    connect(m_panel, &RunPanel::fineTuneClicked, this, &MainWindow::runFineTune);
    connect(m_panel, &RunPanel::runDemoClicked, this, [this] { runDemo(); });
    connect(m_panel, &RunPanel::cancelClicked, m_runner, &JobRunner::cancel);
    connect(m_runner, &JobRunner::progress, this,
            [this](int job, const QString& stage, qint64 done, qint64 total, double elapsed, double remaining, const QString& detail) {
                if (job == m_runner->currentJob()) m_panel->showProgress(stage, done, total, elapsed, remaining, detail);
            });
    connect(m_runner, &JobRunner::message, this, [this](int job, const QString& line) {
        if (job == m_runner->currentJob()) m_panel->appendLog(line);
    });
    connect(m_runner, &JobRunner::finished, this, &MainWindow::onJobFinished);
    connect(m_runner, &JobRunner::candidate, this,
            [this](int job, int sequence, const QString& label, double metric, qint64 parameters, bool accepted) {
                if (job != m_runner->currentJob()) return;
                if (sequence == 0) m_livePoints.clear();  // a new search's baseline
                widgets::ConfigurationPoint point;
                point.id = m_livePoints.size();
                point.label = QStringLiteral("#%1: %2 (%3)").arg(sequence).arg(label, accepted ? tr("kept") : tr("rejected"));
                point.metric = metric;
                point.parameters = parameters;
                point.baseline = sequence == 0;
                m_livePoints.push_back(point);
                if (!m_liveRepaint->isActive()) m_liveRepaint->start();
            });
    connect(m_pareto, &widgets::ParetoView::pointSelected, this, &MainWindow::showPoint);
    connect(m_plan, &widgets::PlanEditorView::overrideChanged, this,
            [this](int row, widgets::OverrideState state) { onOverride(row, int(state)); });

    QSettings settings;
    restoreGeometry(settings.value("window/geometry").toByteArray());
    m_panel->setTask(settings.value("run/task", "sst2").toString());
    m_panel->setDataPath(settings.value("run/data").toString());
    if (settings.contains("run/custom")) m_panel->setCustomTask(QJsonDocument::fromJson(settings.value("run/custom").toByteArray()).object());
    statusBar()->showMessage(tr("Ready: open a model (Ctrl+O), a finished run (Ctrl+Shift+O), or run the demo (Ctrl+D)"));
}

MainWindow::~MainWindow()
{
    m_loading->waitForFinished();
    m_runLoading->waitForFinished();
    m_attentionLoading->waitForFinished();
}

QWidget* MainWindow::buildAttentionTab()
{
    auto* tab = new QWidget(this);
    auto* layout = new QVBoxLayout(tab);
    auto* controls = new QHBoxLayout;
    m_attentionText->setEditable(true);
    m_attentionText->setInsertPolicy(QComboBox::NoInsert);
    m_attentionText->lineEdit()->setPlaceholderText(tr("type a sentence, or pick one from the dev set"));
    m_attentionText->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    m_attentionLayer->setPrefix(tr("layer "));
    m_attentionHead->setPrefix(tr("head "));
    auto* show = new QPushButton(tr("Show"), tab);
    controls->addWidget(m_attentionText, 1);
    controls->addWidget(m_attentionLayer);
    controls->addWidget(m_attentionHead);
    controls->addWidget(show);
    layout->addLayout(controls);
    layout->addWidget(m_attention, 1);
    connect(show, &QPushButton::clicked, this, &MainWindow::probeAttention);
    connect(m_attentionText->lineEdit(), &QLineEdit::returnPressed, this, &MainWindow::probeAttention);
    auto reshow = [this] {
        if (m_sample) showAttention();
    };
    connect(m_attentionLayer, &QSpinBox::valueChanged, this, reshow);
    connect(m_attentionHead, &QSpinBox::valueChanged, this, reshow);
    return tab;
}

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open Model…"), QKeySequence::Open, this, &MainWindow::chooseModel);
    file->addAction(tr("Open &Run Folder…"), QKeySequence(tr("Ctrl+Shift+O")), this, &MainWindow::chooseRun);
    m_recentMenu = file->addMenu(tr("Recent &Models"));
    rebuildRecentMenu();
    auto* cached = new CachedModelsMenu(file);
    connect(cached, &CachedModelsMenu::modelChosen, this, &MainWindow::openModel);
    file->addMenu(cached);
    file->addSeparator();
    file->addAction(tr("Open &Project…"), QKeySequence(tr("Ctrl+Shift+P")), this, [this] {
        const QString name = QFileDialog::getOpenFileName(this, tr("Open Project"), {}, tr("AxFormer projects (*.axproj)"));
        if (!name.isEmpty()) openProject(name);
    });
    file->addAction(tr("&Save Project…"), QKeySequence::Save, this, [this] {
        QString name = QFileDialog::getSaveFileName(this, tr("Save Project"), {}, tr("AxFormer projects (*.axproj)"));
        if (name.isEmpty()) return;
        if (!name.endsWith(".axproj")) name += ".axproj";
        saveProject(name);
    });
    QMenu* exports = file->addMenu(tr("&Export"));
    exports->addAction(tr("Current &Plot (PNG, SVG, PDF)…"), QKeySequence(tr("Ctrl+E")), this, &MainWindow::exportCurrentPlot);
    exports->addAction(tr("&Sliced Model Folder…"), this, &MainWindow::exportModel);
    exports->addAction(tr("Plan (&JSON)…"), this, [this] { exportText("plan"); });
    exports->addAction(tr("Pareto Front (&CSV)…"), this, [this] { exportText("pareto"); });
    exports->addAction(tr("&Decisions (CSV)…"), this, [this] { exportText("decisions"); });
    exports->addAction(tr("&Report (Markdown)…"), this, [this] { exportText("report"); });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, qApp, &QApplication::quit);

    QMenu* run = menuBar()->addMenu(tr("&Run"));
    run->addAction(tr("Run &Search"), QKeySequence(tr("Ctrl+R")), this, &MainWindow::runSearch);
    run->addAction(tr("&Fine-tune"), QKeySequence(tr("Ctrl+T")), this, &MainWindow::runFineTune);
    run->addAction(tr("Run the &Demo"), QKeySequence(tr("Ctrl+D")), this, [this] { runDemo(); });
    run->addAction(tr("&Cancel"), QKeySequence(Qt::Key_Escape), m_runner, &JobRunner::cancel);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    for (int i = 0; i < m_tabs->count(); ++i)
        view->addAction(m_tabs->tabText(i), QKeySequence(QStringLiteral("Alt+%1").arg(i + 1)), this, [this, i] { m_tabs->setCurrentIndex(i); });
    view->addSeparator();
    m_classroomAction = view->addAction(tr("&Classroom Mode (guide, large text)"));
    m_classroomAction->setCheckable(true);
    m_classroomAction->setShortcut(QKeySequence(tr("F11")));
    connect(m_classroomAction, &QAction::toggled, this, &MainWindow::setClassroomMode);
    m_darkAction = view->addAction(tr("&Dark Palette"));
    m_darkAction->setCheckable(true);
    m_darkAction->setChecked(QSettings().value("view/dark", false).toBool());
    connect(m_darkAction, &QAction::toggled, this, &MainWindow::setDarkPalette);
    if (m_darkAction->isChecked()) setDarkPalette(true);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About AxFormer Studio"), this, [this] {
        QMessageBox::about(this, tr("About AxFormer Studio"),
                           tr("AxFormer Studio %1\nAccuracy-driven approximation of fine-tuned Transformers: "
                              "pruning and selective hard attention that make a model smaller, faster and "
                              "more accurate for one task.")
                               .arg(QApplication::applicationVersion()));
    });
}

bool MainWindow::isBusy() const
{
    return m_loading->isRunning() || m_runLoading->isRunning() || m_runner->isRunning() || m_attentionLoading->isRunning();
}

void MainWindow::chooseModel()
{
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Open Model Folder"), m_panel->modelFolder());
    if (!folder.isEmpty()) openModel(folder);
}

void MainWindow::chooseRun()
{
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Open Run Folder (with plan.json)"));
    if (!folder.isEmpty()) openRun(folder);
}

void MainWindow::openModel(const QString& folder)
{
    if (m_loading->isRunning()) return;
    clearError();
    m_panel->setModelFolder(folder);
    statusBar()->showMessage(tr("Loading %1…").arg(folder));
    m_loading->setFuture(QtConcurrent::run(loadSummary, folder));
}

void MainWindow::showLoadResult()
{
    const ModelLoadResult result = m_loading->result();
    if (result.ok) {
        m_summary->setSummary(result.summary);
        m_modelShown = QFileInfo(result.summary.folder).canonicalFilePath();
        rememberRecent(result.summary.folder);
        statusBar()->showMessage(tr("Loaded %1").arg(result.summary.folder));
    } else {
        m_summary->clear();
        m_modelShown.clear();
        showError(tr("Could not open the model"), result.error);
    }
    Q_EMIT modelLoadFinished(result.ok);
}

void MainWindow::openRun(const QString& folder)
{
    if (m_runLoading->isRunning()) m_runLoading->waitForFinished();
    clearError();
    statusBar()->showMessage(tr("Reading the run in %1…").arg(folder));
    m_runLoading->setFuture(QtConcurrent::run(loadRunSafely, folder));
}

void MainWindow::showRun()
{
    const RunLoadResult result = m_runLoading->result();
    if (!result.ok) {
        showError(tr("Could not read the run"), result.error);
        Q_EMIT runLoadFinished(false);
        return;
    }
    m_run = result.run;
    const RunData& run = *m_run;
    // The run's forced decisions stay forced in the next re-run.
    m_overrides.clear();
    for (const widgets::PlanRow& row : run.rows)
        if (row.forced) m_overrides[overrideKey(row)] = row.applied;
    m_panel->setTopK(run.topK);
    m_panel->setTolerance(run.tolerance);
    m_summaryLine->setText(run.summary);
    if (run.heads) m_headMap->setGrid(*run.heads);
    if (run.ffnGroups) m_groupMap->setGrid(*run.ffnGroups);
    m_pareto->setMetricName(tr("Val %1").arg(run.metric));
    m_pareto->setPoints(run.points);
    m_plan->setRows(run.rows, run.baselineLoss);
    m_report->setMarkdown(run.report);
    showPoint(finalPoint(run));
    m_guide->setSteps(classroomSteps(run));
    if (!m_pendingSentence.isEmpty()) showSentence(std::exchange(m_pendingSentence, QString()));
    if (!run.modelFolder.isEmpty() && QFileInfo::exists(run.modelFolder)) {
        if (QFileInfo(run.modelFolder).canonicalFilePath() != m_modelShown) openModel(run.modelFolder);
        m_panel->setTask(run.task);
        if (!run.taskSettings.isEmpty()) m_panel->setCustomTask(run.taskSettings);
        if (m_attentionText->count() == 0) {
            m_attentionText->addItems(devSentences(m_panel->request()));
            if (m_attentionText->count() > 0) m_attentionText->setCurrentIndex(0);
        }
    }
    statusBar()->showMessage(tr("Run %1: %2 configurations evaluated").arg(run.folder).arg(run.points.size()));
    Q_EMIT runLoadFinished(true);
}

void MainWindow::showPoint(int pointId)
{
    if (!m_run) return;
    m_pareto->setSelectedId(pointId);
    if (m_run->heads) m_headMap->setApplied(appliedIn(*m_run, pointId, "head", m_run->heads->layers, m_run->heads->columns));
    if (m_run->ffnGroups)
        m_groupMap->setApplied(appliedIn(*m_run, pointId, "ffn_group", m_run->ffnGroups->layers, m_run->ffnGroups->columns));
    // The plan view shows the chosen configuration: its elements applied, the rest not.
    if (pointId >= 0 && pointId < m_run->configurations.size()) {
        QVector<widgets::PlanRow> rows = m_run->rows;
        for (int i = 0; i < rows.size(); ++i) rows[i].applied = m_run->configurations[pointId].contains(m_run->rowElements[i]);
        m_plan->setRows(rows, m_run->baselineLoss);
        m_showingOverrides = true;
        for (int i = 0; i < rows.size(); ++i) {
            const auto forced = m_overrides.find(overrideKey(rows[i]));
            if (forced != m_overrides.end())
                m_plan->model()->setOverride(i, forced->second ? widgets::OverrideState::ForceOn : widgets::OverrideState::ForceOff);
        }
        m_showingOverrides = false;
    }
}

void MainWindow::runDemo(const QString& folder)
{
    clearError();
    const QString target = folder.isEmpty() ? QString::fromStdString(defaultDemoFolder().string()) : folder;
    m_panel->appendLog(tr("Demo: artefacts in %1 (cached: the second start is instant)").arg(target));
    m_panel->setModelFolder(QDir(target).filePath("finetuned"));
    m_panel->setTask("sst2");
    m_panel->setDataPath(QDir(target).filePath("language"));
    m_panel->setBusy(true);
    m_runner->startDemo(target);
    statusBar()->showMessage(tr("Running the demo…"));
}

void MainWindow::runSearch()
{
    clearError();
    SearchRequest request = m_panel->request();
    if (request.model.isEmpty() || request.data.isEmpty()) {
        showError(tr("Cannot start the search"), tr("choose a fine-tuned model folder and the task's data first"));
        m_significanceSource.clear();
        return;
    }
    QSettings settings;
    settings.setValue("run/task", request.task);
    settings.setValue("run/data", request.data);
    settings.setValue("run/custom", QJsonDocument(m_panel->customTask()).toJson(QJsonDocument::Compact));
    request.overrides = m_overrides;
    request.significance = m_significanceSource.isEmpty();
    // Runs go to the user's data folder: the model's own folder may be read-only (a model cache).
    const QString base = QString::fromStdString(userDataFolder().string()) + QStringLiteral("/runs");
    request.out = QDir(base).filePath(QStringLiteral("axformer-run-%1").arg(QDateTime::currentDateTime().toString("yyyyMMdd-hhmmss")) +
                                      (m_rerunCount > 0 ? QStringLiteral("-%1").arg(m_rerunCount) : QString()));
    ++m_rerunCount;
    m_panel->appendLog(tr("Search: %1 on %2 → %3").arg(request.model, request.task, request.out));
    m_panel->setBusy(true);
    m_runner->startSearch(request);
    statusBar()->showMessage(tr("Searching…"));
}

void MainWindow::runFineTune()
{
    clearError();
    FineTuneRequest request = m_panel->fineTuneRequest();
    if (request.model.isEmpty() || request.data.isEmpty()) {
        showError(tr("Cannot start fine-tuning"), tr("choose a pretrained model folder and the task's data first"));
        return;
    }
    request.out = QString::fromStdString(userDataFolder().string()) +
                  QStringLiteral("/models/%1-%2").arg(request.task, QDateTime::currentDateTime().toString("yyyyMMdd-hhmmss"));
    m_panel->appendLog(tr("Fine-tuning %1 on %2 → %3").arg(request.model, request.task, request.out));
    m_panel->setBusy(true);
    m_runner->startFineTune(request);
    statusBar()->showMessage(tr("Fine-tuning…"));
}

void MainWindow::onJobFinished(int job, bool ok, const QString& error, const QString& runFolder)
{
    if (job != m_runner->currentJob()) return;  // a superseded run: its results are stale
    m_panel->setBusy(false);
    m_liveRepaint->stop();
    m_livePoints.clear();
    const QString significanceSource = std::exchange(m_significanceSource, QString());
    if (ok) {
        m_panel->appendLog(tr("Finished: %1").arg(runFolder));
        if (!QFileInfo::exists(QDir(runFolder).filePath("plan.json"))) {  // a fine-tuned model, ready to search
            openModel(runFolder);
            Q_EMIT jobFinished(true);
            return;
        }
        // A re-run skipped the significance analysis (the model did not change): keep the maps.
        const QString significance = QDir(runFolder).filePath("significance.json");
        if (!significanceSource.isEmpty() && !QFileInfo::exists(significance))
            QFile::copy(QDir(significanceSource).filePath("significance.json"), significance);
        openRun(runFolder);
    } else if (error.isEmpty()) {
        m_panel->appendLog(tr("Cancelled. What was evaluated is kept in the run's journal."));
        statusBar()->showMessage(tr("Cancelled"));
    } else {
        showError(tr("The job failed"), error);
    }
    Q_EMIT jobFinished(ok);
}

void MainWindow::onOverride(int row, int state)
{
    if (m_showingOverrides || !m_run || row < 0 || row >= m_run->rows.size()) return;
    const QString key = overrideKey(m_run->rows[row]);
    if (state == int(widgets::OverrideState::SearchDecides)) m_overrides.erase(key);
    else m_overrides[key] = state == int(widgets::OverrideState::ForceOn);
    statusBar()->showMessage(tr("%1 decision(s) of yours: the search re-runs with them in a moment").arg(m_overrides.size()));
    m_rerunTimer->start();
}

void MainWindow::rerunWithOverrides()
{
    if (!m_run) {
        showError(tr("Nothing to re-run"), tr("open or run a search first"));
        return;
    }
    m_rerunTimer->stop();
    m_panel->setModelFolder(m_run->modelFolder);
    m_panel->setTask(m_run->task);
    if (!m_run->taskSettings.isEmpty()) m_panel->setCustomTask(m_run->taskSettings);
    m_significanceSource = m_run->folder;
    runSearch();
}

void MainWindow::showSentence(const QString& text)
{
    const bool runComing = m_runner->isRunning() || m_runLoading->isRunning();
    if (!m_run && (runComing || m_panel->modelFolder().isEmpty())) {
        m_pendingSentence = text;
        return;
    }
    m_tabs->setCurrentIndex(AttentionTab);
    if (m_attentionText->findText(text) < 0) m_attentionText->insertItem(0, text);
    m_attentionText->setCurrentIndex(m_attentionText->findText(text));
    probeAttention();
}

void MainWindow::probeAttention()
{
    const QString model = m_run ? m_run->modelFolder : m_panel->modelFolder();
    const QString text = m_attentionText->currentText().trimmed();
    if (model.isEmpty() || text.isEmpty() || m_attentionLoading->isRunning()) return;
    m_attentionLoading->setFuture(QtConcurrent::run(probeSafely, model, text));
}

void MainWindow::showAttention()
{
    if (m_attentionLoading->isFinished() && m_attentionLoading->future().resultCount() > 0 && sender() == m_attentionLoading) {
        const AttentionResult result = m_attentionLoading->result();
        if (!result.ok) {
            showError(tr("Could not compute attention"), result.error);
            Q_EMIT attentionShown(false);
            return;
        }
        m_sample = result.sample;
        m_attentionLayer->setRange(0, std::max(0, m_sample->layers - 1));
        m_attentionHead->setRange(0, std::max(0, m_sample->heads - 1));
    }
    if (!m_sample) return;
    const int layer = m_attentionLayer->value(), head = m_attentionHead->value();
    const std::vector<float>& map = m_sample->maps[size_t(layer * m_sample->heads + head)];
    widgets::AttentionPair pair;
    for (const std::string& token : m_sample->tokens) pair.tokens << QString::fromStdString(token);
    pair.topK = m_run ? m_run->topK : 30;
    pair.layer = layer;
    pair.head = head;
    pair.soft = QVector<float>(map.begin(), map.end());
    m_attention->setPair(pair);
    Q_EMIT attentionShown(true);
}

void MainWindow::exportCurrentPlot()
{
    QCustomPlot* plot = nullptr;
    switch (m_tabs->currentIndex()) {
    case SignificanceTab: plot = m_headMap->plot(); break;
    case AttentionTab: plot = m_attention->plot(); break;
    case ParetoTab: plot = m_pareto->plot(); break;
    default: break;
    }
    if (!plot) {
        showError(tr("Nothing to export"), tr("switch to the Significance, Attention or Pareto tab"));
        return;
    }
    const QString name = QFileDialog::getSaveFileName(this, tr("Export Plot"), {}, tr("PNG (*.png);;SVG (*.svg);;PDF (*.pdf)"));
    if (name.isEmpty()) return;
    QString error;
    if (!widgets::exportPlot(*plot, name, &error)) showError(tr("Export failed"), error);
    else statusBar()->showMessage(tr("Saved %1").arg(name));
}

void MainWindow::exportText(const QString& what)
{
    if (!m_run) {
        showError(tr("Nothing to export"), tr("open or run a search first"));
        return;
    }
    const QString suffix = what == "plan" ? "json" : what == "report" ? "md" : "csv";
    const QString name = QFileDialog::getSaveFileName(this, tr("Export"), what + "." + suffix);
    if (name.isEmpty()) return;
    QString text;
    if (what == "plan" || what == "report") {
        QFile source(QDir(m_run->folder).filePath(what == "plan" ? "plan.json" : "report.md"));
        if (!source.open(QIODevice::ReadOnly)) {
            showError(tr("Export failed"), tr("cannot read %1").arg(source.fileName()));
            return;
        }
        text = QString::fromUtf8(source.readAll());
    } else if (what == "pareto") {
        text = widgets::paretoCsv(m_run->points);
    } else {
        text = widgets::planCsv(m_run->rows, m_run->baselineLoss);
    }
    QString error;
    if (!widgets::saveTextFile(name, text, &error)) showError(tr("Export failed"), error);
    else statusBar()->showMessage(tr("Saved %1").arg(name));
}

void MainWindow::exportModel()
{
    if (!m_run) {
        showError(tr("Nothing to export"), tr("open or run a search first"));
        return;
    }
    static const char* const suffixes[] = {"", "-int8", "-bf16"};
    const auto precision = static_cast<Precision>(m_exportPrecision->currentIndex());
    const QString out = QFileDialog::getSaveFileName(this, tr("Export Sliced Model Folder"),
                                                     QStringLiteral("approximated-model") + suffixes[int(precision)]);
    if (out.isEmpty()) return;
    const QString plan = QDir(m_run->folder).filePath("plan.json");
    statusBar()->showMessage(tr("Slicing and saving %1…").arg(out));
    auto* watcher = new QFutureWatcher<QString>(this);
    connect(watcher, &QFutureWatcher<QString>::finished, this, [this, watcher, out] {
        const QString error = watcher->result();
        watcher->deleteLater();
        if (error.isEmpty()) statusBar()->showMessage(tr("Saved the sliced model to %1").arg(out));
        else showError(tr("Export failed"), error);
    });
    watcher->setFuture(QtConcurrent::run([plan, out, precision]() -> QString {
        try {
            exportSlicedModel(plan, out, precision);
            return {};
        } catch (const std::exception& error) {
            return QString::fromUtf8(error.what());
        }
    }));
}

bool MainWindow::saveProject(const QString& file)
{
    QJsonObject project{{"format", "axformer-project"},
                        {"version", 1},
                        {"model", m_panel->modelFolder()},
                        {"task", m_panel->task()},
                        {"task_settings", m_panel->customTask()},
                        {"data", m_panel->dataPath()},
                        {"run", m_run ? m_run->folder : QString()}};
    QSaveFile out(file);
    if (!out.open(QIODevice::WriteOnly) || out.write(QJsonDocument(project).toJson()) < 0 || !out.commit()) {
        showError(tr("Could not save the project"), tr("%1: %2").arg(file, out.errorString()));
        return false;
    }
    statusBar()->showMessage(tr("Saved %1").arg(file));
    return true;
}

bool MainWindow::openProject(const QString& file)
{
    QFile in(file);
    if (!in.open(QIODevice::ReadOnly)) {
        showError(tr("Could not open the project"), tr("%1: %2").arg(file, in.errorString()));
        return false;
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(in.readAll(), &parseError);
    const QJsonObject project = document.object();
    if (document.isNull() || project.value("format").toString() != "axformer-project") {
        showError(tr("Could not open the project"),
                  tr("%1: not an AxFormer project (%2)").arg(file, document.isNull() ? parseError.errorString() : tr("format field missing")));
        return false;
    }
    m_panel->setTask(project.value("task").toString());
    if (project.contains("task_settings")) m_panel->setCustomTask(project.value("task_settings").toObject());
    m_panel->setDataPath(project.value("data").toString());
    const QString model = project.value("model").toString();
    if (!model.isEmpty()) openModel(model);
    const QString run = project.value("run").toString();
    if (!run.isEmpty()) openRun(run);
    return true;
}

void MainWindow::setClassroomMode(bool on)
{
    if (on == m_classroom) return;
    m_classroom = on;
    constexpr double kEnlarge = 1.5;
    QFont font = QApplication::font();
    if (on) {
        m_normalFontSize = font.pointSize();
        font.setPointSize(std::max(14, int(font.pointSize() * kEnlarge)));
    } else {
        font.setPointSize(m_normalFontSize);
    }
    const double factor = double(font.pointSize()) / double(QApplication::font().pointSize());
    QApplication::setFont(font);
    widgets::scalePlotFonts(this, factor);
    m_guideDock->setVisible(on);
    if (m_classroomAction && m_classroomAction->isChecked() != on) m_classroomAction->setChecked(on);
    if (on && m_guide->stepCount() > 0) m_guide->showStep(m_guide->currentStep());
}

void MainWindow::setDarkPalette(bool on)
{
    QApplication::setStyle(QStyleFactory::create("Fusion"));
    QPalette palette = QApplication::style()->standardPalette();
    if (on) {
        const QColor window(45, 45, 48), base(30, 30, 32), text(220, 220, 220), highlight(66, 133, 244);
        palette.setColor(QPalette::Window, window);
        palette.setColor(QPalette::WindowText, text);
        palette.setColor(QPalette::Base, base);
        palette.setColor(QPalette::AlternateBase, window);
        palette.setColor(QPalette::ToolTipBase, window);
        palette.setColor(QPalette::ToolTipText, text);
        palette.setColor(QPalette::Text, text);
        palette.setColor(QPalette::Button, window);
        palette.setColor(QPalette::ButtonText, text);
        palette.setColor(QPalette::Highlight, highlight);
        palette.setColor(QPalette::HighlightedText, Qt::white);
        palette.setColor(QPalette::PlaceholderText, QColor(140, 140, 140));
        palette.setColor(QPalette::Disabled, QPalette::Text, QColor(120, 120, 120));
        palette.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(120, 120, 120));
    }
    QApplication::setPalette(palette);
    QSettings().setValue("view/dark", on);
    if (m_darkAction && m_darkAction->isChecked() != on) m_darkAction->setChecked(on);
}

void MainWindow::showError(const QString& context, const QString& message)
{
    m_error->setText(QStringLiteral("%1: %2").arg(context, message));
    m_error->show();
    m_panel->appendLog(QStringLiteral("error: %1").arg(message));
    statusBar()->showMessage(tr("Error"));
}

void MainWindow::clearError()
{
    m_error->hide();
}

void MainWindow::rememberRecent(const QString& folder)
{
    QSettings settings;
    QStringList recent = settings.value("recent/models").toStringList();
    recent.removeAll(folder);
    recent.prepend(folder);
    while (recent.size() > 8) recent.removeLast();
    settings.setValue("recent/models", recent);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = QSettings().value("recent/models").toStringList();
    for (const QString& folder : recent) m_recentMenu->addAction(folder, this, [this, folder] { openModel(folder); });
    m_recentMenu->setEnabled(!recent.isEmpty());
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (event->mimeData()->hasUrls()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    for (const QUrl& url : event->mimeData()->urls()) {
        const QString path = url.toLocalFile();
        if (path.endsWith(".axproj")) openProject(path);
        else if (QFileInfo::exists(QDir(path).filePath("plan.json"))) openRun(path);
        else openModel(path);
        break;
    }
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    QSettings().setValue("window/geometry", saveGeometry());
    m_runner->cancel();
    QMainWindow::closeEvent(event);
}

}  // namespace ax::studio
