// common.cuh: what every kernel family shares. Compiled by nvcc (fatbin), NVRTC (fallback) and g++ (host emulation,
// with cuda_emu.h force-included), so it uses only what all three accept. Helpers are `static` so that families
// linked into one emulation library do not clash.
#pragma once

#ifndef CUDA_EMU
#define EXTERN_SHARED(T, name) extern __shared__ T name[]
#endif

/** Threads per block of the memory-bound kernels (a multiple of 32). */
#define BLOCK 256

/** The most dimensions an array has here. */
#define MAX_RANK 8

/** +infinity, spelled so that NVRTC (which has no math.h) accepts it. */
#define POS_INF __int_as_float(0x7f800000)

/** A grid-stride loop over [0, n): correct for any grid size. */
#define GRID_STRIDE_LOOP(i, n) \
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < (n); i += (long long) gridDim.x * blockDim.x)

/**
 * Broadcast indexing for up to three inputs, passed by value: the output's dims, and each input's element strides
 * in the output's coordinates (0 along a broadcast dimension). Java fills it as ints (CudaElementwise.Indexer).
 */
struct Indexer {
    int rank;
    int dims[MAX_RANK];
    int strides[3][MAX_RANK];
};

/** The offset in input {@code which} of output element {@code i}. */
static __device__ __forceinline__ long long input_offset(const Indexer& ix, int which, long long i) {
    long long off = 0;
    for (int d = ix.rank - 1; d >= 0; d--) {
        long long dim = ix.dims[d];
        off += (i % dim) * ix.strides[which][d];
        i /= dim;
    }
    return off;
}

/** The sum of {@code v} over the 32 lanes of a full warp, in a fixed order (the same on every run). */
static __device__ __forceinline__ float warp_sum(float v) {
    for (int d = 16; d > 0; d /= 2) v += __shfl_down_sync(0xffffffffu, v, d);
    return v;
}

static __device__ __forceinline__ double warp_sum_d(double v) {
    for (int d = 16; d > 0; d /= 2) v += __shfl_down_sync(0xffffffffu, v, d);
    return v;
}

/**
 * The sum of {@code v} over the block (blockDim.x a multiple of 32, at most 1024), valid in thread 0; fixed order.
 * Every thread of the block must call it. {@code scratch} is 32 shared doubles.
 */
static __device__ double block_sum_d(double v, double* scratch) {
    unsigned lane = threadIdx.x % 32, warp = threadIdx.x / 32;
    v = warp_sum_d(v);
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    double r = 0;
    if (warp == 0) {
        r = lane < blockDim.x / 32 ? scratch[lane] : 0.0;
        r = warp_sum_d(r);
    }
    __syncthreads();  // scratch may be reused by the caller's next reduction
    return r;
}
