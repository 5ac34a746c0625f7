// Returning freed heap memory to the system between large, differently shaped allocations, and
// keeping it for work that repeats the same allocations many times (the search).
#pragma once

namespace ax {

// glibc keeps freed chunks of up to 32 MB in its heap for reuse (its mmap threshold grows to the
// largest chunk freed), and batches of another shape cannot always reuse them: evaluating all of
// SQuAD dev one batch at a time grew the resident set from 1.3 GB (1,000 questions) to 2.9 GB (all
// 10,570), although each batch needs the same memory. Trimming after each batch keeps the peak at
// one batch's working set; the pages are faulted in again by the next batch (docs/BENCHMARKS.md).
// A no-op where the C library has no malloc_trim, and while a KeepFreedMemory is alive.
void returnFreedMemoryToSystem();

// While alive, freed memory stays in the process: no trimming after each batch, and every tensor
// below 1 GB comes from the heap instead of its own mmap, which glibc unmaps on free. A search
// evaluates the same val batches for every candidate, so the pages it frees are the pages it needs
// next: keeping them made the RTE search loop 26% faster for 90 MiB more peak memory
// (docs/BENCHMARKS.md, "Search cost"). The last one to go trims once and puts glibc back on its
// default thresholds (fixed, no longer adaptive). Process-wide; nests.
class KeepFreedMemory {
public:
    KeepFreedMemory();
    ~KeepFreedMemory();
    KeepFreedMemory(const KeepFreedMemory&) = delete;
    KeepFreedMemory& operator=(const KeepFreedMemory&) = delete;
};

}  // namespace ax
