#include "common/fast_blas.h"

#include <cstdlib>
#include <unistd.h>

namespace ax {

std::string detectOpenBlasCoreType()
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    // OpenBLAS's SkylakeX kernels use AVX-512 F/BW/VL/DQ; naming a core the CPU lacks is a SIGILL.
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq"))
        return "SkylakeX";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
#endif
    return {};
}

void ensureFastBlas(int /*argc*/, char** argv)
{
    static const char* const kGuard = "AXFORMER_NO_REEXEC";
    if (std::getenv(kGuard) != nullptr) return;

    bool changed = false;
    if (std::getenv("OPENBLAS_CORETYPE") == nullptr) {
        const std::string core = detectOpenBlasCoreType();
        if (!core.empty()) {
            ::setenv("OPENBLAS_CORETYPE", core.c_str(), 1);
            changed = true;
        }
    }
    if (std::getenv("OMP_WAIT_POLICY") == nullptr) {
        ::setenv("OMP_WAIT_POLICY", "passive", 1);
        changed = true;
    }
    if (!changed) return;

    // The guard stops a loop if exec'ing ourselves somehow does not take the new environment.
    ::setenv(kGuard, "1", 1);
    ::execv("/proc/self/exe", argv);
    // exec failed (no /proc?): carry on with the slow kernels rather than not at all.
}

}  // namespace ax
