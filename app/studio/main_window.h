// The studio's main window. For now it opens a model folder (on a worker thread, so the window
// stays responsive while weights load and are validated) and shows its summary.
#pragma once

#include <QFutureWatcher>
#include <QMainWindow>

#include <functional>

class QLabel;

namespace ax::widgets {
class ModelSummaryView;
struct ModelSummary;
}  // namespace ax::widgets

namespace ax::studio {

// The result of loading a model folder off the GUI thread: a summary, or the error text.
struct ModelLoadResult;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    void openModel(const QString& folder);
    bool isBusy() const;

Q_SIGNALS:
    // Emitted when a model load ends, successfully or not (the window shows which).
    void modelLoadFinished(bool ok);

private:
    void chooseModel();
    void showLoadResult();
    void showError(const QString& message);

    widgets::ModelSummaryView* m_summary;
    QLabel* m_error;
    QFutureWatcher<ModelLoadResult>* m_loading;
};

}  // namespace ax::studio
