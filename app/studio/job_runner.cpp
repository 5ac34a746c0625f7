#include "studio/job_runner.h"

#include "common/error.h"
#include "data/custom_task.h"
#include "demo/demo_pipeline.h"
#include "search/search_job.h"
#include "train/fine_tune_job.h"

#include <QThread>

#include <algorithm>
#include <chrono>
#include <memory>
#include <sstream>

namespace ax::studio {

// Forwards engine reports as JobRunner signals, at most ~10 progress updates a second so that a
// fast loop cannot flood the event loop. The signals are emitted on the runner's (GUI) thread, not
// on the worker: a receiver with a direct connection would otherwise run on the worker, racing
// with the GUI thread (Qt 6.4's QSignalSpy connects so and appends to its list without a lock;
// ThreadSanitizer's finding, docs/RELIABILITY.md).
class QtSearchObserver : public SearchObserver {
public:
    QtSearchObserver(JobRunner* runner, int job) : m_runner(runner), m_job(job) {}

    void onProgress(const Progress& p) override
    {
        const auto now = std::chrono::steady_clock::now();
        if (p.done < p.total && now - m_last < std::chrono::milliseconds(100)) return;
        m_last = now;
        m_runner->report([runner = m_runner, job = m_job, stage = QString::fromStdString(p.stage), done = p.done, total = p.total,
                          elapsed = p.elapsedSeconds, remaining = p.remainingSeconds, detail = QString::fromStdString(p.detail)] {
            Q_EMIT runner->progress(job, stage, done, total, elapsed, remaining, detail);
        });
    }
    void onMessage(const std::string& line) override { postMessage(QString::fromStdString(line)); }
    void onCandidate(const CandidateRecord& c) override
    {
        m_runner->report([runner = m_runner, job = m_job, sequence = int(c.sequence),
                          label = QString::fromStdString(c.element ? c.element->describe() : "baseline"), metric = c.valMetric,
                          parameters = c.parameters, accepted = c.accepted] {
            Q_EMIT runner->candidate(job, sequence, label, metric, parameters, accepted);
        });
    }
    void onDecision(const Decision& d) override
    {
        std::ostringstream line;
        line << (d.applied ? "applied " : "kept ") << d.element.describe() << " (val loss " << d.loss << ")"
             << (d.source == "user" ? ", forced by you" : "");
        postMessage(QString::fromStdString(line.str()));
    }
    void finish(bool ok, const QString& error, const QString& folder)
    {
        m_runner->report([runner = m_runner, job = m_job, ok, error, folder] { Q_EMIT runner->finished(job, ok, error, folder); });
    }

private:
    void postMessage(const QString& line)
    {
        m_runner->report([runner = m_runner, job = m_job, line] { Q_EMIT runner->message(job, line); });
    }

    JobRunner* m_runner;
    int m_job;
    std::chrono::steady_clock::time_point m_last{};
};

namespace {

std::map<Element, bool> overridesFrom(const std::map<QString, bool>& given)
{
    std::map<Element, bool> result;
    for (const auto& [key, on] : given) {
        const QStringList parts = key.split(':');
        if (parts.size() < 2) throw Error("bad override " + key.toStdString());
        result[{kindFromName(parts[0].toStdString(), "override"), parts[1].toInt(), parts.size() > 2 ? parts[2].toInt() : -1}] = on;
    }
    return result;
}

// The task a request names: a built-in one, or a custom task described by its columns (its
// labels read from the train file here, on the worker).
std::shared_ptr<const TaskSpec> taskFor(const TaskRequest& request)
{
    if (request.task != QLatin1String("custom"))
        return std::shared_ptr<const TaskSpec>(&taskSpec(request.task.toStdString()), [](const TaskSpec*) {});
    CustomTaskSettings settings;
    settings.columns.text = request.textColumn.trimmed().toStdString();
    settings.columns.textPair = request.textPairColumn.trimmed().toStdString();
    settings.columns.label = request.labelColumn.trimmed().toStdString();
    for (const QString& label : request.labels.split(QLatin1Char(','), Qt::SkipEmptyParts))
        settings.labels.push_back(label.trimmed().toStdString());
    settings.regression = request.regression;
    settings.metric = request.metric.toStdString();
    return std::make_shared<const TaskSpec>(customTaskSpec(settings, request.data.toStdString()));
}

// The fields every task job shares: model, task, data, output folder and sequence length. The
// returned task is the one job.task points to: keep it while the job runs.
template <typename Job>
std::shared_ptr<const TaskSpec> fillTaskFields(Job& job, const TaskRequest& request)
{
    std::shared_ptr<const TaskSpec> task = taskFor(request);
    job.model = request.model.toStdString();
    job.task = task.get();
    job.data = request.data.toStdString();
    job.evaluation.maxSeqLength = request.maxSeqLength;
    job.evaluation.docStride = request.maxSeqLength / 2;
    job.out = request.out.toStdString();
    return task;
}

}  // namespace

JobRunner::JobRunner(QObject* parent) : QObject(parent) {}

JobRunner::~JobRunner()
{
    // Every thread still running reports to this object: stop them all and wait. Their queued
    // QThread::finished handlers, which would delete them, go with this object, so delete them
    // here (each one held its job and cancel token: leaked before).
    for (const Running& running : m_running) running.cancel->cancel();
    for (const Running& running : m_running) {
        running.thread->wait();
        delete running.thread;
    }
    // Reports queued by now are never emitted. Emptying the queue under its lock also orders the
    // last worker's writes before this object's end where ThreadSanitizer can see it (the order
    // QThread::wait gives comes from inside uninstrumented Qt).
    const std::lock_guard<std::mutex> lock(m_reportsMutex);
    m_reports.clear();
}

void JobRunner::report(std::function<void()> emitter)
{
    const std::lock_guard<std::mutex> lock(m_reportsMutex);
    // One queued call empties the list; it is posted with the first report and under the lock, so
    // that everything the worker did before (Qt allocates the call) happens before emitReports.
    if (m_reports.empty()) QMetaObject::invokeMethod(this, "emitReports", Qt::QueuedConnection);
    m_reports.push_back(std::move(emitter));
}

void JobRunner::emitReports()
{
    std::vector<std::function<void()>> reports;
    {
        const std::lock_guard<std::mutex> lock(m_reportsMutex);
        reports.swap(m_reports);
    }
    for (const auto& emitReport : reports) emitReport();
}

bool JobRunner::isRunning() const
{
    return !m_running.empty() && m_running.back().thread->isRunning();
}

void JobRunner::cancel()
{
    for (const Running& running : m_running) running.cancel->cancel();
}

int JobRunner::start(const std::function<QString(QtSearchObserver&, const CancelToken&)>& work)
{
    cancel();
    const int job = ++m_job;
    auto token = std::make_shared<CancelToken>();
    QThread* thread = QThread::create([this, job, token, work] {
        QtSearchObserver observer(this, job);
        bool ok = false;
        QString error, folder;
        try {
            folder = work(observer, *token);
            ok = true;
        } catch (const Cancelled&) {
        } catch (const std::exception& failure) {
            error = QString::fromUtf8(failure.what());
        }
        observer.finish(ok, error, folder);
    });
    connect(thread, &QThread::finished, this, [this, thread] {
        m_running.erase(std::remove_if(m_running.begin(), m_running.end(), [thread](const Running& r) { return r.thread == thread; }),
                        m_running.end());
        thread->deleteLater();
    });
    m_running.push_back({thread, token});
    thread->start(QThread::LowPriority);
    return job;
}

int JobRunner::startDemo(const QString& folder, double scale)
{
    return start([folder, scale](QtSearchObserver& observer, const CancelToken& cancel) {
        DemoSettings settings;
        settings.folder = folder.toStdString();
        settings.scale = scale;
        const DemoResult result = runDemo(settings, &observer, &cancel);
        return QString::fromStdString(result.search.string());
    });
}

int JobRunner::startFineTune(const FineTuneRequest& request)
{
    return start([request](QtSearchObserver& observer, const CancelToken& cancel) {
        FineTuneJob job;
        const auto task = fillTaskFields(job, request);
        job.settings.epochs = request.epochs;
        job.settings.batchSize = request.batchSize;
        job.settings.optimizer.learningRate = request.learningRate;
        runFineTuneJob(job, &observer, &cancel);
        return request.out;
    });
}

int JobRunner::startSearch(const SearchRequest& request)
{
    return start([request](QtSearchObserver& observer, const CancelToken& cancel) {
        SearchJob job;
        const auto task = fillTaskFields(job, request);
        job.dataOptions.valFraction = request.valFraction;
        job.dataOptions.maxTrain = size_t(request.maxTrain);
        job.resume = std::filesystem::exists(job.out / "journal.jsonl") && !std::filesystem::exists(job.out / "plan.json");
        job.significance = request.significance;
        job.int8 = request.int8;
        job.bf16 = request.bf16;
        if (request.distillEpochs > 0) {
            FineTuneSettings distill;
            distill.epochs = request.distillEpochs;
            distill.optimizer.learningRate = request.distillLearningRate;
            job.distill = distill;
        }
        job.settings.topK = request.topK;
        job.settings.tolerance = request.tolerance;
        job.settings.overrides = overridesFrom(request.overrides);
        runSearchJob(job, &observer, &cancel);
        return request.out;
    });
}

}  // namespace ax::studio
