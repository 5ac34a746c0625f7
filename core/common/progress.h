// How long work reports to whoever started it (the CLI's progress line, the studio's worker), and
// how it is told to stop. The engine calls these; it never knows who listens.
#pragma once

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>

namespace ax {

struct Progress {
    std::string stage;           // "fine-tune", "evaluate", "pretrain", ...
    int64_t done = 0, total = 0; // steps
    double elapsedSeconds = 0;
    double remainingSeconds = -1; // -1 while unknown
    std::string detail;          // e.g. "epoch 2/3 loss 0.412"
};

class ProgressObserver {
public:
    virtual ~ProgressObserver() = default;
    virtual void onProgress(const Progress& /*progress*/) {}
    virtual void onMessage(const std::string& /*line*/) {}
};

// Set from any thread; long loops check it at least once per batch.
class CancelToken {
public:
    void cancel() { m_cancelled.store(true); }
    bool cancelled() const { return m_cancelled.load(); }

private:
    std::atomic<bool> m_cancelled{false};
};

// Thrown by a loop that saw its cancel token set; what it had finished is kept by the caller.
class Cancelled : public std::runtime_error {
public:
    Cancelled() : std::runtime_error("cancelled") {}
};

inline void throwIfCancelled(const CancelToken* token)
{
    if (token && token->cancelled()) throw Cancelled();
}

// Measures elapsed time and extrapolates the time left from the steps done so far.
class ProgressClock {
public:
    // `doneBefore`: work an earlier, interrupted run finished; the rate counts this run's work only.
    explicit ProgressClock(int64_t doneBefore = 0) : m_start(std::chrono::steady_clock::now()), m_doneBefore(doneBefore) {}
    Progress at(const std::string& stage, int64_t done, int64_t total, std::string detail = {}) const
    {
        Progress progress{stage, done, total, seconds(), -1, std::move(detail)};
        const int64_t doneNow = done - m_doneBefore;
        if (doneNow > 0 && total >= done) progress.remainingSeconds = progress.elapsedSeconds * double(total - done) / double(doneNow);
        return progress;
    }
    double seconds() const
    {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
    }

private:
    std::chrono::steady_clock::time_point m_start;
    int64_t m_doneBefore;
};

}  // namespace ax
