package dev.unetgan.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.Device;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.OptimOps;
import dev.unetgan.tensor.AdamStep;
import dev.unetgan.tensor.Shape;

class CpuAdamTest {
    /** Odd sizes around the 16-float vector, and one above twice the 64K grain, so that it is split across threads. */
    private static final int[] SIZES = {1, 3, 15, 16, 17, 31, 33, 257, 140_001};

    /** lr, beta1, beta2, eps, weight decay: PyTorch's defaults, the UNETGAN betas with decay, and a coarse set. */
    private static final double[][] HYPER = {
            {1e-3, 0.9, 0.999, 1e-8, 0},
            {2e-4, 0.0, 0.999, 1e-6, 0.01},
            {0.05, 0.5, 0.9, 1e-3, 0.1},
    };

    /** Param, grad, m and v as doubles, the state of one naive Adam run. */
    private record State(double[] p, double[] g, double[] m, double[] v) {
        static State random(int n, long seed) {
            Random r = new Random(seed);
            double[] p = new double[n];
            double[] g = new double[n];
            for (int i = 0; i < n; i++) {
                p[i] = r.nextGaussian();
                // Some exact zeros and a spread of magnitudes, so that v straddles eps.
                g[i] = i % 7 == 3 ? 0 : r.nextGaussian() * Math.pow(10, r.nextInt(5) - 3);
            }
            return new State(p, g, new double[n], new double[n]);
        }
    }

    /** The update written out plainly from the PyTorch 1.13 formulas, in double; bias powers by repeated products. */
    private static State naiveStep(State s, double lr, double b1, double b2, double eps, double wd, long t) {
        double pow1 = 1;
        double pow2 = 1;
        for (long k = 0; k < t; k++) {
            pow1 *= b1;
            pow2 *= b2;
        }
        int n = s.p.length;
        double[] p = new double[n];
        double[] m = new double[n];
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            double g = s.g[i] + wd * s.p[i];
            m[i] = b1 * s.m[i] + (1 - b1) * g;
            v[i] = b2 * s.v[i] + (1 - b2) * g * g;
            double denom = Math.sqrt(v[i]) / Math.sqrt(1 - pow2) + eps;
            p[i] = s.p[i] - lr / (1 - pow1) * m[i] / denom;
        }
        return new State(p, s.g, m, v);
    }

    private static NDArray array(double[] data, DType dtype) {
        NDArray a = NDArray.of(data, data.length);
        if (dtype == DType.F64) {
            return a;
        }
        try (a) {
            return dev.unetgan.tensor.Ops.cast(a, DType.F32);
        }
    }

    /**
     * Runs three steps with the backend on {@code dtype} and, before each, the naive step from the backend's own
     * current state; checks p, m and v after each step. Returns the final backend state.
     */
    private static State runAndCheck(int n, double[] h, DType dtype, double rtol, double atol) {
        State s = State.random(n, 31L * n + (long) (h[0] * 1e6));
        try (NDArray p = array(s.p, dtype); NDArray g = array(s.g, dtype);
             NDArray m = array(s.m, dtype); NDArray v = array(s.v, dtype)) {
            for (long t = 1; t <= 3; t++) {
                State before = new State(p.toDoubleArray(), g.toDoubleArray(), m.toDoubleArray(), v.toDoubleArray());
                State want = naiveStep(before, h[0], h[1], h[2], h[3], h[4], t);
                OptimOps.adamUpdate(p, g, m, v, new AdamStep(h[0], h[1], h[2], h[3], h[4], t));
                String where = dtype + " n=" + n + " t=" + t + " hyper=" + java.util.Arrays.toString(h)
                        + " scalar=" + CpuOptions.scalar();
                assertClose(want.m, m.toDoubleArray(), rtol, atol, "m " + where);
                assertClose(want.v, v.toDoubleArray(), rtol, atol * 1e-3, "v " + where);
                // The parameter moves by about lr; its error is relative to that move, plus the rounding of p.
                assertClose(want.p, p.toDoubleArray(), rtol, atol + h[0] * rtol * 10, "p " + where);
                assertTrue(changed(before.p, p.toDoubleArray(), before.g), "p did not move: " + where);
            }
            return new State(p.toDoubleArray(), g.toDoubleArray(), m.toDoubleArray(), v.toDoubleArray());
        }
    }

    /** Some element whose gradient is non-zero moved. */
    private static boolean changed(double[] before, double[] after, double[] g) {
        for (int i = 0; i < before.length; i++) {
            if (g[i] != 0 && before[i] != after[i]) {
                return true;
            }
        }
        return false;
    }

    private static void assertClose(double[] want, double[] got, double rtol, double atol, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            double err = Math.abs(want[i] - got[i]);
            if (!(err <= atol + rtol * Math.abs(want[i]))) {
                throw new AssertionError(what + ": element " + i + " is " + got[i] + ", expected " + want[i]);
            }
        }
    }

    @Test
    void f64MatchesNaiveLoop() {
        for (int n : SIZES) {
            for (double[] h : HYPER) {
                runAndCheck(n, h, DType.F64, 1e-12, 1e-15);
            }
        }
    }

    @Test
    void f32VectorAndScalarPathsMatchNaiveLoopAndEachOther() {
        boolean saved = CpuOptions.scalar();
        try {
            for (int n : SIZES) {
                for (double[] h : HYPER) {
                    CpuOptions.setScalar(false);
                    State vector = runAndCheck(n, h, DType.F32, 2e-6, 1e-7);
                    CpuOptions.setScalar(true);
                    State scalar = runAndCheck(n, h, DType.F32, 2e-6, 1e-7);
                    // Absolute slack: with weight decay, g + wd·p can cancel, so m inherits the float rounding
                    // of wd·p (about 1e-8) rather than a relative error.
                    assertClose(scalar.p, vector.p, 1e-6, 1e-7, "vector vs scalar p, n=" + n);
                    assertClose(scalar.m, vector.m, 1e-6, 1e-7, "vector vs scalar m, n=" + n);
                    assertClose(scalar.v, vector.v, 1e-6, 1e-9, "vector vs scalar v, n=" + n);
                }
            }
        } finally {
            CpuOptions.setScalar(saved);
        }
    }

    @Test
    void zeroBeta1MakesTheFirstMomentTheGradientOnBothPaths() {
        boolean saved = CpuOptions.scalar();
        try {
            for (boolean scalar : new boolean[] {false, true}) {
                CpuOptions.setScalar(scalar);
                float[] g = {0.5f, -2f, 0f, 1e-3f, 7f, -0.25f, 3f, 1f, -1f, 2f, 4f, -8f, 0.1f, 0.2f, 0.3f, 0.4f, 9f};
                try (NDArray p = NDArray.of(new float[g.length], g.length);
                     NDArray gr = NDArray.of(g, g.length);
                     NDArray m = NDArray.full(Shape.of(g.length), DType.F32, Device.CPU, 123);
                     NDArray v = NDArray.zeros(Shape.of(g.length), DType.F32, Device.CPU)) {
                    OptimOps.adamUpdate(p, gr, m, v, new AdamStep(0.1, 0, 0.999, 1e-8, 0, 1));
                    assertArrayEquals(g, m.toFloatArray(), "scalar=" + scalar);
                    // First step from v = 0: sqrt(v/bc2) = |g|, so each element steps by lr·g/(|g| + eps).
                    float[] pv = p.toFloatArray();
                    for (int i = 0; i < g.length; i++) {
                        double want = -0.1 * g[i] / (Math.abs(g[i]) + 1e-8);
                        assertEquals(want, pv[i], 1e-7, "element " + i + " scalar=" + scalar);
                    }
                }
            }
        } finally {
            CpuOptions.setScalar(saved);
        }
    }

    @Test
    void rankZeroAndEmptyArrays() {
        try (NDArray p = NDArray.of(new double[] {1}, Shape.scalar(), Device.CPU);
             NDArray g = NDArray.of(new double[] {2}, Shape.scalar(), Device.CPU);
             NDArray m = NDArray.zeros(Shape.scalar(), DType.F64, Device.CPU);
             NDArray v = NDArray.zeros(Shape.scalar(), DType.F64, Device.CPU)) {
            OptimOps.adamUpdate(p, g, m, v, new AdamStep(0.5, 0.9, 0.99, 0, 0, 1));
            assertEquals(0.2, m.item(), 1e-14);
            assertEquals(0.04, v.item(), 1e-14);
            assertEquals(0.5, p.item(), 1e-14);   // m/bc1 = 2, sqrt(v/bc2) = 2: a step of exactly lr
        }
        try (NDArray e = NDArray.zeros(Shape.of(0, 3), DType.F32, Device.CPU);
             NDArray e2 = NDArray.zeros(Shape.of(0, 3), DType.F32, Device.CPU);
             NDArray e3 = NDArray.zeros(Shape.of(0, 3), DType.F32, Device.CPU);
             NDArray e4 = NDArray.zeros(Shape.of(0, 3), DType.F32, Device.CPU)) {
            OptimOps.adamUpdate(e, e2, e3, e4, new AdamStep(0.1, 0.9, 0.999, 1e-8, 0, 1));
        }
    }

    @Test
    void rejectsBadArgumentsAndHyperParameters() {
        try (NDArray p = NDArray.zeros(Shape.of(4), DType.F32, Device.CPU);
             NDArray g = NDArray.zeros(Shape.of(4), DType.F32, Device.CPU);
             NDArray m = NDArray.zeros(Shape.of(4), DType.F32, Device.CPU);
             NDArray v = NDArray.zeros(Shape.of(4), DType.F32, Device.CPU);
             NDArray wrongShape = NDArray.zeros(Shape.of(5), DType.F32, Device.CPU);
             NDArray wrongType = NDArray.zeros(Shape.of(4), DType.F64, Device.CPU);
             NDArray alias = m.reshape(2, 2).reshape(4)) {
            AdamStep ok = new AdamStep(1e-3, 0.9, 0.999, 1e-8, 0, 1);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> OptimOps.adamUpdate(p, g, m, wrongShape, ok));
            assertTrue(e.getMessage().contains("adam_update") && e.getMessage().contains("[5]"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> OptimOps.adamUpdate(p, wrongType, m, v, ok));
            assertThrows(IllegalArgumentException.class, () -> OptimOps.adamUpdate(p, g, m, alias, ok));
            assertThrows(IllegalArgumentException.class, () -> OptimOps.adamUpdate(p, g, m, v, null));
            assertThrows(IllegalArgumentException.class, () -> new AdamStep(-1, 0.9, 0.999, 1e-8, 0, 1));
            assertThrows(IllegalArgumentException.class, () -> new AdamStep(1e-3, 1, 0.999, 1e-8, 0, 1));
            assertThrows(IllegalArgumentException.class, () -> new AdamStep(1e-3, 0.9, -0.1, 1e-8, 0, 1));
            assertThrows(IllegalArgumentException.class, () -> new AdamStep(1e-3, 0.9, 0.999, -1, 0, 1));
            assertThrows(IllegalArgumentException.class, () -> new AdamStep(1e-3, 0.9, 0.999, 1e-8, Double.NaN, 1));
            assertThrows(IllegalArgumentException.class, () -> new AdamStep(1e-3, 0.9, 0.999, 1e-8, 0, 0));
            v.close();
            assertThrows(IllegalStateException.class, () -> OptimOps.adamUpdate(p, g, m, v, ok));
        }
    }
}
