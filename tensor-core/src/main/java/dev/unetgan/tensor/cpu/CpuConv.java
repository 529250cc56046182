package dev.unetgan.tensor.cpu;

import java.util.Arrays;

import dev.unetgan.tensor.Conv2dSpec;
import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.NDArray;

/**
 * CPU 2-D convolution (cross-correlation, as PyTorch). The F32 paths are implicit GEMMs over the whole batch
 * ({@link ConvGemm}), with no column matrix in memory:
 * <ul>
 *   <li>forward: {@link ForwardConv}, {@code out[K, N·PQ] = W[K, CRS]·col[CRS, N·PQ] + bias}; 3×3 convs at stride
 *       1 with enough channels run by {@link Winograd} instead, 16 GEMMs with 2.25x fewer multiply-adds, and those at
 *       stride 1 with a shallow reduction (the RGB layers) by {@link ShallowConv}, each output row's slivers
 *       packed once for every output channel and the tiles stored straight into the output;</li>
 *   <li>backward-data at stride 1 (and at least {@link ConvGemm#MR} input channels): the forward conv of the output
 *       gradient with the weight transposed and flipped ({@link ConvGeometry#stride1Adjoint()}), by Winograd where
 *       that conv suits it; at larger strides,
 *       per image {@code col = Wᵀ·gOut} then col2im ({@link Im2col}), images spread over the threads;</li>
 *   <li>backward-filter: {@link FilterGradient}, one GEMM whose depth runs over every pixel of every image; at
 *       stride 1 with few input or output channels, {@link LaneFilterGradient}, vectors along the pixels with no
 *       packing; where Winograd runs the forward conv, {@link WinogradFilterGradient}, 16 GEMMs whose depth runs
 *       over every tile.</li>
 * </ul>
 * F64, and F32 under {@link CpuOptions#scalar()}, take a direct loop over every tap, the reference the fast paths
 * are tested against.
 */
final class CpuConv {
    /** Per-thread column matrix, grown on demand and never shrunk: a training step asks for the same sizes again. */
    private static final ThreadLocal<float[]> COL = ThreadLocal.withInitial(() -> new float[0]);
    /** Column-matrix elements below which splitting an image's col2im across threads costs more than it saves. */
    private static final int COL_GRAIN = 32 * 1024;

    private CpuConv() {
    }

    /**
     * {@code out [N,K,P,Q] = conv(x [N,C,H,W], w [K,C,R,S]) + bias [K]} ({@code bias} may be null).
     */
    static void forward(NDArray x, NDArray w, NDArray bias, Conv2dSpec spec, NDArray out) {
        ConvGeometry g = ConvGeometry.of(x, w, spec);
        if (!fastPath(x)) {
            Reference.forward(g, CpuStorage.of(x), CpuStorage.of(w), bias == null ? null : CpuStorage.of(bias),
                    CpuStorage.of(out));
            return;
        }
        float[] xs = CpuStorage.f32(x), ws = CpuStorage.f32(w), bs = bias == null ? null : CpuStorage.f32(bias);
        if (ShallowConv.suits(g)) {
            ShallowConv.compute(g, xs, ws, bs, CpuStorage.f32(out));
        } else if (Winograd.suits(g)) {
            Winograd.forward(g, xs, ws, bs, CpuStorage.f32(out));
        } else {
            ForwardConv.compute(g, xs, ws, bs, CpuStorage.f32(out));
        }
    }

    /** {@code gi [N,C,H,W]}: the gradient w.r.t. the input, from {@code g [N,K,P,Q]} and {@code w [K,C,R,S]}. */
    static void backwardData(NDArray g, NDArray w, Conv2dSpec spec, NDArray gi) {
        ConvGeometry geo = ConvGeometry.of(gi, w, spec);
        if (!fastPath(g)) {
            Reference.backwardData(geo, CpuStorage.of(g), CpuStorage.of(w), CpuStorage.of(gi));
            return;
        }
        float[] gs = CpuStorage.f32(g), ws = CpuStorage.f32(w), is = CpuStorage.f32(gi);
        if (geo.strideH() == 1 && geo.strideW() == 1 && Winograd.suits(geo.stride1Adjoint())) {
            Winograd.backwardData(geo, gs, ws, is);
            return;
        }
        // With fewer input channels than a register tile has rows, the flipped conv would waste most of its FMAs.
        if (geo.strideH() == 1 && geo.strideW() == 1 && geo.c() >= ConvGemm.MR) {
            ForwardConv.backwardData(geo, gs, ws, is);
            return;
        }
        int kk = geo.k(), crs = geo.crs(), pq = geo.pq(), chw = geo.c() * geo.hw();
        forEachImage(geo, (ni, col, parallelInside) -> {
            CpuGemm.sgemm(true, false, crs, pq, kk, 1f, ws, 0, crs, gs, ni * kk * pq, pq, 0f, col, 0, pq);
            fromColumns(geo, col, is, ni * chw, parallelInside);
        });
    }

    /** {@code gw [K,C,R,S]}: the gradient w.r.t. the weight, from {@code x [N,C,H,W]} and {@code g [N,K,P,Q]}. */
    static void backwardFilter(NDArray x, NDArray g, Conv2dSpec spec, NDArray gw) {
        ConvGeometry geo = ConvGeometry.of(x, gw, spec);
        if (!fastPath(x)) {
            Reference.backwardFilter(geo, CpuStorage.of(x), CpuStorage.of(g), CpuStorage.of(gw));
            return;
        }
        float[] xs = CpuStorage.f32(x), gs = CpuStorage.f32(g), ws = CpuStorage.f32(gw);
        if (Winograd.suits(geo)) {
            WinogradFilterGradient.compute(geo, xs, gs, ws);
        } else if (LaneFilterGradient.suits(geo)) {
            LaneFilterGradient.compute(geo, xs, gs, ws);
        } else {
            FilterGradient.compute(geo, xs, gs, ws);
        }
    }

    /** The work of one image; {@code col} is this thread's column scratch. */
    @FunctionalInterface
    private interface ImageBody {
        void run(int image, float[] col, boolean parallelInside);
    }

    /**
     * Runs {@code body} for every image: whole images per thread when there are enough of them, otherwise one
     * image at a time with {@code parallelInside} set so the body splits its own work.
     */
    private static void forEachImage(ConvGeometry g, ImageBody body) {
        int colSize = g.crs() * g.pq();
        if (g.n() >= CpuPool.threads()) {
            CpuPool.parallelFor(g.n(), 1, (n0, n1) -> {
                float[] col = columnScratch(colSize);
                for (int ni = n0; ni < n1; ni++) {
                    body.run(ni, col, false);
                }
            });
        } else {
            float[] col = columnScratch(colSize);
            for (int ni = 0; ni < g.n(); ni++) {
                body.run(ni, col, true);
            }
        }
    }

    /** Clears the image at {@code xOff} and adds the column matrix back into it, split over channels when asked to. */
    private static void fromColumns(ConvGeometry g, float[] col, float[] xs, int xOff, boolean parallel) {
        CpuPool.parallelFor(g.c(), parallel ? channelGrain(g) : Integer.MAX_VALUE, (c0, c1) -> {
            Arrays.fill(xs, xOff + c0 * g.hw(), xOff + c1 * g.hw(), 0f);
            Im2col.col2im(g, col, 0, xs, xOff, c0, c1);
        });
    }

    private static int channelGrain(ConvGeometry g) {
        return Math.max(1, COL_GRAIN / Math.max(1, g.r() * g.s() * g.pq()));
    }

    private static float[] columnScratch(int size) {
        float[] col = COL.get();
        if (col.length < size) {
            col = new float[size];
            COL.set(col);
        }
        return col;
    }

    private static boolean fastPath(NDArray a) {
        return a.dtype() == DType.F32 && !CpuOptions.scalar();
    }

    /**
     * The direct convolution, one multiply-add per tap, accumulated in double: the F64 path (used at gradient-check
     * sizes) and the scalar reference for F32. Every op visits the same taps as {@code (out, in, weight)} index
     * triples, so the three ops cannot disagree about the geometry.
     */
    private static final class Reference {
        @FunctionalInterface
        interface Tap {
            void visit(int outIdx, int inIdx, int wIdx);
        }

        /** Visits every in-bounds tap of images {@code [n0, n1)} in a fixed order. */
        static void forEachTap(ConvGeometry g, int n0, int n1, Tap tap) {
            for (int ni = n0; ni < n1; ni++) {
                for (int ki = 0; ki < g.k(); ki++) {
                    for (int pi = 0; pi < g.p(); pi++) {
                        for (int qi = 0; qi < g.q(); qi++) {
                            int o = ((ni * g.k() + ki) * g.p() + pi) * g.q() + qi;
                            for (int ci = 0; ci < g.c(); ci++) {
                                for (int ri = 0; ri < g.r(); ri++) {
                                    int ih = g.inRow(pi, ri);
                                    if (ih < 0 || ih >= g.h()) {
                                        continue;
                                    }
                                    for (int si = 0; si < g.s(); si++) {
                                        int iw = qi * g.strideW() + g.inCol0(si);
                                        if (iw >= 0 && iw < g.w()) {
                                            tap.visit(o, ((ni * g.c() + ci) * g.h() + ih) * g.w() + iw,
                                                    ((ki * g.c() + ci) * g.r() + ri) * g.s() + si);
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        static void forward(ConvGeometry g, CpuStorage x, CpuStorage w, CpuStorage bias, CpuStorage out) {
            int perImage = g.k() * g.pq();
            CpuPool.parallelFor(g.n(), 1, (n0, n1) -> {
                double[] acc = new double[(n1 - n0) * perImage];
                int base = n0 * perImage;
                forEachTap(g, n0, n1, (o, i, wi) -> acc[o - base] += x.get(i) * w.get(wi));
                for (int e = 0; e < acc.length; e++) {
                    out.set(base + e, acc[e] + (bias == null ? 0 : bias.get(e / g.pq() % g.k())));
                }
            });
        }

        static void backwardData(ConvGeometry g, CpuStorage gOut, CpuStorage w, CpuStorage gIn) {
            int perImage = g.c() * g.hw();
            CpuPool.parallelFor(g.n(), 1, (n0, n1) -> {
                double[] acc = new double[(n1 - n0) * perImage];
                int base = n0 * perImage;
                forEachTap(g, n0, n1, (o, i, wi) -> acc[i - base] += gOut.get(o) * w.get(wi));
                for (int e = 0; e < acc.length; e++) {
                    gIn.set(base + e, acc[e]);
                }
            });
        }

        static void backwardFilter(ConvGeometry g, CpuStorage x, CpuStorage gOut, CpuStorage gW) {
            double[] acc = new double[g.k() * g.crs()];
            forEachTap(g, 0, g.n(), (o, i, wi) -> acc[wi] += x.get(i) * gOut.get(o));
            for (int e = 0; e < acc.length; e++) {
                gW.set(e, acc[e]);
            }
        }
    }
}
