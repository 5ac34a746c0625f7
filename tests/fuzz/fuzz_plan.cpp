// plan.json, read and then turned into masks for a fixed two-layer model, as `axformer apply`
// does: indices the model lacks must be refused with a clear error, not index out of range.
#include "fuzz_input.h"
#include "io/bert_config.h"
#include "search/plan.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static const ax::BertConfig model = ax::BertConfig::standard(30, 8, 2, 2, 16);
    return ax::fuzz::expectCleanError([&] {
        const ax::Plan plan = ax::Plan::fromFile(ax::fuzz::writeInput("plan.json", data, size));
        plan.approximation(model, "plan.json");
    });
}
