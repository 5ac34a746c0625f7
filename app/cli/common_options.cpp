#include "cli/command.h"

#include <ATen/Parallel.h>

#include <thread>

namespace ax::cli {

void addCommonOptions(Command& command)
{
    command.options.insert("threads");
    command.flags.insert("quiet");
}

void applyThreadSetting(const Arguments& arguments)
{
    // LibTorch defaults to one thread on these machines; use every core unless told otherwise.
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    at::set_num_threads(arguments.integer("threads", cores, 1, 1024));
}

}  // namespace ax::cli
