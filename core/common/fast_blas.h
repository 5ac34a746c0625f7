// Makes every entry point run LibTorch's matrix products on OpenBLAS's fast kernels.
//
// Debian's OpenBLAS 0.3.21 mis-detects recent Xeons as "Prescott" and falls back to its slowest
// kernels (BERT-base forward 0.76 s instead of 0.18 s). It reads OPENBLAS_CORETYPE only when the
// library loads, before main(), so the fix is to set it from the CPU's real features and re-execute
// the program once. OMP_WAIT_POLICY=passive keeps 2-thread runs fast when another process is busy.
#pragma once

#include <string>

namespace ax {

// The OpenBLAS core type this CPU supports best ("SkylakeX", "Haswell"), or "" when unknown.
std::string detectOpenBlasCoreType();

// Call first thing in main(). If the environment lacks the settings above, sets them and re-executes
// the program with the same arguments; returns normally when nothing needed changing, when the user
// set the variables already, or when AXFORMER_NO_REEXEC is set.
void ensureFastBlas(int argc, char** argv);

}  // namespace ax
