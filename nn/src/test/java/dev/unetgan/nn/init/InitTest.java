package dev.unetgan.nn.init;

import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.Device;
import dev.unetgan.tensor.Generator;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InitTest {
    /*
     * torch.nn.init.orthogonal_'s procedure (flatten; transpose if rows < cols; torch.linalg.qr; q *= sign(diag(r));
     * transpose back) applied by PyTorch 1.13 (F64) to m = sin(0.37·i² + 0.3), i = 0..14, reshaped to [3,5] and to
     * [5,3] (both of full rank, so Q is unique up to the signs that the rule fixes; R's diagonals had mixed signs).
     */
    static final double[] ORTH_3x5 = {
            0.22978527660809678, 0.4828550927634933, 0.7606084890502132, -0.3648476637035928, -0.0490978077034027,
            -0.14901843236043397, 0.4186696353014271, -0.489345944016085, -0.4825995271202886, -0.5745846210887388,
            -0.44324497202983204, 0.5937258499066528, 0.07097698873830012, 0.6640752360465333, -0.07063892597060493
    };
    static final double[] ORTH_5x3 = {
            0.21312107473076924, 0.7117750842191019, 0.4303708005428464, -0.3383886354656897, -0.013382505679478667,
            -0.34727467086752933, 0.626860086009771, -0.6097108184095661, 0.15958209282276065, -0.6570548811644912,
            -0.3478710714141538, 0.5796309409359259, -0.12408809209190656, 0.020870400430636645, -0.5768386299252157
    };

    private static double[] fullRank() {
        double[] m = new double[15];
        for (int i = 0; i < 15; i++) m[i] = Math.sin(0.37 * i * i + 0.3);
        return m;
    }

    @Test
    void orthogonalizeMatchesTorchOnFixedMatrices() {
        double[] m = fullRank();
        assertArrayEquals(ORTH_3x5, Init.orthogonalize(m, 3, 5), 1e-12);
        assertArrayEquals(ORTH_5x3, Init.orthogonalize(m, 5, 3), 1e-12);
    }

    /** Rows (wide) or columns (tall) orthonormal, times gain; conv weights are flattened to [out, in·k·k]. */
    @ParameterizedTest
    @CsvSource({"3,5,1", "5,3,1", "4,4,1.5", "1,6,1", "6,1,2"})
    void orthogonalGivesOrthonormalRowsOrColumns(int rows, int cols, double gain) {
        try (NDArray w = NDArray.zeros(Shape.of(rows, cols), DType.F64, Device.CPU)) {
            Init.orthogonal(w, gain, new Generator(3));
            assertOrthonormal(w.toDoubleArray(), rows, cols, gain, 1e-12);
        }
        try (NDArray w = NDArray.zeros(Shape.of(rows, cols), DType.F32, Device.CPU)) {
            Init.orthogonal(w, gain, new Generator(3));
            assertOrthonormal(w.toDoubleArray(), rows, cols, gain, 1e-6);
        }
    }

    @Test
    void orthogonalConvWeight() {
        try (NDArray w = NDArray.zeros(Shape.of(4, 2, 3, 3), DType.F32, Device.CPU)) {
            Init.orthogonal(w, 1, new Generator(9));
            assertOrthonormal(w.toDoubleArray(), 4, 18, 1, 1e-6);
        }
    }

    /**
     * The sign rule: with A the normal draw (same generator state), A = Q·R must hold with R = Qᵀ·A upper triangular
     * with a positive diagonal (tall case; the wide case is the same on the transposes).
     */
    @Test
    void signRuleMakesRsDiagonalPositive() {
        int rows = 6, cols = 3;
        double[] a;
        try (NDArray drawn = new Generator(17).normal(Shape.of(rows, cols), DType.F64, Device.CPU, 0, 1)) {
            a = drawn.toDoubleArray();
        }
        double[] q;
        try (NDArray w = NDArray.zeros(Shape.of(rows, cols), DType.F64, Device.CPU)) {
            Init.orthogonal(w, 1, new Generator(17));
            q = w.toDoubleArray();
        }
        for (int i = 0; i < cols; i++) {
            for (int j = 0; j < cols; j++) {
                double r = 0;
                for (int k = 0; k < rows; k++) r += q[k * cols + i] * a[k * cols + j];
                if (i > j) assertEquals(0, r, 1e-12, "R below the diagonal");
                if (i == j) assertTrue(r > 0, "R diagonal " + i + " = " + r);
            }
        }
        // Q·R reproduces A
        for (int k = 0; k < rows; k++) {
            for (int j = 0; j < cols; j++) {
                double qr = 0;
                for (int i = 0; i <= j; i++) {
                    double r = 0;
                    for (int t = 0; t < rows; t++) r += q[t * cols + i] * a[t * cols + j];
                    qr += q[k * cols + i] * r;
                }
                assertEquals(a[k * cols + j], qr, 1e-12);
            }
        }
    }

    private static void assertOrthonormal(double[] w, int rows, int cols, double gain, double tol) {
        boolean wide = rows <= cols;
        int n = wide ? rows : cols;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double dot = 0;
                int len = wide ? cols : rows;
                for (int k = 0; k < len; k++) {
                    dot += wide ? w[i * cols + k] * w[j * cols + k] : w[k * cols + i] * w[k * cols + j];
                }
                assertEquals(i == j ? gain * gain : 0, dot, tol * gain * gain, "Gram " + i + "," + j);
            }
        }
    }

    @Test
    void initIsReproducibleAndSeedDependent() {
        try (NDArray a = NDArray.zeros(Shape.of(3, 4), DType.F32, Device.CPU);
             NDArray b = NDArray.zeros(Shape.of(3, 4), DType.F32, Device.CPU);
             NDArray c = NDArray.zeros(Shape.of(3, 4), DType.F32, Device.CPU)) {
            Init.orthogonal(a, 1, new Generator(5));
            Init.orthogonal(b, 1, new Generator(5));
            Init.orthogonal(c, 1, new Generator(6));
            assertArrayEquals(a.toFloatArray(), b.toFloatArray());
            assertTrue(!java.util.Arrays.equals(a.toFloatArray(), c.toFloatArray()));
        }
    }

    @Test
    void fans() {
        assertEquals(2 * 9, Init.fanIn(Shape.of(4, 2, 3, 3)));
        assertEquals(4 * 9, Init.fanOut(Shape.of(4, 2, 3, 3)));
        assertEquals(5, Init.fanIn(Shape.of(3, 5)));
        assertEquals(3, Init.fanOut(Shape.of(3, 5)));
        assertThrows(IllegalArgumentException.class, () -> Init.fanIn(Shape.of(3)));
    }

    @Test
    void xavierUniformBoundAndNormalMoments() {
        try (NDArray w = NDArray.zeros(Shape.of(64, 32, 3, 3), DType.F32, Device.CPU)) {
            Init.xavierUniform(w, 2, new Generator(1));
            double bound = 2 * Math.sqrt(6.0 / (32 * 9 + 64 * 9));
            double max = 0, sumSq = 0;
            for (double v : w.toDoubleArray()) {
                assertTrue(Math.abs(v) <= bound);
                max = Math.max(max, Math.abs(v));
                sumSq += v * v;
            }
            assertTrue(max > 0.99 * bound);
            assertEquals(bound * bound / 3, sumSq / w.size(), 0.02 * bound * bound / 3);   // variance of U(-b,b)
            Init.normal(w, 0.5, 2, new Generator(2));
            double[] v = w.toDoubleArray();
            double mean = java.util.Arrays.stream(v).average().orElseThrow();
            double var = java.util.Arrays.stream(v).map(x -> (x - mean) * (x - mean)).average().orElseThrow();
            assertEquals(0.5, mean, 0.03);
            assertEquals(4, var, 0.1);
        }
    }

    @Test
    void defaultLayerInitUsesOneOverSqrtFanIn() {
        try (NDArray w = NDArray.zeros(Shape.of(20, 5, 2, 2), DType.F64, Device.CPU);
             NDArray b = NDArray.zeros(Shape.of(20), DType.F64, Device.CPU)) {
            Init.defaultLayerInit(w, b, new Generator(4));
            double bound = 1 / Math.sqrt(20);
            double max = 0;
            for (double v : w.toDoubleArray()) {
                assertTrue(Math.abs(v) <= bound);
                max = Math.max(max, Math.abs(v));
            }
            assertTrue(max > 0.95 * bound);
            for (double v : b.toDoubleArray()) assertTrue(Math.abs(v) <= bound && v != 0);
        }
    }
}
