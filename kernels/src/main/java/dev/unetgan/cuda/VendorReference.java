package dev.unetgan.cuda;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Plain host implementations of the two vendor contracts of {@link DeviceRuntime}, on device addresses that are
 * host addresses (the emulation's): {@code cublasSgemmStridedBatched} (column-major, op flags, leading dimensions,
 * strides) and the three cuDNN NCHW cross-correlation calls. They follow the contracts literally, with double
 * accumulation, and share nothing with the CPU backend, so a wrong transpose or leading dimension in
 * {@code CudaBackend} shows up as a parity failure rather than being hidden.
 */
final class VendorReference {
    /** All of the address space, for reading and writing by absolute address. */
    private static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    private VendorReference() {
    }

    private static float get(long base, long i) {
        return ALL.get(F, base + 4 * i);
    }

    private static void set(long base, long i, float v) {
        ALL.set(F, base + 4 * i, v);
    }

    /** alpha and beta are device addresses (device pointer mode), read here like any operand. */
    static void sgemmStridedBatched(boolean transA, boolean transB, int m, int n, int k, long alphaPtr,
                                    long a, int lda, long strideA, long b, int ldb, long strideB,
                                    long betaPtr, long c, int ldc, long strideC, int batch) {
        DeviceRuntime.checkSgemm(transA, transB, m, n, k, lda, ldb, ldc, batch);
        float alpha = get(alphaPtr, 0), beta = get(betaPtr, 0);
        for (int p = 0; p < batch; p++) {
            long ap = a + 4 * p * strideA, bp = b + 4 * p * strideB, cp = c + 4 * p * strideC;
            for (int j = 0; j < n; j++) {
                for (int i = 0; i < m; i++) {
                    double acc = 0;
                    for (int l = 0; l < k; l++) {
                        float x = transA ? get(ap, l + (long) i * lda) : get(ap, i + (long) l * lda);
                        float y = transB ? get(bp, j + (long) l * ldb) : get(bp, l + (long) j * ldb);
                        acc += (double) x * y;
                    }
                    long ci = i + (long) j * ldc;
                    double prior = beta == 0 ? 0 : (double) beta * get(cp, ci);
                    set(cp, ci, (float) (alpha * acc + prior));
                }
            }
        }
    }

    /** {@code y = alpha·conv(x, w) + beta·y}. */
    static void convolutionForward(ConvGeometry g, float alpha, long x, long w, float beta, long y) {
        int p = g.p(), q = g.q();
        for (int n = 0; n < g.n(); n++) {
            for (int k = 0; k < g.k(); k++) {
                for (int oh = 0; oh < p; oh++) {
                    for (int ow = 0; ow < q; ow++) {
                        double[] acc = {0};
                        int nn = n, kk = k;
                        forEachTap(g, oh, ow, (c, r, s, ih, iw) ->
                                acc[0] += (double) get(x, xIndex(g, nn, c, ih, iw)) * get(w, wIndex(g, kk, c, r, s)));
                        long yi = ((long) (n * g.k() + k) * p + oh) * q + ow;
                        set(y, yi, (float) (alpha * acc[0] + (beta == 0 ? 0 : (double) beta * get(y, yi))));
                    }
                }
            }
        }
    }

    /** {@code dx = alpha·(gradient of conv w.r.t. x)(w, dy) + beta·dx}. */
    static void convolutionBackwardData(ConvGeometry g, float alpha, long w, long dy, float beta, long dx) {
        double[] acc = new double[g.n() * g.c() * g.h() * g.w()];
        forEachOutputTap(g, dy, (n, k, d, c, r, s, ih, iw) ->
                acc[(int) xIndex(g, n, c, ih, iw)] += d * get(w, wIndex(g, k, c, r, s)));
        store(acc, alpha, beta, dx);
    }

    /** {@code dw = alpha·(gradient of conv w.r.t. w)(x, dy) + beta·dw}. */
    static void convolutionBackwardFilter(ConvGeometry g, float alpha, long x, long dy, float beta, long dw) {
        double[] acc = new double[g.k() * g.c() * g.r() * g.s()];
        forEachOutputTap(g, dy, (n, k, d, c, r, s, ih, iw) ->
                acc[(int) wIndex(g, k, c, r, s)] += d * get(x, xIndex(g, n, c, ih, iw)));
        store(acc, alpha, beta, dw);
    }

    private interface OutputTap {
        void at(int n, int k, double dy, int c, int r, int s, int ih, int iw);
    }

    /** Every in-bounds filter tap of every output position, with that position's {@code dy}. */
    private static void forEachOutputTap(ConvGeometry g, long dy, OutputTap tap) {
        int p = g.p(), q = g.q();
        for (int n = 0; n < g.n(); n++) {
            for (int k = 0; k < g.k(); k++) {
                for (int oh = 0; oh < p; oh++) {
                    for (int ow = 0; ow < q; ow++) {
                        double d = get(dy, ((long) (n * g.k() + k) * p + oh) * q + ow);
                        int nn = n, kk = k;
                        forEachTap(g, oh, ow, (c, r, s, ih, iw) -> tap.at(nn, kk, d, c, r, s, ih, iw));
                    }
                }
            }
        }
    }

    /** {@code out[i] = alpha·acc[i] + beta·out[i]}, not reading out when beta is 0. */
    private static void store(double[] acc, float alpha, float beta, long out) {
        for (int i = 0; i < acc.length; i++) {
            set(out, i, (float) (alpha * acc[i] + (beta == 0 ? 0 : (double) beta * get(out, i))));
        }
    }

    private interface Tap {
        void at(int c, int r, int s, int ih, int iw);
    }

    /** Every in-bounds filter tap of output position {@code (oh, ow)}. */
    private static void forEachTap(ConvGeometry g, int oh, int ow, Tap tap) {
        for (int c = 0; c < g.c(); c++) {
            for (int r = 0; r < g.r(); r++) {
                int ih = oh * g.strideH() - g.padH() + r * g.dilationH();
                if (ih < 0 || ih >= g.h()) {
                    continue;
                }
                for (int s = 0; s < g.s(); s++) {
                    int iw = ow * g.strideW() - g.padW() + s * g.dilationW();
                    if (iw >= 0 && iw < g.w()) {
                        tap.at(c, r, s, ih, iw);
                    }
                }
            }
        }
    }

    private static long xIndex(ConvGeometry g, int n, int c, int h, int w) {
        return ((long) (n * g.c() + c) * g.h() + h) * g.w() + w;
    }

    private static long wIndex(ConvGeometry g, int k, int c, int r, int s) {
        return ((long) (k * g.c() + c) * g.r() + r) * g.s() + s;
    }
}
