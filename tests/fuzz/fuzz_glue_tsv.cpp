// GLUE TSV files in each task's layout (header or none, BOM, quoting-free columns, labels): the
// first byte picks the task, the rest is its train.tsv.
#include "data/glue_loader.h"
#include "data/task.h"
#include "fuzz_input.h"

#include <array>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size == 0) return 0;
    static const std::array<const char*, 9> tasks = {"cola", "sst2", "mrpc", "stsb", "qqp", "mnli", "qnli", "rte", "wnli"};
    const ax::TaskSpec& task = ax::taskSpec(tasks[data[0] % tasks.size()]);
    return ax::fuzz::expectCleanError([&] {
        const std::filesystem::path folder = ax::fuzz::scratchFolder() / "glue";
        std::filesystem::create_directories(folder);
        std::filesystem::rename(ax::fuzz::writeInput("train.tsv", data + 1, size - 1), folder / "train.tsv");
        ax::loadGlueSplit(task, folder, "train");
    });
}
