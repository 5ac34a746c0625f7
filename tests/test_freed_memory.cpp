// Freed memory: kept in the heap while a KeepFreedMemory lives (no trimming, big blocks from the
// heap instead of their own mmap), returned to the system when the last one goes.

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

class TestFreedMemory : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void keptUntilTheLastKeeperGoes()
    {
#if defined(__GLIBC__)
        const size_t bytes = size_t(64) << 20;
        const auto residentBytes = [] {
            std::ifstream statm("/proc/self/statm");
            size_t pages = 0, resident = 0;
            statm >> pages >> resident;
            return resident * size_t(sysconf(_SC_PAGESIZE));
        };
        const size_t before = residentBytes();
        {
            const KeepFreedMemory keep;
            { const KeepFreedMemory nested; }  // an inner keeper leaves the outer one's settings alone
            void* block = std::malloc(bytes);
            std::memset(block, 1, bytes);
            QVERIFY(mallinfo2().arena >= bytes);  // from the heap, not an mmap of its own
            std::free(block);
            returnFreedMemoryToSystem();  // a no-op while kept
            QVERIFY(residentBytes() >= before + bytes * 9 / 10);
        }
        qInfo("resident: %zu MiB before, %zu MiB after the last keeper", before >> 20, residentBytes() >> 20);
        QVERIFY(residentBytes() < before + bytes / 10);  // the last keeper gave it back
#else
        QSKIP("the C library is not glibc: freed memory is left to it");
#endif
    }
};

AX_TEST_MAIN(TestFreedMemory)
#include "test_freed_memory.moc"
