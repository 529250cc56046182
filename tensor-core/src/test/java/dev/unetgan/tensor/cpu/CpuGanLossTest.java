package dev.unetgan.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.GanLossKind;
import dev.unetgan.tensor.GanOps;
import dev.unetgan.tensor.NDArray;

class CpuGanLossTest {
    /**
     * Encoder and decoder shapes: batch 1, sizes off the 16-float vector, one block exactly, and several blocks
     * with a ragged last one (so both the two-stage sum and the parallel split run).
     */
    private static final int[][] SHAPES = {
            {1, 1}, {7, 1}, {16, 1}, {17, 1}, {1, 1, 1, 1}, {3, 1, 5, 7}, {1, 1, 64, 64}, {5, 1, 31, 97},
            {50, 1, 33, 33},
    };

    private enum Path { F64, F32_VECTOR, F32_SCALAR }

    // ---- naive references, written from the formulas in UNETGAN.md §3, not from GanLossKind ----

    private static double naiveValue(GanLossKind kind, double l, double t) {
        return switch (kind) {
            // -[t·log σ(l) + (1-t)·log(1-σ(l))]; fine in double for the |l| <= 8 used here.
            case BCE -> -(t * Math.log(1 / (1 + Math.exp(-l))) + (1 - t) * Math.log(1 - 1 / (1 + Math.exp(-l))));
            case HINGE -> t == 1 ? Math.max(0, 1 - l) : Math.max(0, 1 + l);
            case HINGE_GENERATOR -> -l;
        };
    }

    private static double naiveDerivative(GanLossKind kind, double l, double t) {
        return switch (kind) {
            case BCE -> 1 / (1 + Math.exp(-l)) - t;
            case HINGE -> t == 1 ? (l < 1 ? -1 : 0) : (l > -1 ? 1 : 0);
            case HINGE_GENERATOR -> -1;
        };
    }

    private static int size(int[] dims) {
        int n = 1;
        for (int d : dims) n *= d;
        return n;
    }

    /** Logits in [-8, 8], kept 1e-3 away from the hinge kinks at ±1 (where float rounding could pick either side). */
    private static double[] logits(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] l = new double[n];
        for (int i = 0; i < n; i++) {
            double v = r.nextDouble(-8, 8);
            l[i] = Math.abs(Math.abs(v) - 1) < 1e-3 ? v + 0.01 : v;
        }
        return l;
    }

    private static double[] mask(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] m = new double[n];
        for (int i = 0; i < n; i++) m[i] = r.nextBoolean() ? 1 : 0;
        return m;
    }

    private static NDArray array(double[] v, int[] dims, Path path) {
        if (path == Path.F64) return NDArray.of(v, dims);
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return NDArray.of(f, dims);
    }

    private static <T> T onPath(Path path, java.util.function.Supplier<T> body) {
        boolean before = CpuOptions.scalar();
        CpuOptions.setScalar(path == Path.F32_SCALAR);
        try {
            return body.get();
        } finally {
            CpuOptions.setScalar(before);
        }
    }

    @Test
    void lossesMatchNaiveFormulasForEveryKindTargetShapeAndPath() {
        double weight = 0.5;
        for (GanLossKind kind : GanLossKind.values()) {
            for (int[] dims : SHAPES) {
                int n = size(dims);
                double[] l = logits(n, 7 + n);
                double[] m = mask(n, 11 + n);
                // Constant real, constant fake, and the per-element mask.
                double[][] targets = {null, null, m};
                double[] constants = {1, 0, Double.NaN};
                for (int ti = 0; ti < 3; ti++) {
                    double expLoss = 0;
                    double[] expGrad = new double[n];
                    for (int i = 0; i < n; i++) {
                        double t = targets[ti] == null ? constants[ti] : targets[ti][i];
                        expLoss += naiveValue(kind, l[i], t);
                        expGrad[i] = weight * naiveDerivative(kind, l[i], t) / n;
                    }
                    double expMean = weight * expLoss / n;
                    for (Path path : Path.values()) {
                        int fti = ti;
                        String what = kind + " " + java.util.Arrays.toString(dims) + " target " + ti + " " + path;
                        onPath(path, () -> {
                            try (NDArray lg = array(l, dims, path);
                                 NDArray tg = targets[fti] == null ? null : array(targets[fti], dims, path);
                                 GanOps.LossAndGrads r = tg == null
                                         ? GanOps.ganLoss(kind, lg, constants[fti], weight, true)
                                         : GanOps.ganLoss(kind, lg, tg, weight, true)) {
                                assertEquals(0, r.loss().rank(), what);
                                double tol = path == Path.F64 ? 1e-12 : 2e-6;
                                assertEquals(expMean, r.loss().item(), tol * Math.max(1, Math.abs(expMean)), what);
                                double[] g = r.grad(0).toDoubleArray();
                                for (int i = 0; i < n; i++) {
                                    assertEquals(expGrad[i], g[i], tol * weight / n + 1e-300, what + " grad " + i);
                                }
                            }
                            return null;
                        });
                    }
                }
            }
        }
    }

    @Test
    void bceIsStableForHugeLogits() {
        double[] l = {-1000, -200, -90, -30, 0, 30, 90, 200, 1000, 1e-30, -1e-30};
        int n = l.length;
        for (Path path : Path.values()) {
            for (double t : new double[]{0, 1}) {
                double exp = 0;
                for (double v : l) {
                    // softplus(l) - t·l written as t=1: softplus(-l), t=0: softplus(l); softplus(x) = x for x >= 90.
                    double x = t == 1 ? -v : v;
                    exp += x > 50 ? x : Math.log1p(Math.exp(x));
                }
                double expected = exp / n;
                double got = onPath(path, () -> {
                    try (NDArray lg = array(l, new int[]{n, 1}, path);
                         GanOps.LossAndGrads r = GanOps.ganLoss(GanLossKind.BCE, lg, t, 1, true)) {
                        for (double g : r.grad(0).toDoubleArray()) {
                            assertTrue(Double.isFinite(g) && Math.abs(g) <= 1.0 / n + 1e-7, path + " grad " + g);
                        }
                        return r.loss().item();
                    }
                });
                assertEquals(expected, got, 1e-6 * expected, path + " t=" + t);
            }
        }
    }

    @Test
    void hingeKinksHaveZeroSlopeAndGeneratorIgnoresTheTarget() {
        double[] l = {1, -1, 0.5, -3};
        for (Path path : Path.values()) {
            onPath(path, () -> {
                try (NDArray lg = array(l, new int[]{4, 1}, path);
                     GanOps.LossAndGrads real = GanOps.ganLoss(GanLossKind.HINGE, lg, 1, 1, true);
                     GanOps.LossAndGrads fake = GanOps.ganLoss(GanLossKind.HINGE, lg, 0, 1, true);
                     GanOps.LossAndGrads gen = GanOps.ganLoss(GanLossKind.HINGE_GENERATOR, lg, 0, 2, true)) {
                    // real: relu(1-l) = {0, 2, 0.5, 4}; fake: relu(1+l) = {2, 0, 1.5, 0}.
                    assertEquals(6.5 / 4, real.loss().item(), 1e-7);
                    assertArrayEquals(new double[]{0, -0.25, -0.25, -0.25}, real.grad(0).toDoubleArray(), 0);
                    assertEquals(3.5 / 4, fake.loss().item(), 1e-7);
                    assertArrayEquals(new double[]{0.25, 0, 0.25, 0}, fake.grad(0).toDoubleArray(), 0);
                    assertEquals(2 * 2.5 / 4, gen.loss().item(), 1e-7);
                    assertArrayEquals(new double[]{-0.5, -0.5, -0.5, -0.5}, gen.grad(0).toDoubleArray(), 0);
                }
                return null;
            });
        }
    }

    @Test
    void withoutGradOnlyTheLossIsComputed() {
        try (NDArray lg = NDArray.of(new float[]{0.25f, -2f, 3f}, 3, 1);
             GanOps.LossAndGrads r = GanOps.ganLoss(GanLossKind.BCE, lg, 1, 1, false)) {
            assertNull(r.grad(0));
            double e = (Math.log1p(Math.exp(-0.25)) + Math.log1p(Math.exp(2)) + Math.log1p(Math.exp(-3))) / 3;
            assertEquals(e, r.loss().item(), 1e-6);
        }
    }

    @Test
    void theSumIsTheFixedBlockTwoStageSumAndRepeatsBitForBit() {
        int[] dims = {7, 1, 61, 67}; // 28609 elements: 6 full blocks and a ragged one
        int n = size(dims);
        double[] l = logits(n, 3);
        double[] m = mask(n, 4);
        // F64: the partials of consecutive BLOCK-element runs, added in block order, reproduce the result exactly.
        double total = 0;
        for (int b = 0; b < n; b += CpuGanLoss.BLOCK) {
            double part = 0;
            for (int i = b; i < Math.min(n, b + CpuGanLoss.BLOCK); i++) {
                part += GanLossKind.BCE.value(l[i], m[i]);
            }
            total += part;
        }
        try (NDArray lg = NDArray.of(l, dims); NDArray tg = NDArray.of(m, dims);
             GanOps.LossAndGrads r = GanOps.ganLoss(GanLossKind.BCE, lg, tg, 1, true)) {
            assertEquals(total / n, r.loss().item(), 0);
        }
        // F32 vector path: repeated runs agree to the bit, loss and gradient.
        try (NDArray lg = array(l, dims, Path.F32_VECTOR); NDArray tg = array(m, dims, Path.F32_VECTOR)) {
            float[] firstGrad = null;
            double first = Double.NaN;
            for (int rep = 0; rep < 5; rep++) {
                try (GanOps.LossAndGrads r = GanOps.ganLoss(GanLossKind.BCE, lg, tg, 1, true)) {
                    if (rep == 0) {
                        first = r.loss().item();
                        firstGrad = r.grad(0).toFloatArray();
                    } else {
                        assertEquals(Double.doubleToRawLongBits(first), Double.doubleToRawLongBits(r.loss().item()));
                        assertArrayEquals(firstGrad, r.grad(0).toFloatArray(), 0f);
                    }
                }
            }
        }
    }

    @Test
    void rejectsMismatchedTargets() {
        try (NDArray lg = NDArray.of(new float[6], 2, 1, 3, 1); NDArray tg = NDArray.of(new float[6], 2, 1, 1, 3);
             NDArray td = NDArray.of(new double[6], 2, 1, 3, 1)) {
            assertThrows(IllegalArgumentException.class, () -> GanOps.ganLoss(GanLossKind.BCE, lg, tg, 1, true));
            assertThrows(IllegalArgumentException.class, () -> GanOps.ganLoss(GanLossKind.BCE, lg, td, 1, true));
        }
    }

    // ---- consistency ----

    @Test
    void consistencyAndItsThreeGradientsMatchNaiveLoops() {
        double weight = 1.5;
        for (int[] dims : SHAPES) {
            int n = size(dims);
            double[] dm = logits(n, 21 + n), dr = logits(n, 22 + n), df = logits(n, 23 + n), m = mask(n, 24 + n);
            double exp = 0;
            double[] gm = new double[n], gr = new double[n], gf = new double[n];
            for (int i = 0; i < n; i++) {
                double target = m[i] == 1 ? dr[i] : df[i];
                double d = dm[i] - target;
                exp += d * d;
                gm[i] = 2 * weight * d / n;
                gr[i] = m[i] == 1 ? -gm[i] : 0;
                gf[i] = m[i] == 1 ? 0 : -gm[i];
            }
            double expLoss = weight * exp / n;
            for (Path path : Path.values()) {
                String what = java.util.Arrays.toString(dims) + " " + path;
                onPath(path, () -> {
                    try (NDArray a = array(dm, dims, path); NDArray b = array(dr, dims, path);
                         NDArray c = array(df, dims, path); NDArray k = array(m, dims, path);
                         GanOps.LossAndGrads r = GanOps.cutmixConsistency(a, b, c, k, weight, true, true, true)) {
                        double tol = path == Path.F64 ? 1e-12 : 2e-6;
                        assertEquals(expLoss, r.loss().item(), tol * expLoss, what);
                        double[][] exps = {gm, gr, gf};
                        for (int g = 0; g < 3; g++) {
                            double[] got = r.grad(g).toDoubleArray();
                            for (int i = 0; i < n; i++) {
                                assertEquals(exps[g][i], got[i], tol * 40 * weight / n, what + " grad " + g + "/" + i);
                            }
                        }
                    }
                    return null;
                });
            }
        }
    }

    @Test
    void consistencyWritesOnlyTheGradientsAskedFor() {
        try (NDArray a = NDArray.of(new float[]{1, 2, 3}, 3, 1); NDArray b = NDArray.of(new float[]{0, 0, 0}, 3, 1);
             NDArray c = NDArray.of(new float[]{5, 5, 5}, 3, 1); NDArray k = NDArray.of(new float[]{1, 0, 1}, 3, 1);
             GanOps.LossAndGrads r = GanOps.cutmixConsistency(a, b, c, k, 1, false, true, false)) {
            assertNull(r.grad(0));
            assertNull(r.grad(2));
            // d = {1, 2-5, 3} = {1, -3, 3}; mean d² = 19/3; gradReal = -M·2d/3.
            assertEquals(19.0 / 3, r.loss().item(), 1e-6);
            assertArrayEquals(new float[]{-2f / 3, 0, -2f}, r.grad(1).toFloatArray(), 1e-6f);
        }
    }
}
