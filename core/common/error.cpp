#include "common/error.h"

namespace ax {

void failIn(const std::string& file, const std::string& what)
{
    throw Error(file + ": " + what);
}

}  // namespace ax
