// How the CLI and people name a Precision (model/precision.h): one place for both spellings.
#pragma once

#include "model/precision.h"

#include <optional>
#include <string>

namespace ax {

// "int8" or "bf16", as `apply --quantize` and `search --int8/--bf16` spell them; none otherwise.
std::optional<Precision> precisionNamed(const std::string& name);

// "float32", "int8 encoder projections" or "bfloat16": for `info`, the studio and messages.
std::string describePrecision(Precision precision);

}  // namespace ax
