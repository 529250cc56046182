package dev.unetgan.tensor.cpu;

import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Pool2dSpec;
import dev.unetgan.tensor.PoolMode;

import java.util.Arrays;

/**
 * CPU pooling, nearest upsampling and batch norm on NCHW arrays. Pooling, upsampling and batch-norm apply run in
 * parallel over the {@code N·C} planes; batch-norm statistics and backward run in parallel over channels, since each
 * channel reduces over all of its N planes.
 *
 * <p>Every kernel has a dtype-agnostic reference path that reads and writes through {@link CpuStorage#get} and
 * {@link CpuStorage#set} (F64, and F32 under {@link CpuOptions#scalar()}), and the hot cases have an F32 Vector API
 * path in {@link SpatialVec}: the 2x2 stride-2 average pool and the factor-2 upsample (and their backwards) which the
 * U-Net runs at every resolution, and the batch-norm passes.
 */
final class CpuSpatial {
    /** Planes are small in the deep layers, so a chunk needs several to be worth a thread hand-off. */
    private static final int PLANE_GRAIN_ELEMS = 1 << 14;

    private CpuSpatial() {
    }

    private static boolean vectorF32(NDArray a) {
        return a.dtype() == DType.F32 && !CpuOptions.scalar();
    }

    /** Parallel loop over the {@code planes} planes of {@code planeSize} elements, with a grain of about 16K elements. */
    private static void forPlanes(int planes, int planeSize, CpuPool.RangeBody body) {
        CpuPool.parallelFor(planes, Math.max(1, PLANE_GRAIN_ELEMS / Math.max(1, planeSize)), body);
    }

    /**
     * The U-Net's 2x2 stride-2 window on an input at least as big as it (a smaller one gets a 1x1 output from
     * {@link Pool2dSpec#outH}'s truncating division, which the clamped general loop handles).
     */
    private static boolean is2x2(Pool2dSpec s, int h, int w) {
        return h >= 2 && w >= 2 && s.kernelH() == 2 && s.kernelW() == 2 && s.strideH() == 2 && s.strideW() == 2
                && s.padH() == 0 && s.padW() == 0;
    }

    // ---------------------------------------------------------------- pooling

    /**
     * Pooling forward: {@code x [N,C,H,W]} to {@code out [N,C,P,Q]}; for MAX, {@code indices} (I32, {@code [N,C,P,Q]})
     * gets the flat {@code h·W + w} position of each maximum within its plane. AVG divides by the full window size.
     */
    static void pool2dForward(PoolMode mode, NDArray x, Pool2dSpec spec, NDArray out, NDArray indices) {
        int planes = x.dim(0) * x.dim(1);
        int h = x.dim(2), w = x.dim(3), p = out.dim(2), q = out.dim(3);
        CpuStorage xs = CpuStorage.of(x), os = CpuStorage.of(out);
        if (mode == PoolMode.AVG && is2x2(spec, h, w) && vectorF32(x)) {
            float[] xa = xs.f32, oa = os.f32;
            forPlanes(planes, h * w, (start, end) -> {
                for (int pl = start; pl < end; pl++) {
                    for (int r = 0; r < p; r++) {
                        int row0 = pl * h * w + 2 * r * w;
                        SpatialVec.pairSum(xa, row0, row0 + w, oa, (pl * p + r) * q, q, 0.25f);
                    }
                }
            });
            return;
        }
        int[] idx = mode == PoolMode.MAX ? CpuStorage.i32(indices) : null;
        forPlanes(planes, h * w, (start, end) -> {
            for (int pl = start; pl < end; pl++) {
                poolPlane(mode, spec, xs, pl * h * w, h, w, os, idx, pl * p * q, p, q);
            }
        });
    }

    /** The general pooling window loop over one plane, for any geometry and dtype. */
    private static void poolPlane(PoolMode mode, Pool2dSpec spec, CpuStorage xs, int inBase, int h, int w,
                                  CpuStorage os, int[] idx, int outBase, int p, int q) {
        int kh = spec.kernelH(), kw = spec.kernelW();
        double inv = 1.0 / (kh * kw);
        for (int r = 0; r < p; r++) {
            int h0 = r * spec.strideH() - spec.padH();
            int hFrom = Math.max(h0, 0), hTo = Math.min(h0 + kh, h);
            for (int c = 0; c < q; c++) {
                int w0 = c * spec.strideW() - spec.padW();
                int wFrom = Math.max(w0, 0), wTo = Math.min(w0 + kw, w);
                int o = outBase + r * q + c;
                if (mode == PoolMode.AVG) {
                    double sum = 0;
                    for (int i = hFrom; i < hTo; i++) {
                        for (int j = wFrom; j < wTo; j++) {
                            sum += xs.get(inBase + i * w + j);
                        }
                    }
                    os.set(o, sum * inv);
                    continue;
                }
                // The contract's geometry (2·pad <= kernel) guarantees each window holds a real pixel.
                int best = -1;
                double bestValue = 0;
                for (int i = hFrom; i < hTo; i++) {
                    for (int j = wFrom; j < wTo; j++) {
                        double v = xs.get(inBase + i * w + j);
                        // Strict '>' keeps the first of equal maxima; a NaN wins once, as in PyTorch.
                        if (best < 0 || v > bestValue || (v != v && bestValue == bestValue)) {
                            best = i * w + j;
                            bestValue = v;
                        }
                    }
                }
                os.set(o, bestValue);
                idx[o] = best;
            }
        }
    }

    /**
     * Pooling backward: {@code gradOut [N,C,P,Q]} into {@code gradIn [N,C,H,W]} (overwritten). MAX routes each gradient
     * to its recorded position; AVG spreads it evenly over the full window, dropping the share of padded positions.
     */
    static void pool2dBackward(PoolMode mode, NDArray g, NDArray indices, Pool2dSpec spec, NDArray gi) {
        int planes = gi.dim(0) * gi.dim(1);
        int h = gi.dim(2), w = gi.dim(3), p = g.dim(2), q = g.dim(3);
        CpuStorage gs = CpuStorage.of(g), is = CpuStorage.of(gi);
        if (mode == PoolMode.AVG && is2x2(spec, h, w) && vectorF32(g)) {
            float[] ga = gs.f32, ia = is.f32;
            forPlanes(planes, h * w, (start, end) -> {
                for (int pl = start; pl < end; pl++) {
                    int base = pl * h * w;
                    for (int r = 0; r < p; r++) {
                        int row0 = base + 2 * r * w;
                        SpatialVec.pairSpread(ga, (pl * p + r) * q, ia, row0, row0 + w, q, 0.25f);
                        if (w > 2 * q) { // odd width: the last column is outside every window
                            ia[row0 + w - 1] = 0f;
                            ia[row0 + 2 * w - 1] = 0f;
                        }
                    }
                    Arrays.fill(ia, base + 2 * p * w, base + h * w, 0f);
                }
            });
            return;
        }
        int[] idx = mode == PoolMode.MAX ? CpuStorage.i32(indices) : null;
        forPlanes(planes, h * w, (start, end) -> {
            for (int pl = start; pl < end; pl++) {
                poolPlaneBackward(mode, spec, gs, idx, pl * p * q, p, q, is, pl * h * w, h, w);
            }
        });
    }

    /** The general pooling gradient over one plane: zero it, then scatter each output's gradient into its window. */
    private static void poolPlaneBackward(PoolMode mode, Pool2dSpec spec, CpuStorage gs, int[] idx, int outBase, int p,
                                          int q, CpuStorage is, int base, int h, int w) {
        int kh = spec.kernelH(), kw = spec.kernelW();
        double inv = 1.0 / (kh * kw);
        for (int i = base; i < base + h * w; i++) {
            is.set(i, 0);
        }
        for (int o = outBase; o < outBase + p * q; o++) {
            double go = gs.get(o);
            if (mode == PoolMode.MAX) {
                int at = base + idx[o];
                is.set(at, is.get(at) + go);
                continue;
            }
            int r = (o - outBase) / q, c = (o - outBase) % q;
            int h0 = r * spec.strideH() - spec.padH(), w0 = c * spec.strideW() - spec.padW();
            int hTo = Math.min(h0 + kh, h), wTo = Math.min(w0 + kw, w);
            double share = go * inv;
            for (int i = Math.max(h0, 0); i < hTo; i++) {
                for (int j = Math.max(w0, 0); j < wTo; j++) {
                    int at = base + i * w + j;
                    is.set(at, is.get(at) + share);
                }
            }
        }
    }

    // ---------------------------------------------------------------- nearest upsampling

    /** Nearest upsampling: {@code x [N,C,H,W]} to {@code out [N,C,H·f,W·f]}. */
    static void upsampleNearest2d(NDArray x, int f, NDArray out) {
        int planes = x.dim(0) * x.dim(1);
        int h = x.dim(2), w = x.dim(3), wo = w * f;
        CpuStorage xs = CpuStorage.of(x), os = CpuStorage.of(out);
        boolean fast = f == 2 && vectorF32(x);
        Object outArray = os.f32 != null ? os.f32 : os.f64;
        forPlanes(planes, h * w * f * f, (start, end) -> {
            for (int pl = start; pl < end; pl++) {
                for (int r = 0; r < h; r++) {
                    int in = (pl * h + r) * w;
                    int row0 = (pl * h + r) * f * wo;
                    if (fast) {
                        SpatialVec.pairSpread(xs.f32, in, os.f32, row0, row0 + wo, w, 1f);
                        continue;
                    }
                    for (int c = 0; c < w; c++) {
                        double v = xs.get(in + c);
                        for (int j = 0; j < f; j++) {
                            os.set(row0 + c * f + j, v);
                        }
                    }
                    // The remaining f-1 output rows repeat the first one.
                    for (int i = 1; i < f; i++) {
                        System.arraycopy(outArray, row0, outArray, row0 + i * wo, wo);
                    }
                }
            }
        });
    }

    /** Upsampling backward: each {@code f×f} block of {@code g [N,C,H·f,W·f]} summed into {@code gi [N,C,H,W]}. */
    static void upsampleNearest2dBackward(NDArray g, int f, NDArray gi) {
        int planes = gi.dim(0) * gi.dim(1);
        int h = gi.dim(2), w = gi.dim(3), wo = w * f;
        CpuStorage gs = CpuStorage.of(g), is = CpuStorage.of(gi);
        boolean fast = f == 2 && vectorF32(g);
        forPlanes(planes, h * w * f * f, (start, end) -> {
            for (int pl = start; pl < end; pl++) {
                for (int r = 0; r < h; r++) {
                    int o = (pl * h + r) * w;
                    int row0 = (pl * h + r) * f * wo;
                    if (fast) {
                        SpatialVec.pairSum(gs.f32, row0, row0 + wo, is.f32, o, w, 1f);
                        continue;
                    }
                    for (int c = 0; c < w; c++) {
                        double sum = 0;
                        for (int i = 0; i < f; i++) {
                            for (int j = 0; j < f; j++) {
                                sum += gs.get(row0 + i * wo + c * f + j);
                            }
                        }
                        is.set(o + c, sum);
                    }
                }
            }
        });
    }

    // ---------------------------------------------------------------- batch norm

    /** Per-channel mean and biased variance of {@code x [N,C,H,W]} into {@code mean, var [C]}; two passes in double. */
    static void batchNormStats(NDArray x, NDArray mean, NDArray var) {
        int n = x.dim(0), ch = x.dim(1), hw = x.dim(2) * x.dim(3);
        double m = (double) n * hw;
        CpuStorage xs = CpuStorage.of(x), ms = CpuStorage.of(mean), vs = CpuStorage.of(var);
        boolean fast = vectorF32(x);
        CpuPool.parallelFor(ch, channelGrain(n * hw), (start, end) -> {
            for (int c = start; c < end; c++) {
                double sum = 0;
                for (int b = 0; b < n; b++) {
                    int off = (b * ch + c) * hw;
                    sum += fast ? SpatialVec.centeredDot(xs.f32, 0f, null, 0f, off, hw)
                            : centeredDot(xs, 0, null, 0, off, hw);
                }
                double mu = sum / m;
                double sq = 0;
                for (int b = 0; b < n; b++) {
                    int off = (b * ch + c) * hw;
                    sq += fast ? SpatialVec.centeredDot(xs.f32, (float) mu, xs.f32, (float) mu, off, hw)
                            : centeredDot(xs, mu, xs, mu, off, hw);
                }
                ms.set(c, mu);
                vs.set(c, sq / m);
            }
        });
    }

    /**
     * {@code out = (x - mean[c]) / sqrt(var[c] + eps) · gamma[c] + beta[c]} for {@code x, out [N,C,H,W]};
     * {@code gamma}, {@code beta} ({@code [C]}) may be null for 1 and 0.
     */
    static void batchNormApply(NDArray x, NDArray mean, NDArray var, NDArray gamma, NDArray beta, double eps, NDArray out) {
        int ch = x.dim(1), hw = x.dim(2) * x.dim(3);
        CpuStorage xs = CpuStorage.of(x), os = CpuStorage.of(out);
        CpuStorage ms = CpuStorage.of(mean), vs = CpuStorage.of(var);
        CpuStorage gs = gamma == null ? null : CpuStorage.of(gamma), bs = beta == null ? null : CpuStorage.of(beta);
        boolean fast = vectorF32(x);
        forPlanes(x.dim(0) * ch, hw, (start, end) -> {
            for (int pl = start; pl < end; pl++) {
                int c = pl % ch, off = pl * hw;
                double mu = ms.get(c);
                double scale = (gs == null ? 1 : gs.get(c)) / Math.sqrt(vs.get(c) + eps);
                double shift = bs == null ? 0 : bs.get(c);
                if (fast) {
                    SpatialVec.affineCentered(xs.f32, os.f32, off, hw, (float) mu, (float) scale, (float) shift);
                    continue;
                }
                for (int i = off; i < off + hw; i++) {
                    // Centre before scaling: x·scale + (beta - mean·scale) cancels badly when |mean| >> std.
                    os.set(i, (xs.get(i) - mu) * scale + shift);
                }
            }
        });
    }

    /**
     * Training-mode batch-norm backward for {@code x, g, gi [N,C,H,W]} with batch statistics {@code mean, var [C]}:
     * {@code gi = gamma·invstd·(g - dBeta/M - xhat·dGamma/M)} with {@code M = N·H·W}, {@code dBeta = Σg} and
     * {@code dGamma = Σ g·xhat}. {@code gg} and {@code gb} ({@code [C]}) are written only when not null.
     */
    static void batchNormBackward(NDArray x, NDArray mean, NDArray var, NDArray gamma, double eps, NDArray g,
                                  NDArray gi, NDArray gg, NDArray gb) {
        int n = x.dim(0), ch = x.dim(1), hw = x.dim(2) * x.dim(3);
        double m = (double) n * hw;
        CpuStorage xs = CpuStorage.of(x), gs = CpuStorage.of(g), is = CpuStorage.of(gi);
        CpuStorage ms = CpuStorage.of(mean), vs = CpuStorage.of(var);
        CpuStorage gammas = gamma == null ? null : CpuStorage.of(gamma);
        CpuStorage ggs = gg == null ? null : CpuStorage.of(gg), gbs = gb == null ? null : CpuStorage.of(gb);
        boolean fast = vectorF32(x);
        CpuPool.parallelFor(ch, channelGrain(n * hw), (start, end) -> {
            for (int c = start; c < end; c++) {
                double mu = ms.get(c);
                double invstd = 1 / Math.sqrt(vs.get(c) + eps);
                double sumG = 0, sumGx = 0;
                for (int b = 0; b < n; b++) {
                    int off = (b * ch + c) * hw;
                    if (fast) {
                        sumG += SpatialVec.centeredDot(gs.f32, 0f, null, 0f, off, hw);
                        sumGx += SpatialVec.centeredDot(gs.f32, 0f, xs.f32, (float) mu, off, hw);
                    } else {
                        sumG += centeredDot(gs, 0, null, 0, off, hw);
                        sumGx += centeredDot(gs, 0, xs, mu, off, hw);
                    }
                }
                double dGamma = sumGx * invstd;
                if (ggs != null) ggs.set(c, dGamma);
                if (gbs != null) gbs.set(c, sumG);
                // gi = k·(g - a - (x - mean)·b), with xhat·dGamma/M folded into (x - mean)·b.
                double k = (gammas == null ? 1 : gammas.get(c)) * invstd;
                double a = sumG / m;
                double bcoef = dGamma * invstd / m;
                for (int b = 0; b < n; b++) {
                    int off = (b * ch + c) * hw;
                    if (fast) {
                        SpatialVec.bnBackwardRow(gs.f32, xs.f32, is.f32, off, hw, (float) mu, (float) k, (float) a,
                                (float) bcoef);
                        continue;
                    }
                    for (int i = off; i < off + hw; i++) {
                        is.set(i, k * (gs.get(i) - a - (xs.get(i) - mu) * bcoef));
                    }
                }
            }
        });
    }

    /** One channel's reduction covers N planes; ask for at least ~64K elements per thread. */
    private static int channelGrain(int channelSize) {
        return Math.max(1, (1 << 16) / Math.max(1, channelSize));
    }

    /**
     * {@code Σ (a[i] - ma)·(b[i] - mb)} over {@code [off, off+n)} in double, or {@code Σ (a[i] - ma)} when
     * {@code b} is null.
     */
    private static double centeredDot(CpuStorage a, double ma, CpuStorage b, double mb, int off, int n) {
        double sum = 0;
        for (int i = off; i < off + n; i++) {
            double d = a.get(i) - ma;
            sum += b == null ? d : d * (b.get(i) - mb);
        }
        return sum;
    }
}
