// Exporting a run's plan as a physically sliced model folder (what `axformer apply` does).
#pragma once

#include "model/precision.h"

#include <QString>

namespace ax::studio {

// Loads the plan's base model, slices it, converts it to `precision` (dynamic int8 encoder
// projections or bfloat16 weights), and saves a Hugging Face folder at `out` (atomically), with
// plan.json beside the weights. Throws ax::Error naming the file at fault.
void exportSlicedModel(const QString& planFile, const QString& out, Precision precision = Precision::Float32);

}  // namespace ax::studio
