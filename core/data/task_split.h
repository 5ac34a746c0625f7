// One split of a text task's data, wherever its kind keeps it: the GLUE files, or a custom task's
// own files (SQuAD's questions have their own loader, data/squad.h).
#pragma once

#include "data/example.h"
#include "data/task.h"

#include <filesystem>
#include <string>
#include <vector>

namespace ax {

// loadCustomSplit for a custom task (task.columns set), loadGlueSplit otherwise.
Dataset loadTaskSplit(const TaskSpec& task, const std::filesystem::path& data, const std::string& split);

// The split names loadTaskSplit accepts for `task`.
std::vector<std::string> taskSplitNames(const TaskSpec& task);

}  // namespace ax
