package dev.unetgan.gan.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.unetgan.autograd.GradCheck;
import dev.unetgan.autograd.Tensor;
import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Scope;
import dev.unetgan.tensor.Shape;
import dev.unetgan.tensor.SpectralNormOps;

/** The {@link SpectralNorm} Function: forward, the closed-form backward, and gradient checks. */
class SpectralNormTest {
    static final double EPS = 1e-6;

    /** One naive power iteration in double: v, u' and σ (σ as the explicit product v·Wᵀ·u'ᵀ). */
    record Naive(double[] v, double[] u, double sigma) {
        static Naive of(double[] w, double[] u, int rows, double eps) {
            int cols = w.length / rows;
            double[] v = new double[cols];
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    v[j] += u[i] * w[i * cols + j];
                }
            }
            normalize(v, eps);
            double[] wv = new double[rows];
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    wv[i] += w[i * cols + j] * v[j];
                }
            }
            double[] u2 = wv.clone();
            normalize(u2, eps);
            double sigma = 0;
            for (int i = 0; i < rows; i++) {
                sigma += wv[i] * u2[i];
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
    }

    static double[] gaussian(int n, long seed) {
        Random r = new Random(seed);
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextGaussian();
        }
        return a;
    }

    static NDArray array(double[] data, DType dtype, int... dims) {
        NDArray a = NDArray.of(data, dims);
        if (dtype == DType.F64) {
            return a;
        }
        float[] f = new float[data.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) data[i];
        }
        a.close();
        return NDArray.of(f, dims);
    }

    static void assertClose(double[] expected, double[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tol * (1 + Math.abs(expected[i])), what + " [" + i + "]");
        }
    }

    @Test
    void forwardDividesBySigmaAndWritesStateOnlyWhenUpdating() {
        int[] dims = {4, 3, 2, 2};
        for (DType dtype : new DType[]{DType.F64, DType.F32}) {
            double tol = dtype == DType.F64 ? 1e-12 : 2e-6;
            for (boolean update : new boolean[]{false, true}) {
                try (Scope scope = Scope.open()) {
                    double[] w = array(gaussian(48, 1), dtype, 48).toDoubleArray();
                    double[] u = array(gaussian(4, 2), dtype, 4).toDoubleArray();
                    NDArray uArr = array(u, dtype, 1, 4);
                    NDArray sv = array(new double[]{1}, dtype, 1);
                    Naive naive = Naive.of(w, u, 4, EPS);
                    Tensor y = SpectralNorm.apply(Tensor.parameter(array(w, dtype, dims)), uArr, sv, EPS, update);
                    assertEquals(Shape.of(dims), y.shape());
                    double[] expected = new double[48];
                    for (int i = 0; i < 48; i++) {
                        expected[i] = w[i] / naive.sigma;
                    }
                    assertClose(expected, y.value().toDoubleArray(), tol, dtype + " W/sigma");
                    if (update) {
                        assertClose(naive.u, uArr.toDoubleArray(), tol, dtype + " u := u'");
                        assertEquals(naive.sigma, sv.item(), tol * naive.sigma, dtype + " sv := sigma");
                    } else {
                        assertArrayEquals(u, uArr.toDoubleArray(), 0, dtype + " u kept");
                        assertEquals(1, sv.item(), 0, dtype + " sv kept");
                    }
                }
            }
        }
    }

    /**
     * The backward is {@code (G - ⟨G, W/σ⟩·u'vᵀ)/σ} with u', v constants, for any u (here far from converged), in
     * both dtypes: written out naively from G, W and the naive iteration.
     */
    @Test
    void backwardIsTheClosedFormWithUAndVConstant() {
        int rows = 5;
        int cols = 12;
        for (DType dtype : new DType[]{DType.F64, DType.F32}) {
            double tol = dtype == DType.F64 ? 1e-12 : 1e-5;
            try (Scope scope = Scope.open()) {
                double[] w = array(gaussian(rows * cols, 3), dtype, rows * cols).toDoubleArray();
                double[] u = array(gaussian(rows, 4), dtype, rows).toDoubleArray();
                double[] g = array(gaussian(rows * cols, 5), dtype, rows * cols).toDoubleArray();
                Naive n = Naive.of(w, u, rows, EPS);
                double dot = 0;
                for (int k = 0; k < w.length; k++) {
                    dot += g[k] * w[k] / n.sigma;
                }
                double[] expected = new double[w.length];
                for (int i = 0; i < rows; i++) {
                    for (int j = 0; j < cols; j++) {
                        expected[i * cols + j] = (g[i * cols + j] - dot * n.u[i] * n.v[j]) / n.sigma;
                    }
                }
                Tensor wt = Tensor.parameter(array(w, dtype, rows, 3, 4));
                SpectralNorm.apply(wt, array(u, dtype, 1, rows), null, EPS, false).backward(array(g, dtype, rows, 3, 4));
                assertEquals(Shape.of(rows, 3, 4), wt.grad().shape());
                assertClose(expected, wt.grad().toDoubleArray(), tol, dtype + " dW");
            }
        }
    }

    /** Iterates u to the top left singular vector of w (in place). */
    static void converge(NDArray w, NDArray u, int iterations) {
        for (int i = 0; i < iterations; i++) {
            SpectralNormOps.powerIteration(w, u, null, EPS, true).close();
        }
    }

    @Test
    void gradCheckAtConvergedU() {
        for (int[] dims : new int[][]{{5, 7}, {4, 3, 2, 2}, {7, 3}, {1, 6}, {3, 1}}) {
            try (Scope scope = Scope.open()) {
                int size = Shape.of(dims).sizeAsInt();
                NDArray w = NDArray.of(gaussian(size, size), dims);
                NDArray u = NDArray.of(gaussian(dims[0], 9), 1, dims[0]);
                converge(w, u, 500);
                GradCheck.check("spectral_norm " + Shape.of(dims),
                        xs -> SpectralNorm.apply(xs.get(0), u, null, EPS, false), w);
            }
        }
    }

    /**
     * Why {@link SpectralNorm#converge} exists: from an unconverged u, eval mode's fresh v depends on W, and the
     * finite differences see that dependence while the (PyTorch/BigGAN) gradient ignores it.
     */
    @Test
    void gradCheckDisagreesAtAnUnconvergedU() {
        try (Scope scope = Scope.open()) {
            NDArray w = NDArray.of(gaussian(35, 1), 5, 7);
            NDArray u = NDArray.of(gaussian(5, 2), 1, 5);
            assertThrows(AssertionError.class, () -> GradCheck.check("spectral_norm",
                    xs -> SpectralNorm.apply(xs.get(0), u, null, EPS, false), w));
        }
    }
}
