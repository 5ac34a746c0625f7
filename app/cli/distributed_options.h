// The options of commands that can share their evaluation among processes (search, eval):
// --world-size, --rank, --master, --dist-timeout, or torchrun's environment variables
// (docs/DISTRIBUTED.md).
#pragma once

#include "cli/command.h"
#include "distributed/collective.h"

#include <memory>

namespace ax::cli {

void addDistributedOptions(Command& command);

// The number of processes the arguments (or the environment) ask for; 1 when none.
int worldSizeFrom(const Arguments& arguments);

// Joins the process group when the world has more than one process (blocking until all have
// joined); null otherwise. Throws UsageError for inconsistent settings.
std::unique_ptr<Collective> joinFromArguments(const Arguments& arguments);

}  // namespace ax::cli
