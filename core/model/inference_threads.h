// Which threads a forward at inference wakes. Every LibTorch operator other than the matrix
// products (LayerNorm, softmax, the residual adds, the embeddings' gathers) splits its work over
// all threads once it passes 32 k elements, and under the passive wait policy the product sets
// (common/fast_runtime.h) each split wakes the other threads from the kernel and parks them again.
// On a small forward that costs more than the split saves: perf on BERT-Mini at batch 1 put 19%
// of the time in the kernel, mostly those wake-ups (docs/BENCHMARKS.md). Inside the scope below
// such operators run on the calling thread, while the products, which choose their own thread
// count (model/onednn_matmul.h), still use every thread where that pays.
#pragma once

#include <cstdint>

namespace ax {

class SmallOperatorsOnCallingThread {
public:
    // Engages at inference (no gradient) when the forward's hidden states hold fewer than the
    // measured threshold of elements; otherwise, and when already engaged, does nothing.
    explicit SmallOperatorsOnCallingThread(int64_t hiddenElements);
    ~SmallOperatorsOnCallingThread();
    SmallOperatorsOnCallingThread(const SmallOperatorsOnCallingThread&) = delete;
    SmallOperatorsOnCallingThread& operator=(const SmallOperatorsOnCallingThread&) = delete;

private:
    bool m_engaged = false;
};

// Sets the calling thread's OpenMP count to `threads` until it ends, then restores it: the products
// choose theirs through it (model/onednn_matmul.cpp), and an operator heavy enough to pay for waking
// the other threads inside the scope above (hard attention's top-k) takes productThreads() back.
class ThreadCountScope {
public:
    explicit ThreadCountScope(int threads);
    ~ThreadCountScope();
    ThreadCountScope(const ThreadCountScope&) = delete;
    ThreadCountScope& operator=(const ThreadCountScope&) = delete;

private:
    int m_saved;
};

// The threads a matrix product may use: the calling thread's setting, also inside the scope above.
int productThreads();

}  // namespace ax
