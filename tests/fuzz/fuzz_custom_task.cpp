// A custom task's train file as TSV, CSV (quoting) or JSONL: the first byte picks the format (its
// low two bits), a text pair or not (bit 2), an id column or not (bit 3), and classification
// (labels read from the file, as `--task custom` does) or regression (bit 4); the rest is the file.
#include "data/custom_task.h"
#include "data/task_split.h"
#include "fuzz_input.h"

#include <array>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size == 0) return 0;
    static const std::array<const char*, 3> files = {"train.tsv", "train.csv", "train.jsonl"};
    const uint8_t choice = data[0];
    const char* const file = files[(choice & 3) % 3];
    return ax::fuzz::expectCleanError([&] {
        const std::filesystem::path folder = ax::fuzz::scratchFolder() / "custom";
        std::filesystem::remove_all(folder);
        std::filesystem::create_directories(folder);
        std::filesystem::rename(ax::fuzz::writeInput(file, data + 1, size - 1), folder / file);
        ax::CustomTaskSettings settings;
        if (choice & 0x04) settings.columns.textPair = "text_b";
        if (choice & 0x08) settings.columns.id = "id";
        settings.regression = (choice & 0x10) != 0;
        const ax::TaskSpec task = ax::customTaskSpec(settings, folder);
        ax::loadTaskSplit(task, folder, "train");
    });
}
