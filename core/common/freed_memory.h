// Returning freed heap memory to the system between large, differently shaped allocations, and
// keeping it for work that repeats the same allocations many times (the search).
#pragma once

namespace ax {

// glibc keeps freed chunks of up to 32 MB in its heap for reuse (its mmap threshold grows to the
// largest chunk freed), and batches of another shape cannot always reuse them: evaluating all of
// SQuAD dev one batch at a time grew the resident set from 1.3 GB (1,000 questions) to 2.9 GB (all
// 10,570), although each batch needs the same memory. Trimming after each batch keeps the peak at
// one batch's working set; the pages are faulted in again by the next batch (docs/BENCHMARKS.md).
// While a KeepFreedMemory is alive, it trims only once more than kKeptFreeMemoryCap bytes have come
// free between the heap's chunks in use since the last trim: glibc's count of free bytes keeps the
// chunks a trim already gave back (their pages are gone, their addresses still the heap's), so
// holes past the cap would otherwise trim after every batch and fault their pages in again (a
// search's dev evaluation did it 28 times). Holes reused and freed within one batch are not seen:
// what stays resident is then bounded by the cap plus a batch's working set, which it needs anyway.
// Returns whether it trimmed. A no-op where the C library has no malloc_trim.
bool returnFreedMemoryToSystem();

// Free memory inside the heap (not counting its top) that a KeepFreedMemory lets accumulate: the
// bound on what kept memory adds to the peak when batches of other shapes cannot reuse it.
inline constexpr unsigned long kKeptFreeMemoryCap = 256ul << 20;

// While alive, freed memory stays in the process: the trim after each batch waits for
// kKeptFreeMemoryCap, and every tensor below 1 GB comes from the heap instead of its own mmap,
// which glibc unmaps on free. Evaluation runs the same shapes batch after batch, and a search the
// same val batches for every candidate, so the pages they free are the pages they need next:
// keeping them made the RTE search loop 26% faster for 90 MiB more peak memory, and `eval` 1.5x
// faster (docs/BENCHMARKS.md, "Search cost" and "Peak memory of evaluation"). The last one to go
// trims once and puts glibc back on its default thresholds (fixed, no longer adaptive).
// Process-wide; nests.
class KeepFreedMemory {
public:
    KeepFreedMemory();
    ~KeepFreedMemory();
    KeepFreedMemory(const KeepFreedMemory&) = delete;
    KeepFreedMemory& operator=(const KeepFreedMemory&) = delete;
};

}  // namespace ax
