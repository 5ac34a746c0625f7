#include "studio/job_runner.h"

#include "common/error.h"
#include "demo/demo_pipeline.h"
#include "search/search_job.h"
#include "train/fine_tune_job.h"

#include <QThread>

#include <algorithm>
#include <chrono>
#include <sstream>

namespace ax::studio {

// Forwards engine reports as JobRunner signals (queued to the GUI thread by Qt), at most ~10
// progress updates a second so that a fast loop cannot flood the event loop.
class QtSearchObserver : public SearchObserver {
public:
    QtSearchObserver(JobRunner* runner, int job) : m_runner(runner), m_job(job) {}

    void onProgress(const Progress& p) override
    {
        const auto now = std::chrono::steady_clock::now();
        if (p.done < p.total && now - m_last < std::chrono::milliseconds(100)) return;
        m_last = now;
        Q_EMIT m_runner->progress(m_job, QString::fromStdString(p.stage), p.done, p.total, p.elapsedSeconds, p.remainingSeconds,
                                  QString::fromStdString(p.detail));
    }
    void onMessage(const std::string& line) override { Q_EMIT m_runner->message(m_job, QString::fromStdString(line)); }
    void onCandidate(const CandidateRecord& c) override
    {
        Q_EMIT m_runner->candidate(m_job, int(c.sequence), QString::fromStdString(c.element ? c.element->describe() : "baseline"),
                                   c.valMetric, c.parameters, c.accepted);
    }
    void onDecision(const Decision& d) override
    {
        std::ostringstream line;
        line << (d.applied ? "applied " : "kept ") << d.element.describe() << " (val loss " << d.loss << ")"
             << (d.source == "user" ? ", forced by you" : "");
        Q_EMIT m_runner->message(m_job, QString::fromStdString(line.str()));
    }

private:
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

// The fields every task job shares: model, task, data, output folder and sequence length.
template <typename Job>
void fillTaskFields(Job& job, const TaskRequest& request)
{
    job.model = request.model.toStdString();
    job.task = &taskSpec(request.task.toStdString());
    job.data = request.data.toStdString();
    job.evaluation.maxSeqLength = request.maxSeqLength;
    job.evaluation.docStride = request.maxSeqLength / 2;
    job.out = request.out.toStdString();
}

}  // namespace

JobRunner::JobRunner(QObject* parent) : QObject(parent) {}

JobRunner::~JobRunner()
{
    // Every thread still running reports to this object: stop them all and wait.
    for (const Running& running : m_running) running.cancel->cancel();
    for (const Running& running : m_running) running.thread->wait();
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
        Q_EMIT finished(job, ok, error, folder);
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
        fillTaskFields(job, request);
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
        fillTaskFields(job, request);
        job.dataOptions.valFraction = request.valFraction;
        job.dataOptions.maxTrain = size_t(request.maxTrain);
        job.resume = std::filesystem::exists(job.out / "journal.jsonl") && !std::filesystem::exists(job.out / "plan.json");
        job.significance = request.significance;
        job.settings.topK = request.topK;
        job.settings.tolerance = request.tolerance;
        job.settings.overrides = overridesFrom(request.overrides);
        runSearchJob(job, &observer, &cancel);
        return request.out;
    });
}

}  // namespace ax::studio
