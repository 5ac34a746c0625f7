// Returning freed heap memory to the system between large, differently shaped allocations.
#pragma once

namespace ax {

// glibc keeps freed chunks of up to 32 MB in its heap for reuse (its mmap threshold grows to the
// largest chunk freed), and batches of another shape cannot always reuse them: evaluating all of
// SQuAD dev one batch at a time grew the resident set from 1.3 GB (1,000 questions) to 2.9 GB (all
// 10,570), although each batch needs the same memory. Trimming after each batch keeps the peak at
// one batch's working set; the pages are faulted in again by the next batch (docs/BENCHMARKS.md).
// A no-op where the C library has no malloc_trim.
void returnFreedMemoryToSystem();

}  // namespace ax
