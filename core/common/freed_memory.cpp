#include "common/freed_memory.h"

#include <cstdlib>  // defines __GLIBC__ on glibc

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace ax {

void returnFreedMemoryToSystem()
{
#if defined(__GLIBC__)
    ::malloc_trim(0);
#endif
}

}  // namespace ax
