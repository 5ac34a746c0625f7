// Makes every entry point run LibTorch on fast settings that can only be chosen before the
// libraries load, i.e. before main():
// - Debian's OpenBLAS 0.3.21 mis-detects some recent Xeons as "Prescott" and falls back to its
//   slowest kernels (BERT-base forward 0.76 s instead of 0.18 s). We ask the loaded library which
//   kernels it picked and, if they are a slow generic choice on a CPU that can do better, set
//   OPENBLAS_CORETYPE from the CPU's real features.
// - OpenMP's default spin-waiting makes multi-threaded runs 10-15x slower whenever another process
//   (a compiler, a second test, the studio's own GUI thread) keeps a core busy: measured here, a
//   fine-tuning step took 7 s instead of 0.5 s. OMP_WAIT_POLICY=passive avoids that.
// When either variable needs setting, the program re-executes itself once (about 1 s).
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

// Call first thing in main(). Re-executes the program when OMP_WAIT_POLICY is unset, or when the
// loaded OpenBLAS runs slow kernels that the CPU can beat and OPENBLAS_CORETYPE is unset; a user's
// own settings are kept. Returns normally when nothing needs changing or AXFORMER_NO_REEXEC is set.
// AXFORMER_TREAT_BLAS_AS_SLOW=1 makes it treat the loaded kernels as slow (for tests).
void ensureFastRuntime(int argc, char** argv);

}  // namespace ax
