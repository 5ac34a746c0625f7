#include "model/precision_names.h"

namespace ax {

std::optional<Precision> precisionNamed(const std::string& name)
{
    if (name == "int8") return Precision::Int8;
    if (name == "bf16") return Precision::BFloat16;
    return std::nullopt;
}

std::string describePrecision(Precision precision)
{
    switch (precision) {
    case Precision::Float32: return "float32";
    case Precision::Int8: return "int8 encoder projections";
    case Precision::BFloat16: return "bfloat16";
    }
    return "unknown";
}

}  // namespace ax
