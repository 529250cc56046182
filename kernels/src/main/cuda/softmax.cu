// softmax.cu: softmax and log-softmax along one axis, forward and backward. Write (=).
// The array is seen as [outer, len, inner]. Along an inner axis (inner > 1), one thread per (outer, inner) row walks
// the axis, and neighbouring threads read neighbouring inner elements (coalesced). Along the last axis (inner == 1)
// one warp takes a row, its lanes striding over it (coalesced) and combining with butterfly shuffles, so every lane
// holds the row's max and sum. Sums in float, max-subtracted.
// Cost: forward reads the row twice and writes it once (12 B per element, 3.6 us per million at 3.35 TB/s) and
// one exp each; backward reads y and gradOut twice and writes once (20 B, 6 us per million).
// Built by nvcc into softmax.fatbin, by NVRTC at run time, or by g++ for the host emulation.
#include "common.cuh"

extern "C" __global__ void softmax_forward_kernel(const float* __restrict__ x, float* __restrict__ y,
                                                  long long outer, int len, long long inner, int log) {
    GRID_STRIDE_LOOP(e, outer * inner) {
        long long base = e / inner * len * inner + e % inner;
        float m = -POS_INF;
        for (int j = 0; j < len; j++) m = fmaxf(m, x[base + (long long) j * inner]);
        float s = 0.0f;
        for (int j = 0; j < len; j++) s += expf(x[base + (long long) j * inner] - m);
        float logS = logf(s);
        for (int j = 0; j < len; j++) {
            long long k = base + (long long) j * inner;
            y[k] = log ? x[k] - m - logS : expf(x[k] - m) / s;
        }
    }
}

/** softmax: gradIn = y * (g - sum(g * y)); log-softmax: gradIn = g - exp(y) * sum(g). */
extern "C" __global__ void softmax_backward_kernel(const float* __restrict__ y, const float* __restrict__ g,
                                                   float* __restrict__ gradIn, long long outer, int len,
                                                   long long inner, int log) {
    GRID_STRIDE_LOOP(e, outer * inner) {
        long long base = e / inner * len * inner + e % inner;
        float s = 0.0f;
        for (int j = 0; j < len; j++) {
            long long k = base + (long long) j * inner;
            s += log ? g[k] : g[k] * y[k];
        }
        for (int j = 0; j < len; j++) {
            long long k = base + (long long) j * inner;
            gradIn[k] = log ? g[k] - expf(y[k]) * s : y[k] * (g[k] - s);
        }
    }
}

/** max over the warp, in every lane. */
static __device__ __forceinline__ float warp_all_max(float v) {
    for (int d = 16; d > 0; d /= 2) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, d));
    return v;
}

/** sum over the warp, in every lane. */
static __device__ __forceinline__ float warp_all_sum(float v) {
    for (int d = 16; d > 0; d /= 2) v += __shfl_xor_sync(0xffffffffu, v, d);
    return v;
}

/** The last-axis case: x is [rows, len], one warp per row (the grid strides over rows by warps). */
extern "C" __global__ void softmax_rows_forward_kernel(const float* __restrict__ x, float* __restrict__ y,
                                                       long long rows, int len, int log) {
    int lane = threadIdx.x % 32;
    long long warps = (long long) gridDim.x * (blockDim.x / 32);
    for (long long r = blockIdx.x * (long long) (blockDim.x / 32) + threadIdx.x / 32; r < rows; r += warps) {
        const float* xr = x + r * len;
        float m = -POS_INF;
        for (int j = lane; j < len; j += 32) m = fmaxf(m, xr[j]);
        m = warp_all_max(m);
        float s = 0.0f;
        for (int j = lane; j < len; j += 32) s += expf(xr[j] - m);
        s = warp_all_sum(s);
        float logS = logf(s);
        for (int j = lane; j < len; j += 32) y[r * len + j] = log ? xr[j] - m - logS : expf(xr[j] - m) / s;
    }
}

extern "C" __global__ void softmax_rows_backward_kernel(const float* __restrict__ y, const float* __restrict__ g,
                                                        float* __restrict__ gradIn, long long rows, int len, int log) {
    int lane = threadIdx.x % 32;
    long long warps = (long long) gridDim.x * (blockDim.x / 32);
    for (long long r = blockIdx.x * (long long) (blockDim.x / 32) + threadIdx.x / 32; r < rows; r += warps) {
        long long base = r * len;
        float s = 0.0f;
        for (int j = lane; j < len; j += 32) s += log ? g[base + j] : g[base + j] * y[base + j];
        s = warp_all_sum(s);
        for (int j = lane; j < len; j += 32) {
            long long k = base + j;
            gradIn[k] = log ? g[k] - expf(y[k]) * s : y[k] * (g[k] - s);
        }
    }
}
