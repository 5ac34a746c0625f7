// SQuAD v1.1 JSON: articles, paragraphs, questions, answers and their character offsets.
#include "data/squad.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    return ax::fuzz::expectCleanError([&] {
        const auto questions = ax::loadSquad(ax::fuzz::writeInput("dev-v1.1.json", data, size), "dev");
        ax::squadExamples(questions);
    });
}
