// Shows an engine job's progress on the terminal: a redrawn bar with ETA on a TTY, plain lines
// (at most one every few seconds) when the output is a file or pipe, nothing with --quiet.
// Progress goes to stderr so that stdout stays clean for --json.
#pragma once

#include "common/progress.h"
#include "search/axformer_search.h"

#include <chrono>

namespace ax::cli {

class ProgressPrinter : public ProgressObserver {
public:
    explicit ProgressPrinter(bool quiet);
    ~ProgressPrinter() override;

    void onProgress(const Progress& progress) override;
    void onMessage(const std::string& line) override;

private:
    void endBar();

    bool m_quiet;
    bool m_terminal;
    bool m_barShown = false;
    std::chrono::steady_clock::time_point m_lastLine;
};

// "1:05", "2:03:10": a duration for people.
std::string formatDuration(double seconds);

// The progress printer plus a line for every applied decision (search and demo).
class SearchPrinter : public SearchObserver {
public:
    explicit SearchPrinter(bool quiet) : m_progress(quiet), m_quiet(quiet) {}
    void onProgress(const Progress& progress) override { m_progress.onProgress(progress); }
    void onMessage(const std::string& line) override { m_progress.onMessage(line); }
    void onDecision(const Decision& decision) override;

private:
    ProgressPrinter m_progress;
    bool m_quiet;
};

}  // namespace ax::cli
