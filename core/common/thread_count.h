// How many threads LibTorch's intra-op pool gets when the user does not say (--threads): the
// OMP_NUM_THREADS they exported, as every OpenMP program honours it, else every core. (LibTorch
// itself would start with one thread on these machines.)
#pragma once

namespace ax {

int defaultThreadCount();

}  // namespace ax
