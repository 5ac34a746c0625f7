#include "model/inference_threads.h"

#include <ATen/Parallel.h>
#include <ATen/core/grad_mode.h>
#include <omp.h>

namespace ax {

namespace {

// Below this many hidden-state elements (tokens × hidden width) the operators run on the calling
// thread. Measured at 2 threads on the AVX-512 machine (docs/BENCHMARKS.md, "Small operators on
// the calling thread"): BERT-Mini at batch 1 (32 k elements) with half its heads and FFN groups
// ran 3.8-4.2 ms in the scope against 4.0-4.3 ms outside it, the unsliced model the same; at
// batch 2 and 4 (64 k, 128 k) both models ran 5-12% slower in it, at batch 8 10-25% slower.
constexpr int64_t kCallingThreadBelowElements = int64_t(1) << 16;

// The process's thread setting while the scope has lowered this thread's to one; 0 outside it.
thread_local int t_productThreads = 0;

}  // namespace

SmallOperatorsOnCallingThread::SmallOperatorsOnCallingThread(int64_t hiddenElements)
{
    if (t_productThreads != 0 || at::GradMode::is_enabled() || hiddenElements >= kCallingThreadBelowElements) return;
    // LibTorch sets a thread's count to the process-wide one at its first parallel operator there,
    // which would undo the lowering below on a thread that has not run one yet (a new worker).
    at::internal::lazy_init_num_threads();
    const int threads = omp_get_max_threads();
    if (threads <= 1) return;
    t_productThreads = threads;
    omp_set_num_threads(1);
    m_engaged = true;
}

SmallOperatorsOnCallingThread::~SmallOperatorsOnCallingThread()
{
    if (!m_engaged) return;
    omp_set_num_threads(t_productThreads);
    t_productThreads = 0;
}

ThreadCountScope::ThreadCountScope(int threads) : m_saved(omp_get_max_threads())
{
    if (threads != m_saved) omp_set_num_threads(threads);
}

ThreadCountScope::~ThreadCountScope()
{
    if (omp_get_max_threads() != m_saved) omp_set_num_threads(m_saved);
}

int productThreads()
{
    return t_productThreads != 0 ? t_productThreads : omp_get_max_threads();
}

}  // namespace ax
