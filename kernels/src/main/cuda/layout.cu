// layout.cu: the data-movement primitives: dtype casts, copies of slices along an axis (slice, concat and their
// gradients), and permutes. All write (=). They move 32-bit words, so they serve F32 and I32 alike.
// Cost per element: 4 B read + 4 B written = 8 B (2.4 us per million elements at 3.35 TB/s); no FLOPs.
// Built by nvcc into layout.fatbin, by NVRTC at run time, or by g++ for the host emulation.
#include "common.cuh"

/** I32 from F32, truncating toward zero (as a Java (int) cast of a finite value). */
extern "C" __global__ void cast_f32_to_i32_kernel(const float* __restrict__ src, int* __restrict__ dst, long long n) {
    GRID_STRIDE_LOOP(i, n) { dst[i] = static_cast<int>(src[i]); }
}

extern "C" __global__ void cast_i32_to_f32_kernel(const int* __restrict__ src, float* __restrict__ dst, long long n) {
    GRID_STRIDE_LOOP(i, n) { dst[i] = static_cast<float>(src[i]); }
}

/**
 * Arrays seen as [outer, axis, inner]: dst[o, dstStart + j, i] = src[o, srcStart + j, i] for j < count.
 * The flat index runs over [outer, count, inner], so consecutive threads touch consecutive inner elements.
 */
extern "C" __global__ void copy_along_axis_kernel(const unsigned* __restrict__ src, unsigned* __restrict__ dst,
                                                  long long outer, int srcAxis, int srcStart, int dstAxis,
                                                  int dstStart, int count, long long inner) {
    long long n = outer * count * inner;
    GRID_STRIDE_LOOP(e, n) {
        long long i = e % inner;
        long long j = e / inner % count;
        long long o = e / (inner * count);
        dst[(o * dstAxis + dstStart + j) * inner + i] = src[(o * srcAxis + srcStart + j) * inner + i];
    }
}

/** out (dims ix.dims) = x permuted; ix.strides[0] holds x's strides in out's axis order. */
extern "C" __global__ void permute_kernel(const unsigned* __restrict__ x, unsigned* __restrict__ out, long long n,
                                          Indexer ix) {
    GRID_STRIDE_LOOP(i, n) { out[i] = x[input_offset(ix, 0, i)]; }
}
