// spectral_norm.cu: one power iteration of BigGAN's spectral norm and the 1/sigma scaling (UNETGAN.md §4;
// Backend.spectralNormPowerIteration). W is [rows, cols] row-major. Four launches, no host sync:
//   sn_u_times_w_kernel   v'_j = sum_i u_i W[i,j]: one thread per column, walking the rows (coalesced)      (=)
//   sn_normalize_kernel   x = x / max(||x||, eps) in place (one block; ||x||^2 in double); optionally
//                         sigma = ||x||^2 / max(||x||, eps), u = x and sv = sigma (the training write-back) (=)
//   sn_w_times_v_kernel   u''_i = sum_j W[i,j] v_j: one warp per row, shuffle-reduced                       (=)
//   sn_scale_kernel       out = W * (1 / sigma[0]), sigma read on the device                                (=)
// sigma = u''.uOut = ||u''||^2 / max(||u''||, eps), so no third matrix-vector product is needed.
// Cost: each product reads W once (4 B per weight, 1.2 us per million weights at 3.35 TB/s) and 2 FLOPs per
// weight; the scaling reads and writes W (8 B, 2.4 us per million). The normalizations touch only the vectors.
// Built by nvcc into spectral_norm.fatbin, by NVRTC at run time, or by g++ for the host emulation.
#include "common.cuh"

extern "C" __global__ void sn_u_times_w_kernel(const float* __restrict__ w, const float* __restrict__ u,
                                               float* __restrict__ v, int rows, int cols) {
    GRID_STRIDE_LOOP(j, cols) {
        float s = 0.0f;
        for (int i = 0; i < rows; i++) s += u[i] * w[(long long) i * cols + j];
        v[j] = s;
    }
}

extern "C" __global__ void sn_w_times_v_kernel(const float* __restrict__ w, const float* __restrict__ v,
                                               float* __restrict__ out, int rows, int cols) {
    int lane = threadIdx.x % 32;
    int warpsPerGrid = gridDim.x * (blockDim.x / 32);
    for (int i = blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32; i < rows; i += warpsPerGrid) {
        const float* row = w + (long long) i * cols;
        float s = 0.0f;
        for (int j = lane; j < cols; j += 32) s += row[j] * v[j];
        s = warp_sum(s);
        if (lane == 0) out[i] = s;
    }
}

/** One block. sigma, stateCopy and sv may each be null. */
extern "C" __global__ void sn_normalize_kernel(float* __restrict__ x, int n, float eps, float* __restrict__ sigma,
                                               float* __restrict__ stateCopy, float* __restrict__ sv) {
    __shared__ double scratch[32];
    __shared__ double norm;
    double ss = 0.0;
    for (int i = threadIdx.x; i < n; i += blockDim.x) ss += (double) x[i] * x[i];
    ss = block_sum_d(ss, scratch);
    if (threadIdx.x == 0) {
        norm = fmax(sqrt(ss), (double) eps);
        if (sigma) sigma[0] = (float) (ss / norm);
        if (sv) sv[0] = (float) (ss / norm);
    }
    __syncthreads();
    for (int i = threadIdx.x; i < n; i += blockDim.x) {
        float r = (float) (x[i] / norm);
        x[i] = r;
        if (stateCopy) stateCopy[i] = r;
    }
}

extern "C" __global__ void sn_scale_kernel(const float* __restrict__ w, const float* __restrict__ sigma,
                                           float* __restrict__ out, long long n) {
    float r = 1.0f / sigma[0];
    GRID_STRIDE_LOOP(i, n) { out[i] = w[i] * r; }
}
