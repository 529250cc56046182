package dev.unetgan.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.Device;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Scope;
import dev.unetgan.tensor.Shape;
import dev.unetgan.tensor.SpectralNormOps;
import dev.unetgan.tensor.SpectralNormOps.PowerIteration;

class CpuSpectralNormTest {
    /**
     * {rows, cols}: single elements, a single row and column, odd sizes around the 16-float vector and the 64-column
     * strip, a conv 3x3 weight, and two big enough to be split across threads (one the ch-64 worst case).
     */
    private static final int[][] SIZES = {
            {1, 1}, {1, 17}, {3, 1}, {5, 33}, {17, 65}, {16, 64}, {7, 129}, {64, 576}, {33, 1000}, {256, 2304},
            {1024, 9216},
    };

    /** The naive result: v, the new u and σ, all in double. */
    private record Naive(double[] v, double[] u, double sigma) {
    }

    /**
     * The definition written out plainly: {@code v = normalize(u·W)}, {@code u' = normalize(v·Wᵀ)}, and σ as an
     * explicit third product {@code v·Wᵀ·u'ᵀ}, so the kernel's shortcut for σ is checked too.
     */
    private static Naive naive(double[] w, double[] u, int rows, int cols, double eps) {
        double[] v = new double[cols];
        for (int j = 0; j < cols; j++) {
            for (int i = 0; i < rows; i++) {
                v[j] += u[i] * w[i * cols + j];
            }
        }
        normalize(v, eps);
        double[] u2 = new double[rows];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                u2[i] += v[j] * w[i * cols + j];
            }
        }
        normalize(u2, eps);
        double sigma = 0;
        for (int i = 0; i < rows; i++) {
            double wv = 0;
            for (int j = 0; j < cols; j++) {
                wv += w[i * cols + j] * v[j];
            }
            sigma += wv * u2[i];
        }
        return new Naive(v, u2, sigma);
    }

    private static void normalize(double[] a, double eps) {
        double s = 0;
        for (double x : a) {
            s += x * x;
        }
        double d = Math.max(Math.sqrt(s), eps);
        for (int i = 0; i < a.length; i++) {
            a[i] /= d;
        }
    }

    private static double[] gaussian(int n, long seed) {
        Random r = new Random(seed);
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextGaussian();
        }
        return a;
    }

    private static NDArray array(double[] data, DType dtype, int... dims) {
        if (dtype == DType.F64) {
            return NDArray.of(data, dims);
        }
        float[] f = new float[data.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) data[i];
        }
        return NDArray.of(f, dims);
    }

    /** Same inputs rounded to the dtype, so the naive reference sees exactly what the kernel sees. */
    private static double[] rounded(double[] a, DType dtype) {
        double[] r = a.clone();
        if (dtype == DType.F32) {
            for (int i = 0; i < r.length; i++) {
                r[i] = (float) r[i];
            }
        }
        return r;
    }

    private static void assertClose(double[] expected, double[] actual, double rtol, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            assertTrue(Math.abs(actual[i] - e) <= rtol * (1 + Math.abs(e)),
                    what + "[" + i + "]: expected " + e + ", got " + actual[i]);
        }
    }

    private static <T> T withScalar(boolean scalar, Supplier<T> body) {
        boolean saved = CpuOptions.scalar();
        CpuOptions.setScalar(scalar);
        try {
            return body.get();
        } finally {
            CpuOptions.setScalar(saved);
        }
    }

    /** Runs one iteration on the given path and checks it against the naive definition. */
    private static void checkAgainstNaive(DType dtype, boolean scalar, int rows, int cols, double eps, double scaleW,
                                          double rtol) {
        double[] raw = gaussian(rows * cols, 31L * rows + cols);
        for (int i = 0; i < raw.length; i++) {
            raw[i] *= scaleW;
        }
        double[] w = rounded(raw, dtype);
        double[] u = rounded(gaussian(rows, 7L * rows + 3), dtype);
        Naive expected = naive(w, u, rows, cols, eps);
        String what = dtype + (scalar ? " scalar " : " vector ") + rows + "x" + cols + " eps " + eps;
        withScalar(scalar, () -> {
            try (Scope scope = Scope.open()) {
                // Viewed as a conv weight when it factors, to check the [rows, -1] reading of higher ranks.
                NDArray weight = cols % 9 == 0 ? array(w, dtype, rows, cols / 9, 3, 3) : array(w, dtype, rows, cols);
                NDArray uArr = array(u, dtype, 1, rows);
                NDArray sv = array(new double[]{1}, dtype, 1);
                PowerIteration it = SpectralNormOps.powerIteration(weight, uArr, sv, eps, false);
                assertEquals(Shape.of(1), it.sigma().shape());
                assertEquals(Shape.of(1, cols), it.v().shape());
                assertEquals(Shape.of(1, rows), it.u().shape());
                assertClose(new double[]{expected.sigma}, it.sigma().toDoubleArray(), rtol, what + " sigma");
                assertClose(expected.v, it.v().toDoubleArray(), rtol, what + " v");
                assertClose(expected.u, it.u().toDoubleArray(), rtol, what + " u'");
                // Eval: the state is only read.
                assertArrayEquals(u, uArr.toDoubleArray(), 0, what + ": u changed in eval");
                assertEquals(1.0, sv.item(), 0, what + ": sv changed in eval");
            }
            return null;
        });
    }

    @Test
    void f64MatchesNaiveDefinition() {
        for (int[] s : SIZES) {
            checkAgainstNaive(DType.F64, false, s[0], s[1], 1e-6, 1, 1e-12);
        }
    }

    @Test
    void f32VectorAndScalarPathsMatchNaiveDefinition() {
        for (int[] s : SIZES) {
            checkAgainstNaive(DType.F32, false, s[0], s[1], 1e-6, 1, 2e-5);
            checkAgainstNaive(DType.F32, true, s[0], s[1], 1e-6, 1, 2e-5);
        }
    }

    /** A tiny weight and u make both norms fall below eps, so max(‖a‖, eps) takes eps and σ is ‖u''‖²/eps. */
    @Test
    void epsFloorsTheNorms() {
        for (DType dtype : new DType[]{DType.F64, DType.F32}) {
            for (boolean scalar : new boolean[]{false, true}) {
                checkAgainstNaive(dtype, scalar, 5, 33, 10, 1e-2, dtype == DType.F64 ? 1e-12 : 2e-5);
                checkAgainstNaive(dtype, scalar, 17, 65, 0.5, 1e-2, dtype == DType.F64 ? 1e-12 : 2e-5);
            }
        }
    }

    @Test
    void vectorAndScalarF32Agree() {
        for (int[] s : new int[][]{{17, 65}, {64, 576}, {256, 2304}}) {
            int rows = s[0];
            int cols = s[1];
            double[] w = gaussian(rows * cols, 5);
            double[] u = gaussian(rows, 6);
            double[][] vec = withScalar(false, () -> run(w, u, rows, cols));
            double[][] sca = withScalar(true, () -> run(w, u, rows, cols));
            for (int k = 0; k < vec.length; k++) {
                assertClose(sca[k], vec[k], 1e-5, rows + "x" + cols + " output " + k);
            }
        }
    }

    /** sigma, v and u' of one F32 iteration. */
    private static double[][] run(double[] w, double[] u, int rows, int cols) {
        try (Scope scope = Scope.open()) {
            PowerIteration it = SpectralNormOps.powerIteration(array(w, DType.F32, rows, cols),
                    array(u, DType.F32, 1, rows), null, 1e-6, false);
            return new double[][]{it.sigma().toDoubleArray(), it.v().toDoubleArray(), it.u().toDoubleArray()};
        }
    }

    @Test
    void updateWritesUAndSvOnlyWhenAsked() {
        for (DType dtype : new DType[]{DType.F64, DType.F32}) {
            for (boolean scalar : new boolean[]{false, true}) {
                withScalar(scalar, () -> {
                    try (Scope scope = Scope.open()) {
                        NDArray w = array(gaussian(7 * 20, 11), dtype, 7, 20);
                        NDArray u = array(gaussian(7, 12), dtype, 1, 7);
                        NDArray sv = array(new double[]{1}, dtype, 1);
                        double[] u0 = u.toDoubleArray();
                        PowerIteration it = SpectralNormOps.powerIteration(w, u, sv, 1e-6, true);
                        assertArrayEquals(it.u().toDoubleArray(), u.toDoubleArray(), 0, dtype + ": u := u'");
                        assertEquals(it.sigma().item(), sv.item(), 0, dtype + ": sv := sigma");
                        assertFalse(java.util.Arrays.equals(u0, u.toDoubleArray()), "u must have moved");
                        // The returned u' is its own array, not the state: a later update must not change it.
                        double[] first = it.u().toDoubleArray();
                        SpectralNormOps.powerIteration(w, u, null, 1e-6, true);
                        assertArrayEquals(first, it.u().toDoubleArray(), 0);
                    }
                    return null;
                });
            }
        }
    }

    /**
     * {@code W = U·diag(s)·Vᵀ} with orthonormal factors built by Gram-Schmidt: repeated training iterations drive σ
     * to the largest singular value s[0] and u to ±U[:,0], on both paths and dtypes. The gap s1/s0 = 0.8 makes the
     * error shrink by 0.64 per iteration.
     */
    @Test
    void iterationsConvergeToTheLargestSingularValue() {
        int rows = 12;
        int cols = 30;
        double[] s = {2.5, 2.0, 1.7, 1.1, 0.9, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05, 0.01};
        double[] uf = orthonormalColumns(rows, rows, 1);
        double[] vf = orthonormalColumns(cols, rows, 2);
        double[] w = new double[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                double acc = 0;
                for (int k = 0; k < rows; k++) {
                    acc += uf[i * rows + k] * s[k] * vf[j * rows + k];
                }
                w[i * cols + j] = acc;
            }
        }
        for (DType dtype : new DType[]{DType.F64, DType.F32}) {
            for (boolean scalar : new boolean[]{false, true}) {
                double tol = dtype == DType.F64 ? 1e-10 : 1e-5;
                withScalar(scalar, () -> {
                    try (Scope scope = Scope.open()) {
                        NDArray wa = array(w, dtype, rows, cols);
                        NDArray u = array(gaussian(rows, 3), dtype, 1, rows);
                        NDArray sv = array(new double[]{1}, dtype, 1);
                        double sigma0;
                        try (PowerIteration first = SpectralNormOps.powerIteration(wa, u, sv, 1e-6, true)) {
                            sigma0 = first.sigma().item();
                        }
                        assertTrue(sigma0 < s[0] - 1e-3, "one step from a random u is below s0: " + sigma0);
                        for (int it = 0; it < 120; it++) {
                            SpectralNormOps.powerIteration(wa, u, sv, 1e-6, true).close();
                        }
                        assertEquals(s[0], sv.item(), tol * s[0], dtype + " sigma");
                        double[] uu = u.toDoubleArray();
                        double dot = 0;
                        for (int i = 0; i < rows; i++) {
                            dot += uu[i] * uf[i * rows];
                        }
                        assertEquals(1, Math.abs(dot), 10 * tol, dtype + " u aligns with the top left vector");
                    }
                    return null;
                });
            }
        }
    }

    /** An {@code n x k} matrix (row-major) with orthonormal columns, from Gram-Schmidt on Gaussian columns. */
    private static double[] orthonormalColumns(int n, int k, long seed) {
        double[] a = gaussian(n * k, seed);
        for (int c = 0; c < k; c++) {
            for (int pass = 0; pass < 2; pass++) {
                for (int p = 0; p < c; p++) {
                    double d = 0;
                    for (int i = 0; i < n; i++) {
                        d += a[i * k + c] * a[i * k + p];
                    }
                    for (int i = 0; i < n; i++) {
                        a[i * k + c] -= d * a[i * k + p];
                    }
                }
            }
            double norm = 0;
            for (int i = 0; i < n; i++) {
                norm += a[i * k + c] * a[i * k + c];
            }
            norm = Math.sqrt(norm);
            for (int i = 0; i < n; i++) {
                a[i * k + c] /= norm;
            }
        }
        return a;
    }

    @Test
    void zeroUGivesZeroSigmaWithoutNaN() {
        try (Scope scope = Scope.open()) {
            PowerIteration it = SpectralNormOps.powerIteration(array(gaussian(20, 1), DType.F32, 4, 5),
                    NDArray.zeros(Shape.of(1, 4), DType.F32, Device.CPU), null, 1e-6, false);
            assertEquals(0, it.sigma().item(), 0);
            assertArrayEquals(new double[5], it.v().toDoubleArray(), 0);
            assertArrayEquals(new double[4], it.u().toDoubleArray(), 0);
        }
    }

    @Test
    void scaleMatchesNaiveAndPathsAreBitIdentical() {
        for (int n : new int[]{1, 15, 16, 17, 33, 1000, 140_001}) {
            double[] w = gaussian(n, n);
            double sigma = 1.7320508;
            try (Scope scope = Scope.open()) {
                NDArray w64 = array(w, DType.F64, n);
                double[] got64 = SpectralNormOps.scale(w64, array(new double[]{sigma}, DType.F64, 1)).toDoubleArray();
                for (int i = 0; i < n; i++) {
                    assertEquals(w[i] * (1 / sigma), got64[i], 0, "F64 " + n + " at " + i);
                }
                NDArray w32 = array(w, DType.F32, n);
                NDArray s32 = array(new double[]{sigma}, DType.F32, 1);
                float[] vec = withScalar(false, () -> SpectralNormOps.scale(w32, s32).toFloatArray());
                float[] sca = withScalar(true, () -> SpectralNormOps.scale(w32, s32).toFloatArray());
                float r = 1f / (float) sigma;
                for (int i = 0; i < n; i++) {
                    assertEquals((float) w[i] * r, vec[i], 0, "F32 vector " + n + " at " + i);
                }
                assertArrayEquals(vec, sca, "F32 vector and scalar paths, n " + n);
            }
        }
    }

    @Test
    void scaleKeepsShapeOfAConvWeight() {
        try (Scope scope = Scope.open()) {
            NDArray w = array(gaussian(2 * 3 * 3 * 3, 4), DType.F32, 2, 3, 3, 3);
            NDArray out = SpectralNormOps.scale(w, array(new double[]{2}, DType.F32, 1));
            assertEquals(w.shape(), out.shape());
            double[] a = w.toDoubleArray();
            double[] b = out.toDoubleArray();
            for (int i = 0; i < a.length; i++) {
                assertEquals(a[i] / 2, b[i], 0);
            }
        }
    }

    @Test
    void rejectsBadArguments() {
        try (Scope scope = Scope.open()) {
            NDArray w = array(gaussian(12, 1), DType.F32, 3, 4);
            NDArray u = array(gaussian(3, 2), DType.F32, 1, 3);
            NDArray sv = array(new double[]{1}, DType.F32, 1);
            assertThrows(IllegalArgumentException.class,
                    () -> SpectralNormOps.powerIteration(w, array(gaussian(4, 2), DType.F32, 1, 4), sv, 1e-6, true));
            assertThrows(IllegalArgumentException.class,
                    () -> SpectralNormOps.powerIteration(w, array(gaussian(3, 2), DType.F32, 3), sv, 1e-6, true));
            assertThrows(IllegalArgumentException.class,
                    () -> SpectralNormOps.powerIteration(w, u, array(new double[]{1, 1}, DType.F32, 2), 1e-6, true));
            assertThrows(IllegalArgumentException.class, () -> SpectralNormOps.powerIteration(w, u, sv, -1, true));
            assertThrows(IllegalArgumentException.class,
                    () -> SpectralNormOps.powerIteration(array(gaussian(3, 1), DType.F32, 3), u, sv, 1e-6, true));
            assertThrows(IllegalArgumentException.class,
                    () -> SpectralNormOps.powerIteration(w, array(gaussian(3, 2), DType.F64, 1, 3), sv, 1e-6, true));
            NDArray u1 = array(new double[]{1}, DType.F32, 1, 1);
            assertThrows(IllegalArgumentException.class,
                    () -> SpectralNormOps.powerIteration(array(gaussian(4, 1), DType.F32, 1, 4), u1, u1.reshape(1), 1e-6, true));
            assertThrows(IllegalArgumentException.class,
                    () -> SpectralNormOps.scale(w, array(new double[]{1, 2}, DType.F32, 2)));
        }
    }
}
