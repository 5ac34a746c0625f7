#include "cli/command.h"

#include "common/thread_count.h"

#include <ATen/Parallel.h>

namespace ax::cli {

void addCommonOptions(Command& command)
{
    command.options.insert("threads");
    command.flags.insert("quiet");
}

void applyThreadSetting(const Arguments& arguments)
{
    at::set_num_threads(arguments.integer("threads", defaultThreadCount(), 1, 1024));
}

}  // namespace ax::cli
