// One `axformer` sub-command: its name, help text, accepted options and what it does.
#pragma once

#include "cli/arguments.h"

#include <functional>
#include <set>
#include <string>
#include <vector>

namespace ax::cli {

struct Command {
    std::string name;
    std::string summary;                 // one line for `axformer --help`
    std::string usage;                   // the full `--help` text of the command
    std::set<std::string> flags;
    std::set<std::string> options;
    std::function<int(const Arguments&)> run;  // returns the exit code
};

// Options every command accepts.
void addCommonOptions(Command& command);
// Applies --threads (default: every core) to LibTorch's intra-op pool.
void applyThreadSetting(const Arguments& arguments);

Command tokenizeCommand();
Command inspectCommand();
Command infoCommand();
Command modelsCommand();
Command fillMaskCommand();
Command finetuneCommand();
Command evalCommand();
Command searchCommand();
Command applyCommand();
Command pretrainCommand();
Command scoreCommand();
Command benchCommand();
Command demoCommand();

}  // namespace ax::cli
