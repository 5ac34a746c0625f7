// Shows an engine job's progress on the terminal: a redrawn bar with ETA on a TTY, plain lines
// (at most one every few seconds) when the output is a file or pipe, nothing with --quiet.
// Progress goes to stderr so that stdout stays clean for --json.
#pragma once

#include "common/progress.h"

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

}  // namespace ax::cli
