// Makes every entry point run LibTorch's matrix products on OpenBLAS's fast kernels.
//
// Debian's OpenBLAS 0.3.21 mis-detects some recent Xeons as "Prescott" and falls back to its
// slowest kernels (BERT-base forward 0.76 s instead of 0.18 s). It reads OPENBLAS_CORETYPE only
// when the library loads, before main(), so the fix is: ask the loaded library which kernels it
// picked, and if they are a slow generic choice on a CPU that can do better, set the variable from
// the CPU's real features and re-execute the program once. OMP_WAIT_POLICY=passive is set on the
// same occasion, since 2-thread runs are 10x slower when OpenMP spin-waits against a busy core.
#pragma once

#include <string>

namespace ax {

// The OpenBLAS core type this CPU supports best ("SkylakeX", "Haswell"), or "" when unknown.
std::string detectOpenBlasCoreType();

// What OpenBLAS actually runs, asked from the loaded library ("SkylakeX", "Zen"), so users and
// benchmarks can verify the kernel; "" when the process has no OpenBLAS.
std::string loadedBlasCore();

// True for the cores whose kernels use AVX2 or better (Haswell, Zen, SkylakeX, ...).
bool isFastBlasCore(const std::string& core);

// Call first thing in main(). Re-executes the program with OPENBLAS_CORETYPE set when the loaded
// OpenBLAS runs slow kernels that the CPU can beat; returns normally otherwise, when the user set
// OPENBLAS_CORETYPE already, or when AXFORMER_NO_REEXEC is set. AXFORMER_TREAT_BLAS_AS_SLOW=1
// forces the re-execution (for tests on CPUs that OpenBLAS detects correctly).
void ensureFastBlas(int argc, char** argv);

}  // namespace ax
