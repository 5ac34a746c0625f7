#include "common/freed_memory.h"

#include <atomic>
#include <cstdlib>  // defines __GLIBC__ on glibc

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace ax {

namespace {

std::atomic<int> g_keepers{0};

#if defined(__GLIBC__)
constexpr int kKeptMmapThreshold = 1 << 30;     // 1 GB: every activation tensor of a BERT batch is smaller
constexpr int kKeptTopPad = 256 << 20;          // grow the heap in 256 MB steps, release nothing below that
constexpr int kDefaultThreshold = 128 << 10;    // glibc's M_MMAP_THRESHOLD and M_TOP_PAD defaults
#endif

}  // namespace

void returnFreedMemoryToSystem()
{
#if defined(__GLIBC__)
    if (g_keepers.load() > 0) {
        const struct mallinfo2 heap = ::mallinfo2();
        // fordblks counts the top chunk too, which M_TOP_PAD keeps on purpose; keepcost is that top.
        if (heap.fordblks - heap.keepcost < kKeptFreeMemoryCap) return;
    }
    ::malloc_trim(0);
#endif
}

KeepFreedMemory::KeepFreedMemory()
{
#if defined(__GLIBC__)
    if (g_keepers.fetch_add(1) == 0) {
        ::mallopt(M_MMAP_THRESHOLD, kKeptMmapThreshold);
        ::mallopt(M_TOP_PAD, kKeptTopPad);
    }
#endif
}

KeepFreedMemory::~KeepFreedMemory()
{
#if defined(__GLIBC__)
    if (g_keepers.fetch_sub(1) == 1) {
        ::mallopt(M_MMAP_THRESHOLD, kDefaultThreshold);
        ::mallopt(M_TOP_PAD, kDefaultThreshold);
        ::malloc_trim(0);
    }
#endif
}

}  // namespace ax
