// The studio's main window: opens a model (or a finished run, or a project), runs the demo or a
// search on a worker thread with live progress and Cancel, and shows the results in views:
// significance heatmaps, attention before/after hardening, the Pareto front, the plan editor and
// the report. Overriding a decision re-runs the search in the background, dropping stale runs.
#pragma once

#include "model/attention_probe.h"
#include "studio/run_data.h"

#include <QFutureWatcher>
#include <QMainWindow>

#include <map>
#include <optional>

class QLabel;
class QLineEdit;
class QSpinBox;
class QTabWidget;
class QTextBrowser;
class QComboBox;
class QTimer;
class QDockWidget;

namespace ax::widgets {
class AttentionMapView;
class ImportanceHeatmapView;
class ModelSummaryView;
class ParetoView;
class PlanEditorView;
struct ModelSummary;
}  // namespace ax::widgets

namespace ax::studio {

class ClassroomGuide;
class JobRunner;
class RunPanel;
struct ModelLoadResult;
struct RunLoadResult;
struct AttentionResult;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    void openModel(const QString& folder);
    void openRun(const QString& folder);
    void runDemo(const QString& folder = {});  // default: the user's demo cache
    void runSearch();
    void runFineTune();
    bool openProject(const QString& file);
    bool saveProject(const QString& file);
    bool isBusy() const;
    void setClassroomMode(bool on);
    void setDarkPalette(bool on);
    // Shows `text`'s attention in the Attention tab (once a run's model is known).
    void showSentence(const QString& text);

    // For tests and the screenshot option.
    QTabWidget* tabs() const { return m_tabs; }
    const std::optional<RunData>& run() const { return m_run; }
    JobRunner* runner() const { return m_runner; }
    RunPanel* runPanel() const { return m_panel; }
    ClassroomGuide* guide() const { return m_guide; }

Q_SIGNALS:
    void modelLoadFinished(bool ok);
    void runLoadFinished(bool ok);
    void jobFinished(bool ok);
    void attentionShown(bool ok);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void closeEvent(QCloseEvent* event) override;

private:
    void buildMenus();
    QWidget* buildAttentionTab();
    void chooseModel();
    void chooseRun();
    void showLoadResult();
    void showRun();
    void showPoint(int pointId);
    void showError(const QString& context, const QString& message);
    void clearError();
    void onJobFinished(int job, bool ok, const QString& error, const QString& runFolder);
    void onOverride(int row, int state);
    void rerunWithOverrides();
    void probeAttention();
    void showAttention();
    void exportCurrentPlot();
    void exportText(const QString& what);
    void exportModel();
    void rememberRecent(const QString& folder);
    void rebuildRecentMenu();

    RunPanel* m_panel;
    JobRunner* m_runner;
    QTabWidget* m_tabs;
    QLabel* m_error;
    QLabel* m_summaryLine;
    widgets::ModelSummaryView* m_summary;
    widgets::ImportanceHeatmapView* m_headMap;
    widgets::ImportanceHeatmapView* m_groupMap;
    widgets::AttentionMapView* m_attention;
    widgets::ParetoView* m_pareto;
    widgets::PlanEditorView* m_plan;
    QTextBrowser* m_report;
    QComboBox* m_attentionText;
    QSpinBox* m_attentionLayer;
    QSpinBox* m_attentionHead;
    QMenu* m_recentMenu = nullptr;
    ClassroomGuide* m_guide;
    QDockWidget* m_guideDock;
    QAction* m_classroomAction = nullptr;
    QAction* m_darkAction = nullptr;
    bool m_classroom = false;
    QFutureWatcher<ModelLoadResult>* m_loading;
    QFutureWatcher<RunLoadResult>* m_runLoading;
    QFutureWatcher<AttentionResult>* m_attentionLoading;
    std::optional<RunData> m_run;
    std::optional<AttentionSample> m_sample;
    std::map<QString, bool> m_overrides;  // "kind:layer[:index]" -> forced on/off, for the next run
    int m_rerunCount = 0;
    QString m_modelShown;                  // canonical folder of the model in the Model tab
    QString m_pendingSentence;             // asked for before a run was open
    QString m_significanceSource;          // a re-run reuses this run's significance.json
    QTimer* m_rerunTimer;                  // overrides re-run the search once the user pauses
    bool m_showingOverrides = false;       // the window itself is filling in the plan view's overrides
    QVector<widgets::ConfigurationPoint> m_livePoints;  // the running search's configurations so far
    QTimer* m_liveRepaint;                 // batches their repaints
    QComboBox* m_exportPrecision = nullptr;  // the plan tab's precision for exported models
    int m_normalFontSize = 0;             // the point size before classroom mode enlarged it
};

}  // namespace ax::studio
