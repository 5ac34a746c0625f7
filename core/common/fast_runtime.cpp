#include "common/fast_runtime.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <dlfcn.h>
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

std::string loadedBlasCore()
{
    // Looked up at run time: the engine does not link OpenBLAS itself, LibTorch does.
    using CoreName = char* (*)();
    const auto coreName = reinterpret_cast<CoreName>(::dlsym(RTLD_DEFAULT, "openblas_get_corename"));
    if (coreName == nullptr) return {};
    const char* name = coreName();
    return name ? std::string(name) : std::string();
}

bool isFastBlasCore(const std::string& core)
{
    std::string lower = core;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    for (const char* fast : {"haswell", "zen", "skylakex", "cooperlake", "sapphirerapids"})
        if (lower == fast) return true;
    return false;
}

void ensureFastRuntime(int /*argc*/, char** argv)
{
    static const char* const kGuard = "AXFORMER_NO_REEXEC";
    if (std::getenv(kGuard) != nullptr) return;
    bool changed = false;
    if (std::getenv("OPENBLAS_CORETYPE") == nullptr) {
        const std::string loaded = loadedBlasCore();
        // AXFORMER_TREAT_BLAS_AS_SLOW lets tests exercise the fix on machines OpenBLAS detects well.
        const bool treatAsSlow = std::getenv("AXFORMER_TREAT_BLAS_AS_SLOW") != nullptr;
        const std::string better = detectOpenBlasCoreType();
        if (!loaded.empty() && (!isFastBlasCore(loaded) || treatAsSlow) && !better.empty()) {
            ::setenv("OPENBLAS_CORETYPE", better.c_str(), 1);
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
    // exec failed (no /proc?): carry on with the slow settings rather than not at all.
}

}  // namespace ax
