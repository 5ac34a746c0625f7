// Runs one engine job at a time (the demo, a search) on its own QThread and reports through
// signals emitted on the runner's own thread (queued from the worker, whatever the receiver's
// connection), so the window never waits on LibTorch. Starting a new job cancels the running
// one; whatever a cancelled or superseded job reports afterwards is dropped (stale results never
// reach the views).
#pragma once

#include <QObject>
#include <QString>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

class QThread;

namespace ax {
class CancelToken;
}

namespace ax::studio {

// What every job on a task names (plain values; the runner builds the engine's job).
struct TaskRequest {
    QString model, task, data, out;
    int maxSeqLength = 128;
    // Task "custom": the column names (or JSONL keys) of its files; labels "a,b,c" in id order
    // (empty: the train file's, sorted); the metric (empty: accuracy, pearson).
    QString textColumn = QStringLiteral("text"), textPairColumn, labelColumn = QStringLiteral("label"), labels, metric;
    bool regression = false;
};

// What the window asks a search to do.
struct SearchRequest : TaskRequest {
    int topK = 30;
    double tolerance = 0;
    double valFraction = 0.15;
    int maxTrain = 0;
    bool significance = true;
    bool int8 = false;  // also the baseline and final configuration in int8, as their own points
    bool bf16 = false;  // the same in bfloat16
    int distillEpochs = 0;  // > 0: also the final configuration re-fine-tuned with the model as teacher
    double distillLearningRate = 2e-5;
    // "kind:layer[:index]" -> true (force on) / false (force off)
    std::map<QString, bool> overrides;
};

// Fine-tuning a pretrained model on a task.
struct FineTuneRequest : TaskRequest {
    int epochs = 3;
    double learningRate = 1e-4;
    int batchSize = 32;
};

class JobRunner : public QObject {
    Q_OBJECT
public:
    explicit JobRunner(QObject* parent = nullptr);
    ~JobRunner() override;  // cancels and waits for a running job

    // Each returns the new job's id; any running job is cancelled first.
    int startDemo(const QString& folder, double scale = 1.0);
    int startSearch(const SearchRequest& request);
    int startFineTune(const FineTuneRequest& request);  // finished() then carries the fine-tuned model folder
    void cancel();
    bool isRunning() const;  // the current job's thread runs
    bool isIdle() const { return m_running.empty(); }  // no thread left, cancelled ones included
    int currentJob() const { return m_job; }

Q_SIGNALS:
    void progress(int job, const QString& stage, qint64 done, qint64 total, double elapsedSeconds, double remainingSeconds,
                  const QString& detail);
    void message(int job, const QString& line);
    // Each configuration a search evaluates, as it is evaluated (the live Pareto front).
    void candidate(int job, int sequence, const QString& label, double valMetric, qint64 parameters, bool accepted);
    // ok: finished; otherwise cancelled (error empty) or failed (error says why). runFolder holds
    // plan.json, pareto.json, significance.json and report.md when ok.
    void finished(int job, bool ok, const QString& error, const QString& runFolder);

private:
    friend class QtSearchObserver;
    // Any thread: queues one emission for the runner's thread. The reports pass through a mutex
    // the sanitizers see, not through Qt's (uninstrumented) event handoff of functors.
    void report(std::function<void()> emitter);
    Q_INVOKABLE void emitReports();  // runner's thread

    int start(const std::function<QString(class QtSearchObserver&, const CancelToken&)>& work);

    struct Running {
        QThread* thread;
        std::shared_ptr<CancelToken> cancel;
    };
    int m_job = 0;
    std::vector<Running> m_running;  // the current job last; cancelled ones until their thread ends
    std::mutex m_reportsMutex;
    std::vector<std::function<void()>> m_reports;  // guarded by m_reportsMutex
};

}  // namespace ax::studio
