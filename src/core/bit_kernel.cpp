#include "core/bit_kernel.h"

#include <atomic>
#include <cstdlib>

#include "core/errors.h"

namespace bitcim::core::kernel {

const Ops& scalar_ops();  // bit_kernel_scalar.cpp
#if defined(__x86_64__)
const Ops& avx2_ops();    // bit_kernel_avx2.cpp
const Ops& avx512_ops();  // bit_kernel_avx512.cpp
#endif

namespace {

constexpr Path kPaths[] = {Path::Scalar, Path::Avx2, Path::Avx512};
constexpr const char* kEnvVar = "BITCIM_KERNEL";
constexpr int kUnset = -1;
std::atomic<int> g_forced{kUnset};

Path fastest_supported() {
    const std::vector<Path> paths = supported_paths();
    return paths.back();
}

Path from_environment() {
    const char* value = std::getenv(kEnvVar);
    return value && *value ? parse_path(value) : fastest_supported();
}

}  // namespace

const char* path_name(Path p) {
    switch (p) {
        case Path::Avx512: return "avx512";
        case Path::Avx2: return "avx2";
        case Path::Scalar: break;
    }
    return "scalar";
}

bool path_supported(Path p) {
#if defined(__x86_64__)
    switch (p) {
        case Path::Avx512:
            return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                   __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vpopcntdq") &&
                   __builtin_cpu_supports("avx512vnni") &&
                   __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt");
        case Path::Avx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt");
        case Path::Scalar: return true;
    }
    return false;
#else
    return p == Path::Scalar;
#endif
}

std::vector<Path> supported_paths() {
    std::vector<Path> out;
    for (Path p : kPaths)
        if (path_supported(p)) out.push_back(p);
    return out;
}

Path parse_path(const std::string& name) {
    for (Path p : kPaths) {
        if (name != path_name(p)) continue;
        if (!path_supported(p))
            throw InputError(std::string(kEnvVar) + "=" + name + ": this CPU cannot run the " + name + " kernel");
        return p;
    }
    throw InputError(std::string(kEnvVar) + "=" + name + ": unknown kernel path, expected scalar, avx2 or avx512");
}

Path active_path() {
    const int forced = g_forced.load(std::memory_order_relaxed);
    if (forced != kUnset) return static_cast<Path>(forced);
    // Read once: a bad value throws here, at the first layer built, and again if retried.
    static const Path from_env = from_environment();
    return from_env;
}

void set_path(Path p) {
    if (!path_supported(p)) throw InputError(std::string("this CPU cannot run the ") + path_name(p) + " kernel");
    g_forced.store(static_cast<int>(p), std::memory_order_relaxed);
}

void reset_path() { g_forced.store(kUnset, std::memory_order_relaxed); }

const Ops& ops(Path p) {
#if defined(__x86_64__)
    if (p == Path::Avx512) return avx512_ops();
    if (p == Path::Avx2) return avx2_ops();
#endif
    return scalar_ops();
}

}  // namespace bitcim::core::kernel
