// Exporting a run's plan as a physically sliced model folder (what `axformer apply` does).
#pragma once

#include <QString>

namespace ax::studio {

// Loads the plan's base model, slices it, quantizes it to dynamic int8 when `int8` is set, and
// saves a Hugging Face folder at `out` (atomically), with plan.json beside the weights. Throws
// ax::Error naming the file at fault.
void exportSlicedModel(const QString& planFile, const QString& out, bool int8 = false);

}  // namespace ax::studio
