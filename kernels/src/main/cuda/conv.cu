// conv.cu: the convolution kernels besides the vendor library:
//   bias_add_kernel   conv2d's per-channel bias, y[n,k,p,q] += bias[k] (+=, after the convolution wrote y);
//                     4 B read + 4 B written per output element (the bias stays in cache): 2.4 us per million at
//                     3.35 TB/s
//   im2col_kernel / col2im_kernel: the fallback convolution without cuDNN (KernelConvolution: im2col + SGEMM);
//                     8 B per col element, which is R*S times the input: the price of not having cuDNN.
// Built by nvcc into conv.fatbin, by NVRTC at run time, or by g++ for the host emulation.
#include "common.cuh"

/** y is [N, K, plane]; y[n, k, :] += bias[k]. */
extern "C" __global__ void bias_add_kernel(float* __restrict__ y, const float* __restrict__ bias, long long n,
                                           int channels, long long plane) {
    GRID_STRIDE_LOOP(i, n) { y[i] += bias[i / plane % channels]; }
}

/**
 * Convolution geometry for im2col/col2im: input [C,H,W] per image, filter taps R x S, output P x Q, pads, strides,
 * dilations.
 */
struct ConvShape {
    int c, h, w, r, s, p, q, padH, padW, strideH, strideW, dilH, dilW;
};

/**
 * im2col for `images` images at once: col[n][(c*R + r)*S + s][oh*Q + ow] = x[n][c][oh*sh - ph + r*dh][ow*sw - pw + s*dw],
 * 0 outside the input (=). Consecutive threads take consecutive output positions: coalesced writes, and reads
 * coalesced along a row for stride 1. Moves 4 B read + 4 B written per col element (R*S times the input).
 */
extern "C" __global__ void im2col_kernel(const float* __restrict__ x, float* __restrict__ col, int images,
                                         ConvShape g) {
    long long pq = (long long) g.p * g.q, crs = (long long) g.c * g.r * g.s;
    GRID_STRIDE_LOOP(e, images * crs * pq) {
        long long pos = e % pq, row = e / pq % crs, n = e / (pq * crs);
        int oh = (int) (pos / g.q), ow = (int) (pos % g.q);
        int ch = (int) (row / (g.r * g.s)), tap = (int) (row % (g.r * g.s));
        int ih = oh * g.strideH - g.padH + (tap / g.s) * g.dilH, iw = ow * g.strideW - g.padW + (tap % g.s) * g.dilW;
        col[e] = ih >= 0 && ih < g.h && iw >= 0 && iw < g.w ? x[((n * g.c + ch) * g.h + ih) * g.w + iw] : 0.0f;
    }
}

/**
 * col2im, the adjoint of im2col, as a gather (deterministic, no atomics): dx[n][c][ih][iw] = alpha * (sum of the col
 * entries that im2col took from this pixel) + beta * dx (beta == 0: dx not read).
 */
extern "C" __global__ void col2im_kernel(const float* __restrict__ col, float* __restrict__ dx, int images,
                                         ConvShape g, float alpha, float beta) {
    long long pq = (long long) g.p * g.q;
    GRID_STRIDE_LOOP(e, (long long) images * g.c * g.h * g.w) {
        int iw = (int) (e % g.w), ih = (int) (e / g.w % g.h), ch = (int) (e / ((long long) g.w * g.h) % g.c);
        long long n = e / ((long long) g.w * g.h * g.c);
        float acc = 0.0f;
        for (int r = 0; r < g.r; r++) {
            int y = ih + g.padH - r * g.dilH;  // = oh * strideH when this tap reads the pixel
            if (y < 0 || y % g.strideH != 0 || y / g.strideH >= g.p) continue;
            for (int s = 0; s < g.s; s++) {
                int xq = iw + g.padW - s * g.dilW;
                if (xq < 0 || xq % g.strideW != 0 || xq / g.strideW >= g.q) continue;
                long long row = ((long long) ch * g.r + r) * g.s + s;
                acc += col[(n * g.c * g.r * g.s + row) * pq + (y / g.strideH) * g.q + xq / g.strideW];
            }
        }
        dx[e] = beta == 0.0f ? alpha * acc : alpha * acc + beta * dx[e];
    }
}
