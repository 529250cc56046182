// spatial.cu: 2-D pooling (max, average) and nearest upsampling, forward and backward, on NCHW planes. All write
// (=). Backward kernels gather (one thread per input element sums the outputs whose windows cover it) rather than
// scatter with atomics, so they are deterministic.
//   pool2d_forward_kernel     out[n,c,r,q] = max or mean of the window; max also records h*W+w (first of equals)
//   pool2d_backward_kernel    gradIn = routed (max) or spread over the full window (avg, padding's share dropped)
//   upsample_nearest2d_kernel / upsample_nearest2d_backward_kernel: out[y,x] = x[y/f,x/f]; gradIn = f*f block sum
// Cost per output element: pooling reads its window (k*k*4 B, mostly from cache for overlapping windows) and writes
// 4 B (+4 B index); a 2x2/2 pool moves 20 B per output, 6 us per million outputs at 3.35 TB/s. Upsampling moves
// 8 B per output element (2.4 us per million); its backward reads f*f*4 B per input element.
// Built by nvcc into spatial.fatbin, by NVRTC at run time, or by g++ for the host emulation.
#include "common.cuh"

/** Pool geometry: H, W, P, Q, kernel, stride, pad (h and w each). */
struct PoolGeometry {
    int h, w, p, q, kh, kw, sh, sw, ph, pw;
};

extern "C" __global__ void pool2d_forward_kernel(int isMax, const float* __restrict__ x, float* __restrict__ out,
                                                 int* __restrict__ indices, long long planes, PoolGeometry g) {
    long long n = planes * g.p * g.q;
    float inv = 1.0f / (g.kh * g.kw);
    GRID_STRIDE_LOOP(o, n) {
        long long plane = o / ((long long) g.p * g.q);
        int r = (int) (o / g.q % g.p), c = (int) (o % g.q);
        const float* xp = x + plane * g.h * g.w;
        int h0 = r * g.sh - g.ph, w0 = c * g.sw - g.pw;
        int hFrom = max(h0, 0), hTo = min(h0 + g.kh, g.h), wFrom = max(w0, 0), wTo = min(w0 + g.kw, g.w);
        if (!isMax) {
            double sum = 0.0;
            for (int i = hFrom; i < hTo; i++)
                for (int j = wFrom; j < wTo; j++) sum += xp[i * g.w + j];
            out[o] = (float) (sum * inv);
            continue;
        }
        int best = -1;
        float bestValue = 0.0f;
        for (int i = hFrom; i < hTo; i++) {
            for (int j = wFrom; j < wTo; j++) {
                float v = xp[i * g.w + j];
                // Strict '>' keeps the first of equal maxima; a NaN wins once, as in PyTorch.
                if (best < 0 || v > bestValue || (v != v && bestValue == bestValue)) {
                    best = i * g.w + j;
                    bestValue = v;
                }
            }
        }
        out[o] = bestValue;
        indices[o] = best;
    }
}

/** The first and one-past-last output index whose window [o*s - pad, o*s - pad + k) covers input i. */
static __device__ __forceinline__ void covering(int i, int k, int s, int pad, int outs, int* from, int* to) {
    int hi = (i + pad) / s;              // the last o with o*s - pad <= i
    int lo = i + pad - k + 1;            // o*s >= i + pad - k + 1
    lo = lo <= 0 ? 0 : (lo + s - 1) / s;
    *from = lo;
    *to = min(hi + 1, outs);
}

extern "C" __global__ void pool2d_backward_kernel(int isMax, const float* __restrict__ gradOut,
                                                  const int* __restrict__ indices, float* __restrict__ gradIn,
                                                  long long planes, PoolGeometry g) {
    long long n = planes * g.h * g.w;
    float inv = 1.0f / (g.kh * g.kw);
    GRID_STRIDE_LOOP(e, n) {
        long long plane = e / ((long long) g.h * g.w);
        int i = (int) (e / g.w % g.h), j = (int) (e % g.w);
        int r0, r1, c0, c1;
        covering(i, g.kh, g.sh, g.ph, g.p, &r0, &r1);
        covering(j, g.kw, g.sw, g.pw, g.q, &c0, &c1);
        const float* go = gradOut + plane * g.p * g.q;
        const int* idx = indices ? indices + plane * g.p * g.q : nullptr;
        float acc = 0.0f;
        for (int r = r0; r < r1; r++) {
            for (int c = c0; c < c1; c++) {
                int o = r * g.q + c;
                if (!isMax) acc += go[o] * inv;
                else if (idx[o] == i * g.w + j) acc += go[o];
            }
        }
        gradIn[e] = acc;
    }
}

extern "C" __global__ void upsample_nearest2d_kernel(const float* __restrict__ x, float* __restrict__ out,
                                                     long long planes, int h, int w, int f) {
    long long n = planes * h * f * w * f;
    GRID_STRIDE_LOOP(o, n) {
        long long plane = o / ((long long) h * f * w * f);
        int y = (int) (o / (w * f) % (h * f)), xo = (int) (o % (w * f));
        out[o] = x[plane * h * w + (y / f) * w + xo / f];
    }
}

extern "C" __global__ void upsample_nearest2d_backward_kernel(const float* __restrict__ gradOut,
                                                              float* __restrict__ gradIn, long long planes, int h,
                                                              int w, int f) {
    long long n = planes * h * w;
    GRID_STRIDE_LOOP(e, n) {
        long long plane = e / ((long long) h * w);
        int y = (int) (e / w % h), x = (int) (e % w);
        const float* go = gradOut + plane * h * f * w * f;
        float acc = 0.0f;
        for (int dy = 0; dy < f; dy++)
            for (int dx = 0; dx < f; dx++) acc += go[(y * f + dy) * (w * f) + x * f + dx];
        gradIn[e] = acc;
    }
}
