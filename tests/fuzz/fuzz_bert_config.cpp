// config.json as a model folder carries it.
#include "fuzz_input.h"
#include "io/bert_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    return ax::fuzz::expectCleanError([&] { ax::BertConfig::fromFile(ax::fuzz::writeInput("config.json", data, size)); });
}
