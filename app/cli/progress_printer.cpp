#include "cli/progress_printer.h"

#include <cstdio>
#include <iostream>
#include <sstream>
#include <unistd.h>

namespace ax::cli {

std::string formatDuration(double seconds)
{
    if (seconds < 0) return "?";
    const long total = static_cast<long>(seconds + 0.5);
    char text[32];
    if (total >= 3600) std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", total / 3600, total / 60 % 60, total % 60);
    else std::snprintf(text, sizeof text, "%ld:%02ld", total / 60, total % 60);
    return text;
}

ProgressPrinter::ProgressPrinter(bool quiet) : m_quiet(quiet), m_terminal(::isatty(STDERR_FILENO) == 1) {}

ProgressPrinter::~ProgressPrinter()
{
    endBar();
}

void ProgressPrinter::endBar()
{
    if (m_barShown) std::cerr << "\n";
    m_barShown = false;
}

void ProgressPrinter::onProgress(const Progress& progress)
{
    if (m_quiet || progress.total <= 0) return;
    const double fraction = static_cast<double>(progress.done) / static_cast<double>(progress.total);
    const std::string eta = "elapsed " + formatDuration(progress.elapsedSeconds) + ", left " + formatDuration(progress.remainingSeconds);
    if (m_terminal) {
        const int width = 30;
        const int filled = static_cast<int>(fraction * width);
        std::cerr << "\r" << progress.stage << " [" << std::string(static_cast<size_t>(filled), '#')
                  << std::string(static_cast<size_t>(width - filled), '.') << "] " << progress.done << "/" << progress.total
                  << " " << eta << "  " << progress.detail << "\x1b[K" << std::flush;
        m_barShown = true;
        return;
    }
    const auto now = std::chrono::steady_clock::now();
    if (progress.done != progress.total && now - m_lastLine < std::chrono::seconds(5)) return;
    m_lastLine = now;
    std::cerr << progress.stage << " " << progress.done << "/" << progress.total << " (" << static_cast<int>(fraction * 100)
              << "%) " << eta << (progress.detail.empty() ? "" : " " + progress.detail) << "\n";
}

void ProgressPrinter::onMessage(const std::string& line)
{
    if (m_quiet) return;
    endBar();
    std::cerr << line << "\n";
}

void SearchPrinter::onDecision(const Decision& decision)
{
    if (m_quiet || !decision.applied) return;
    std::ostringstream line;
    line << "applied: " << decision.element.describe() << " (val loss " << decision.loss << ", " << decision.agreeCount
         << " examples not worse" << (decision.source == "user" ? ", forced by the user" : "") << ")";
    m_progress.onMessage(line.str());
}

}  // namespace ax::cli
