// Freed memory: kept in the heap while a KeepFreedMemory lives (no trimming below a cap, big blocks
// from the heap instead of their own mmap), returned to the system when the last one goes.

#include "common/freed_memory.h"

#include "test_support.h"

#include <cstdlib>
#include <cstring>
#include <fstream>

#include <unistd.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

using namespace ax;

namespace {

// Blocks stored here escape, so the compiler cannot drop their malloc, memset and free.
void* volatile g_escaped = nullptr;

size_t residentBytes()
{
    std::ifstream statm("/proc/self/statm");
    size_t pages = 0, resident = 0;
    statm >> pages >> resident;
    return resident * size_t(sysconf(_SC_PAGESIZE));
}

}  // namespace

class TestFreedMemory : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void keptUntilTheLastKeeperGoes()
    {
#if defined(__GLIBC__)
        const size_t bytes = size_t(64) << 20;
        const size_t before = residentBytes();
        {
            const KeepFreedMemory keep;
            { const KeepFreedMemory nested; }  // an inner keeper leaves the outer one's settings alone
            void* block = std::malloc(bytes);
            std::memset(block, 1, bytes);
            QVERIFY(mallinfo2().arena >= bytes);  // from the heap, not an mmap of its own
            std::free(block);
            QVERIFY(!returnFreedMemoryToSystem());  // a no-op while kept, below the cap
            QVERIFY(residentBytes() >= before + bytes * 9 / 10);
        }
        qInfo("resident: %zu MiB before, %zu MiB after the last keeper", before >> 20, residentBytes() >> 20);
        QVERIFY(residentBytes() < before + bytes / 10);  // the last keeper gave it back
#else
        QSKIP("the C library is not glibc: freed memory is left to it");
#endif
    }

    // What is kept is bounded: once more than the cap lies free between chunks in use (batches of
    // other shapes could not reuse it), the trim after a batch gives it back.
    void keptMemoryIsTrimmedBeyondTheCap()
    {
#if defined(__GLIBC__)
        const KeepFreedMemory keep;
        const size_t bytes = kKeptFreeMemoryCap + (size_t(32) << 20);
        void* block = std::malloc(bytes);
        g_escaped = block;
        std::memset(block, 1, bytes);
        void* pin = std::malloc(4096);  // in use above the block: the block's space is not the heap's top
        std::memset(pin, 1, 4096);
        const size_t withBlock = residentBytes();
        std::free(block);
        const struct mallinfo2 heap = mallinfo2();
        qInfo("free in the heap: %zu MiB, of it the top %zu MiB", heap.fordblks >> 20, heap.keepcost >> 20);
        QVERIFY(heap.fordblks - heap.keepcost >= bytes);
        QVERIFY(residentBytes() >= withBlock - bytes / 10);  // freed, still resident
        QVERIFY(returnFreedMemoryToSystem());
        qInfo("resident: %zu MiB with the block, %zu MiB after the trim", withBlock >> 20, residentBytes() >> 20);
        QVERIFY(residentBytes() < withBlock - bytes * 9 / 10);

        // The returned hole still counts as free in the heap, but it is not trimmed again...
        QVERIFY(mallinfo2().fordblks - mallinfo2().keepcost >= bytes);
        QVERIFY(!returnFreedMemoryToSystem());
        // ...until as much again comes free after a batch: a block that reuses the returned hole
        // (it is smaller, and the heap's top is smaller still), in use at one batch's end and freed
        // before the next one's, has its pages resident again.
        const size_t reused = kKeptFreeMemoryCap + (size_t(16) << 20);
        void* second = std::malloc(reused);
        g_escaped = second;
        std::memset(second, 1, reused);
        QVERIFY(!returnFreedMemoryToSystem());
        std::free(second);
        QVERIFY(returnFreedMemoryToSystem());
        std::free(pin);
#else
        QSKIP("the C library is not glibc: freed memory is left to it");
#endif
    }
};

AX_TEST_MAIN(TestFreedMemory)
#include "test_freed_memory.moc"
