#include "common/thread_count.h"

#include <algorithm>
#include <cstdlib>
#include <string>
#include <thread>

namespace ax {

int defaultThreadCount()
{
    if (const char* exported = std::getenv("OMP_NUM_THREADS")) {
        // OpenMP's own syntax allows a list ("4,2" for nested levels): the first entry is ours.
        const std::string text(exported);
        char* end = nullptr;
        const long threads = std::strtol(text.c_str(), &end, 10);
        if (end != text.c_str() && (*end == '\0' || *end == ',') && threads >= 1 && threads <= 1024)
            return static_cast<int>(threads);
    }
    return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace ax
