// sgemm.cu: the tiled SGEMM fallback for machines without cuBLAS. It implements cublasSgemmStridedBatched's exact
// contract (column-major; op flags; leading dimensions; element strides per batch entry, 0 allowed; C not read when
// beta == 0; alpha and beta read from device memory, as in CUBLAS_POINTER_MODE_DEVICE), so the runtime can swap it
// in for cuBLAS unchanged (TiledSgemm):
//   C_z = alpha * op(A_z) * op(B_z) + beta * C_z, z = blockIdx.z                                    (= or += by beta)
// Each block computes a 64x64 tile of C with 256 threads, 4x4 outputs per thread, through 16-deep K slices of A and
// B staged in shared memory (row i of the A slice is read by 16 consecutive threads: no bank conflicts; the B slice
// is read as broadcasts). Arithmetic intensity per slice: 2*64*64*16 FLOPs per 2*64*16*4 bytes = 16 FLOP/B, so this
// is compute-bound for large products, at a fraction of cuBLAS (no tensor cores, no double buffering); it exists
// for correctness where cuBLAS is missing, and the GPU benchmark states the gap.
// Built by nvcc into sgemm.fatbin, by NVRTC at run time, or by g++ for the host emulation.
#include "common.cuh"

#define TILE 64
#define KSLICE 16

extern "C" __global__ void sgemm_tiled_kernel(int transA, int transB, int m, int n, int k,
                                              const float* __restrict__ alphaPtr,
                                              const float* __restrict__ a, int lda, long long strideA,
                                              const float* __restrict__ b, int ldb, long long strideB,
                                              const float* __restrict__ betaPtr,
                                              float* __restrict__ c, int ldc, long long strideC) {
    __shared__ float as[KSLICE][TILE];
    __shared__ float bs[KSLICE][TILE];
    a += blockIdx.z * strideA;
    b += blockIdx.z * strideB;
    c += blockIdx.z * strideC;
    int bm = blockIdx.x * TILE, bn = blockIdx.y * TILE;
    int tx = threadIdx.x % 16, ty = threadIdx.x / 16;
    float acc[4][4];
    for (int r = 0; r < 4; r++)
        for (int q = 0; q < 4; q++) acc[r][q] = 0.0f;
    for (int l0 = 0; l0 < k; l0 += KSLICE) {
        for (int e = threadIdx.x; e < KSLICE * TILE; e += blockDim.x) {
            int l = e / TILE, i = e % TILE, gl = l0 + l;
            int gi = bm + i, gj = bn + i;
            as[l][i] = gi < m && gl < k ? (transA ? a[gl + (long long) gi * lda] : a[gi + (long long) gl * lda]) : 0.0f;
            bs[l][i] = gj < n && gl < k ? (transB ? b[gj + (long long) gl * ldb] : b[gl + (long long) gj * ldb]) : 0.0f;
        }
        __syncthreads();
        for (int l = 0; l < KSLICE; l++) {
            float av[4], bv[4];
            for (int r = 0; r < 4; r++) av[r] = as[l][tx + 16 * r];
            for (int q = 0; q < 4; q++) bv[q] = bs[l][ty + 16 * q];
            for (int r = 0; r < 4; r++)
                for (int q = 0; q < 4; q++) acc[r][q] += av[r] * bv[q];
        }
        __syncthreads();
    }
    const float alpha = *alphaPtr, beta = *betaPtr;
    for (int r = 0; r < 4; r++) {
        for (int q = 0; q < 4; q++) {
            int i = bm + tx + 16 * r, j = bn + ty + 16 * q;
            if (i < m && j < n) {
                float* p = c + i + (long long) j * ldc;
                *p = beta == 0.0f ? alpha * acc[r][q] : alpha * acc[r][q] + beta * *p;
            }
        }
    }
}
