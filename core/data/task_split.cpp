#include "data/task_split.h"

#include "data/custom_task.h"
#include "data/glue_loader.h"

namespace ax {

Dataset loadTaskSplit(const TaskSpec& task, const std::filesystem::path& data, const std::string& split)
{
    return task.columns ? loadCustomSplit(task, data, split) : loadGlueSplit(task, data, split);
}

std::vector<std::string> taskSplitNames(const TaskSpec& task)
{
    if (task.columns) return {"train", "dev"};
    return glueSplitNames(task);
}

}  // namespace ax
