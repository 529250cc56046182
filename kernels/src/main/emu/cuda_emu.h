// cuda_emu.h: just enough of CUDA C++ for g++ -std=c++20 to compile this project's .cu kernels into a host shared
// library (DESIGN.md §4, HostEmulationRuntime). Force-included (-include cuda_emu.h) before every .cu file.
//
// The model: every CUDA thread is a fiber (Boost.Context, in emu_runtime.cpp); the threads of one block run on one
// worker OS thread and switch only at __syncthreads and warp collectives; blocks run in parallel on a few workers.
// So __shared__ is `static thread_local` (one copy per worker = per running block), and the built-in index
// variables are thread-locals that the scheduler sets before it resumes a fiber. Divergent __syncthreads and
// shuffles from absent lanes, undefined behaviour on a GPU, are reported as launch errors.
//
// Never compile this with -ftls-model=initial-exec: a library using that model fails to load into the JVM.
#pragma once

#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

#define CUDA_EMU 1

struct dim3 {
    unsigned int x, y, z;
    constexpr dim3(unsigned int x_ = 1, unsigned int y_ = 1, unsigned int z_ = 1) : x(x_), y(y_), z(z_) {}
};

struct alignas(16) float4 { float x, y, z, w; };
struct alignas(8) float2 { float x, y; };
inline float4 make_float4(float x, float y, float z, float w) { return {x, y, z, w}; }
inline float2 make_float2(float x, float y) { return {x, y}; }

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __noinline__
#define __restrict__ __restrict
#define __launch_bounds__(...)
#define __shared__ static thread_local

namespace emu {
extern thread_local dim3 tl_threadIdx;
extern thread_local dim3 tl_blockIdx;
extern thread_local dim3 tl_blockDim;
extern thread_local dim3 tl_gridDim;

/** This block's dynamic shared memory (the sharedBytes of the launch), 16-byte aligned. */
unsigned char* dynamic_shared();

/** Suspends the calling thread until every live thread of its block reaches a barrier (the same one). */
void syncthreads_at(const char* file, int line);

enum Collective : int { SHFL_IDX, SHFL_UP, SHFL_DOWN, SHFL_XOR, BALLOT, SYNCWARP };

/** One warp collective: suspends until the lanes of {@code mask} arrive at the same call site. */
std::uint64_t warp_collective(Collective op, unsigned mask, std::uint64_t value, int arg, int width,
                              const char* file, int line);

template <typename T>
inline T shfl(Collective op, unsigned mask, T v, int arg, const char* file, int line, int width = 32) {
    static_assert(sizeof(T) <= 8 && std::is_trivially_copyable_v<T>, "shuffles move up to 8 bytes");
    std::uint64_t bits = 0;
    std::memcpy(&bits, &v, sizeof(T));
    bits = warp_collective(op, mask, bits, arg, width, file, line);
    T r;
    std::memcpy(&r, &bits, sizeof(T));
    return r;
}

/** The mask of __syncwarp(), which may be omitted. */
inline unsigned warp_mask(unsigned mask = 0xffffffffu) { return mask; }

using Body = void (*)(void* ctx);

/** Runs {@code body} as every thread of the grid; 0 on success, else the error is in emu_last_error(). */
int run_grid(const char* kernel, dim3 grid, dim3 block, unsigned shared_bytes, Body body, void* ctx);

template <typename... A, std::size_t... I>
inline void invoke(void (*k)(A...), void** args, std::index_sequence<I...>) {
    k(*static_cast<std::remove_cv_t<std::remove_reference_t<A>>*>(args[I])...);
}

/** Launches kernel {@code k} with CUDA's kernelParams convention: args[i] points at the value of parameter i. */
template <typename... A>
inline int launch(const char* name, void (*k)(A...), dim3 grid, dim3 block, unsigned shared_bytes, void** args) {
    struct Ctx { void (*k)(A...); void** args; } ctx{k, args};
    return run_grid(name, grid, block, shared_bytes, [](void* c) {
        auto* x = static_cast<Ctx*>(c);
        invoke(x->k, x->args, std::index_sequence_for<A...>{});
    }, &ctx);
}
}  // namespace emu

#define threadIdx (::emu::tl_threadIdx)
#define blockIdx (::emu::tl_blockIdx)
#define blockDim (::emu::tl_blockDim)
#define gridDim (::emu::tl_gridDim)
#define warpSize 32

#define __syncthreads() ::emu::syncthreads_at(__FILE__, __LINE__)
#define __syncwarp(...) ((void) ::emu::warp_collective(::emu::SYNCWARP, ::emu::warp_mask(__VA_ARGS__), 0, 0, 32, __FILE__, __LINE__))
#define __shfl_sync(mask, v, lane, ...) ::emu::shfl(::emu::SHFL_IDX, mask, v, lane, __FILE__, __LINE__ __VA_OPT__(,) __VA_ARGS__)
#define __shfl_up_sync(mask, v, d, ...) ::emu::shfl(::emu::SHFL_UP, mask, v, d, __FILE__, __LINE__ __VA_OPT__(,) __VA_ARGS__)
#define __shfl_down_sync(mask, v, d, ...) ::emu::shfl(::emu::SHFL_DOWN, mask, v, d, __FILE__, __LINE__ __VA_OPT__(,) __VA_ARGS__)
#define __shfl_xor_sync(mask, v, d, ...) ::emu::shfl(::emu::SHFL_XOR, mask, v, d, __FILE__, __LINE__ __VA_OPT__(,) __VA_ARGS__)
#define __ballot_sync(mask, pred) ((unsigned) ::emu::warp_collective(::emu::BALLOT, mask, (pred) ? 1 : 0, 0, 32, __FILE__, __LINE__))
#define __any_sync(mask, pred) (__ballot_sync(mask, pred) != 0u)
#define __all_sync(mask, pred) (__ballot_sync(mask, pred) == (unsigned) (mask))

// Dynamic shared memory: `EXTERN_SHARED(float, buf);` in a kernel (common.cuh gives the nvcc spelling).
#define EXTERN_SHARED(T, name) T* name = reinterpret_cast<T*>(::emu::dynamic_shared())

// Blocks of one grid run in parallel, so atomics are real atomics.
template <typename T>
inline T atomicAdd(T* p, T v) { return std::atomic_ref<T>(*p).fetch_add(v, std::memory_order_relaxed); }
inline void __threadfence() { std::atomic_thread_fence(std::memory_order_seq_cst); }
inline void __threadfence_block() { std::atomic_signal_fence(std::memory_order_seq_cst); }

// Device intrinsics used by the kernels, with their host meaning.
template <typename T> inline T __ldg(const T* p) { return *p; }
inline float rsqrtf(float x) { return 1.0f / std::sqrt(x); }
inline float __expf(float x) { return std::exp(x); }
inline float __logf(float x) { return std::log(x); }
inline float __fdividef(float a, float b) { return a / b; }
inline float __int_as_float(int x) { float f; std::memcpy(&f, &x, 4); return f; }
inline int __float_as_int(float f) { int x; std::memcpy(&x, &f, 4); return x; }
inline float __uint_as_float(unsigned x) { float f; std::memcpy(&f, &x, 4); return f; }
inline unsigned __float_as_uint(float f) { unsigned x; std::memcpy(&x, &f, 4); return x; }
inline unsigned __umulhi(unsigned a, unsigned b) { return (unsigned) (((std::uint64_t) a * b) >> 32); }
inline int min(int a, int b) { return a < b ? a : b; }
inline int max(int a, int b) { return a > b ? a : b; }
inline unsigned min(unsigned a, unsigned b) { return a < b ? a : b; }
inline unsigned max(unsigned a, unsigned b) { return a > b ? a : b; }
inline long long min(long long a, long long b) { return a < b ? a : b; }
inline long long max(long long a, long long b) { return a > b ? a : b; }

// One exported launcher per kernel, `emu_<kernel>`, appended to each .cu by HostEmulationRuntime.
#define EMU_EXPORT(kernel)                                                                                       \
    extern "C" int emu_##kernel(unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,  \
                                unsigned shared_bytes, void** args) {                                         \
        return ::emu::launch(#kernel, kernel, dim3(gx, gy, gz), dim3(bx, by, bz), shared_bytes, args);        \
    }
