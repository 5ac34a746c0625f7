// The left side of the studio: what to run (model, task, data, a custom task's columns, k,
// tolerance), the buttons that start and cancel it, and the live progress (bar, stage, ETA) and
// log of the running job.
#pragma once

#include "studio/job_runner.h"

#include <QJsonObject>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QFormLayout;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace ax::studio {

class RunPanel : public QWidget {
    Q_OBJECT
public:
    explicit RunPanel(QWidget* parent = nullptr);

    QString modelFolder() const;
    void setModelFolder(const QString& folder);
    QString task() const;
    void setTask(const QString& task);
    // A custom task's fields in plan.json's "task_settings" shape: {"columns": {"text", "text_pair",
    // "label"}, "labels": [...], "kind": "classification"|"regression", "metric"}.
    QJsonObject customTask() const;
    void setCustomTask(const QJsonObject& settings);
    QString dataPath() const;
    void setDataPath(const QString& path);
    void setTopK(int k);
    void setTolerance(double tolerance);
    // The search request the form describes (out and overrides left to the caller).
    SearchRequest request() const;
    FineTuneRequest fineTuneRequest() const;

    void setBusy(bool busy);
    void showProgress(const QString& stage, qint64 done, qint64 total, double elapsed, double remaining, const QString& detail);
    void appendLog(const QString& line);
    QString log() const;

Q_SIGNALS:
    void runSearchClicked();
    void fineTuneClicked();
    void runDemoClicked();
    void cancelClicked();

private:
    void fillTaskFields(TaskRequest& request) const;
    // The column rows are shown only while the task is "custom".
    void showCustomTaskRows();

    QLineEdit* m_model;
    QComboBox* m_task;
    QLineEdit* m_data;
    QLineEdit* m_textColumn;
    QLineEdit* m_textPairColumn;
    QLineEdit* m_labelColumn;
    QLineEdit* m_labels;
    QCheckBox* m_regression;
    QComboBox* m_metric;
    QFormLayout* m_form;
    QWidget* m_columnsRow;
    QWidget* m_labelsRow;
    QSpinBox* m_maxSeqLength;
    QSpinBox* m_topK;
    QDoubleSpinBox* m_tolerance;
    QCheckBox* m_int8;
    QCheckBox* m_bf16;
    QCheckBox* m_distilled;
    QSpinBox* m_epochs;
    QDoubleSpinBox* m_learningRate;
    QPushButton* m_fineTune;
    QPushButton* m_search;
    QPushButton* m_demo;
    QPushButton* m_cancel;
    QProgressBar* m_bar;
    QLabel* m_stage;
    QPlainTextEdit* m_log;
};

// "1:05" / "1:02:03"
QString formatDuration(double seconds);

}  // namespace ax::studio
