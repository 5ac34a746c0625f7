#include "common/freed_memory.h"

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdlib>  // defines __GLIBC__ on glibc

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace ax {

namespace {

std::atomic<int> g_keepers{0};
// Free bytes between chunks in use that the last trim returned, lowered when chunks are reused.
std::atomic<size_t> g_freeReturned{0};

#if defined(__GLIBC__)
constexpr int kKeptMmapThreshold = 1 << 30;     // 1 GB: every activation tensor of a BERT batch is smaller
constexpr int kKeptTopPad = 256 << 20;          // grow the heap in 256 MB steps, release nothing below that
constexpr int kDefaultThreshold = 128 << 10;    // glibc's M_MMAP_THRESHOLD and M_TOP_PAD defaults

// fordblks counts the top chunk too, which M_TOP_PAD keeps on purpose; keepcost is that top.
size_t freeBetweenChunks()
{
    const struct mallinfo2 heap = ::mallinfo2();
    return heap.fordblks - heap.keepcost;
}
#endif

}  // namespace

bool returnFreedMemoryToSystem()
{
#if defined(__GLIBC__)
    if (g_keepers.load() > 0) {
        const size_t free = freeBetweenChunks();
        // Reused holes are resident again once freed: count them as newly freed.
        size_t returned = std::min(g_freeReturned.load(), free);
        g_freeReturned = returned;
        if (free - returned < kKeptFreeMemoryCap) return false;
    }
    ::malloc_trim(0);
    g_freeReturned = freeBetweenChunks();
    return true;
#else
    return false;
#endif
}

KeepFreedMemory::KeepFreedMemory()
{
#if defined(__GLIBC__)
    if (g_keepers.fetch_add(1) == 0) {
        g_freeReturned = 0;  // not known to be returned: the holes left now may be resident
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
