package dev.unetgan.tensor.cpu;

import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Pool2dSpec;
import dev.unetgan.tensor.PoolMode;
import dev.unetgan.tensor.Shape;
import dev.unetgan.tensor.SpatialOps;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Pooling, nearest upsampling and batch norm through {@link SpatialOps}, checked against deliberately naive loops
 * in double, in F64 and in F32 on both the Vector API path and the scalar path.
 */
class CpuSpatialTest {

    /** How an op is run: the dtype and whether F32 is forced onto the scalar path. */
    enum Path {
        F64(DType.F64, true, 1e-12), F32_VECTOR(DType.F32, false, 2e-5), F32_SCALAR(DType.F32, true, 2e-5);

        final DType dtype;
        final boolean scalar;
        final double tol;

        Path(DType dtype, boolean scalar, double tol) {
            this.dtype = dtype;
            this.scalar = scalar;
            this.tol = tol;
        }

        <T> T run(Supplier<T> op) {
            boolean before = CpuOptions.scalar();
            CpuOptions.setScalar(scalar);
            try {
                return op.get();
            } finally {
                CpuOptions.setScalar(before);
            }
        }

        NDArray array(double[] data, int... dims) {
            if (dtype == DType.F64) {
                return NDArray.of(data.clone(), dims);
            }
            float[] f = new float[data.length];
            for (int i = 0; i < f.length; i++) f[i] = (float) data[i];
            return NDArray.of(f, dims);
        }

        /** The data as this path stores it, so that the naive reference sees exactly the op's inputs. */
        double[] rounded(double[] data) {
            double[] r = data.clone();
            if (dtype == DType.F32) {
                for (int i = 0; i < r.length; i++) r[i] = (float) r[i];
            }
            return r;
        }
    }

    private static final int[][] SHAPES = {
            {1, 1, 1, 1}, {1, 1, 2, 2}, {2, 3, 7, 9}, {1, 2, 5, 34}, {3, 2, 33, 35}, {2, 5, 40, 64}, {4, 8, 64, 66},
    };

    private static final List<Pool2dSpec> SPECS = List.of(
            Pool2dSpec.of(2), Pool2dSpec.of(1), Pool2dSpec.of(3),
            new Pool2dSpec(3, 3, 2, 2, 1, 1), new Pool2dSpec(3, 2, 1, 2, 1, 1), new Pool2dSpec(2, 2, 1, 1, 1, 1),
            new Pool2dSpec(4, 5, 3, 2, 2, 1), new Pool2dSpec(1, 3, 1, 3, 0, 0));

    private static double[] random(Random rnd, int n, double offset, double scale) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = offset + scale * rnd.nextGaussian();
        return d;
    }

    private static int size(int[] dims) {
        int n = 1;
        for (int d : dims) n *= d;
        return n;
    }

    private static void assertClose(double[] expected, NDArray actual, double tol, String what) {
        double[] a = actual.toDoubleArray();
        assertEquals(expected.length, a.length, what + ": length");
        for (int i = 0; i < a.length; i++) {
            double err = Math.abs(a[i] - expected[i]);
            if (!(err <= tol * (1 + Math.abs(expected[i])))) {
                fail(what + ": element " + i + " is " + a[i] + ", expected " + expected[i]);
            }
        }
    }

    // ---------------------------------------------------------------- naive references

    /** Naive pooling in double; for MAX, {@code idx} receives the argmax (first of equal maxima, padding excluded). */
    private static double[] naivePool(PoolMode mode, double[] x, int[] d, Pool2dSpec s, int[] idx) {
        int p = s.outH(d[2]), q = s.outW(d[3]);
        double[] out = new double[d[0] * d[1] * p * q];
        for (int pl = 0; pl < d[0] * d[1]; pl++) {
            for (int r = 0; r < p; r++) {
                for (int c = 0; c < q; c++) {
                    double sum = 0, best = Double.NEGATIVE_INFINITY;
                    int bestAt = -1;
                    for (int i = 0; i < s.kernelH(); i++) {
                        for (int j = 0; j < s.kernelW(); j++) {
                            int h = r * s.strideH() - s.padH() + i, w = c * s.strideW() - s.padW() + j;
                            if (h < 0 || h >= d[2] || w < 0 || w >= d[3]) continue;
                            double v = x[pl * d[2] * d[3] + h * d[3] + w];
                            sum += v;
                            if (bestAt < 0 || v > best) {
                                best = v;
                                bestAt = h * d[3] + w;
                            }
                        }
                    }
                    int o = (pl * p + r) * q + c;
                    if (mode == PoolMode.AVG) {
                        out[o] = sum / (s.kernelH() * s.kernelW());
                    } else {
                        out[o] = best;
                        idx[o] = bestAt;
                    }
                }
            }
        }
        return out;
    }

    private static double[] naivePoolBackward(PoolMode mode, double[] g, int[] idx, int[] d, Pool2dSpec s) {
        int p = s.outH(d[2]), q = s.outW(d[3]);
        double[] gi = new double[size(d)];
        for (int pl = 0; pl < d[0] * d[1]; pl++) {
            for (int r = 0; r < p; r++) {
                for (int c = 0; c < q; c++) {
                    int o = (pl * p + r) * q + c;
                    if (mode == PoolMode.MAX) {
                        gi[pl * d[2] * d[3] + idx[o]] += g[o];
                        continue;
                    }
                    for (int i = 0; i < s.kernelH(); i++) {
                        for (int j = 0; j < s.kernelW(); j++) {
                            int h = r * s.strideH() - s.padH() + i, w = c * s.strideW() - s.padW() + j;
                            if (h >= 0 && h < d[2] && w >= 0 && w < d[3]) {
                                gi[pl * d[2] * d[3] + h * d[3] + w] += g[o] / (s.kernelH() * s.kernelW());
                            }
                        }
                    }
                }
            }
        }
        return gi;
    }

    private static double[] naiveUpsample(double[] x, int[] d, int f) {
        int ho = d[2] * f, wo = d[3] * f;
        double[] out = new double[d[0] * d[1] * ho * wo];
        for (int pl = 0; pl < d[0] * d[1]; pl++) {
            for (int h = 0; h < ho; h++) {
                for (int w = 0; w < wo; w++) {
                    out[(pl * ho + h) * wo + w] = x[(pl * d[2] + h / f) * d[3] + w / f];
                }
            }
        }
        return out;
    }

    private static double[] naiveUpsampleBackward(double[] g, int[] d, int f) {
        int ho = d[2] * f, wo = d[3] * f;
        double[] gi = new double[size(d)];
        for (int pl = 0; pl < d[0] * d[1]; pl++) {
            for (int h = 0; h < ho; h++) {
                for (int w = 0; w < wo; w++) {
                    gi[(pl * d[2] + h / f) * d[3] + w / f] += g[(pl * ho + h) * wo + w];
                }
            }
        }
        return gi;
    }

    /** Per-channel {mean, biased var}, two passes in double. */
    private static double[][] naiveStats(double[] x, int[] d) {
        int c = d[1], hw = d[2] * d[3];
        double[] mean = new double[c], var = new double[c];
        for (int ch = 0; ch < c; ch++) {
            for (int n = 0; n < d[0]; n++) for (int i = 0; i < hw; i++) mean[ch] += x[(n * c + ch) * hw + i];
            mean[ch] /= d[0] * hw;
            for (int n = 0; n < d[0]; n++) {
                for (int i = 0; i < hw; i++) {
                    double dev = x[(n * c + ch) * hw + i] - mean[ch];
                    var[ch] += dev * dev;
                }
            }
            var[ch] /= d[0] * hw;
        }
        return new double[][]{mean, var};
    }

    private static double[] naiveApply(double[] x, int[] d, double[] mean, double[] var, double[] gamma, double[] beta,
                                       double eps) {
        int c = d[1], hw = d[2] * d[3];
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            int ch = (i / hw) % c;
            out[i] = (x[i] - mean[ch]) / Math.sqrt(var[ch] + eps) * (gamma == null ? 1 : gamma[ch])
                    + (beta == null ? 0 : beta[ch]);
        }
        return out;
    }

    /** The brief's formula, term by term: {gradIn, gradGamma, gradBeta}. */
    private static double[][] naiveBnBackward(double[] x, double[] g, int[] d, double[] gamma, double eps) {
        int c = d[1], hw = d[2] * d[3], m = d[0] * hw;
        double[][] st = naiveStats(x, d);
        double[] dGamma = new double[c], dBeta = new double[c], dx = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            int ch = (i / hw) % c;
            double xhat = (x[i] - st[0][ch]) / Math.sqrt(st[1][ch] + eps);
            dBeta[ch] += g[i];
            dGamma[ch] += g[i] * xhat;
        }
        for (int i = 0; i < x.length; i++) {
            int ch = (i / hw) % c;
            double invstd = 1 / Math.sqrt(st[1][ch] + eps);
            double xhat = (x[i] - st[0][ch]) * invstd;
            dx[i] = (gamma == null ? 1 : gamma[ch]) * invstd * (g[i] - dBeta[ch] / m - xhat * dGamma[ch] / m);
        }
        return new double[][]{dx, dGamma, dBeta};
    }

    // ---------------------------------------------------------------- hand-computed cases

    @Test
    void handComputed4x4() {
        double[] x = new double[16];
        for (int i = 0; i < 16; i++) x[i] = i + 1;
        for (Path path : Path.values()) {
            NDArray in = path.array(x, 1, 1, 4, 4);
            NDArray avg = path.run(() -> SpatialOps.avgPool2d(in, Pool2dSpec.of(2)));
            assertArrayEquals(new double[]{3.5, 5.5, 11.5, 13.5}, avg.toDoubleArray(), 0, path.name());
            SpatialOps.MaxPooled max = path.run(() -> SpatialOps.maxPool2d(in, Pool2dSpec.of(2)));
            assertArrayEquals(new double[]{6, 8, 14, 16}, max.out().toDoubleArray(), 0, path.name());
            assertArrayEquals(new int[]{5, 7, 13, 15}, max.indices().toIntArray(), path.name());

            NDArray g = path.array(new double[]{4, 8, 12, 16}, 1, 1, 2, 2);
            NDArray avgGrad = path.run(() -> SpatialOps.pool2dBackward(PoolMode.AVG, g, null, Pool2dSpec.of(2), in.shape()));
            assertArrayEquals(new double[]{1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}, avgGrad.toDoubleArray(), 0);
            NDArray maxGrad = path.run(() -> SpatialOps.pool2dBackward(PoolMode.MAX, g, max.indices(), Pool2dSpec.of(2), in.shape()));
            assertArrayEquals(new double[]{0, 0, 0, 0, 0, 4, 0, 8, 0, 0, 0, 0, 0, 12, 0, 16}, maxGrad.toDoubleArray(), 0);

            NDArray up = path.run(() -> SpatialOps.upsampleNearest2d(g, 2));
            assertArrayEquals(new double[]{4, 4, 8, 8, 4, 4, 8, 8, 12, 12, 16, 16, 12, 12, 16, 16}, up.toDoubleArray(), 0);
            NDArray down = path.run(() -> SpatialOps.upsampleNearest2dBackward(in, 2));
            assertArrayEquals(new double[]{14, 22, 46, 54}, down.toDoubleArray(), 0, path.name());

            // Padded 3x3 stride-1 average counts the padding: the corner window holds 1,2,5,6 out of 9 slots.
            NDArray padded = path.run(() -> SpatialOps.avgPool2d(in, new Pool2dSpec(3, 3, 1, 1, 1, 1)));
            assertEquals(14.0 / 9, padded.toDoubleArray()[0], 1e-6);
            assertEquals(6.0, padded.toDoubleArray()[5], 1e-6); // (1+2+3+5+6+7+9+10+11)/9
        }
    }

    @Test
    void maxPoolNeverPicksPaddingAndKeepsFirstOfTies() {
        double[] x = {-5, -3, -3, -7, -3, -9, -8, -1, -2}; // 3x3, all negative: a padded 0 would win if counted
        for (Path path : Path.values()) {
            SpatialOps.MaxPooled r = path.run(() -> SpatialOps.maxPool2d(path.array(x, 1, 1, 3, 3),
                    new Pool2dSpec(2, 2, 1, 1, 1, 1)));
            // Window (i, j) covers rows i-1..i and columns j-1..j; worked out by hand.
            assertArrayEquals(new double[]{-5, -3, -3, -3, -5, -3, -3, -3, -7, -1, -1, -2, -8, -1, -1, -2},
                    r.out().toDoubleArray(), 0, path.name());
            assertArrayEquals(new int[]{0, 1, 1, 2, 0, 1, 1, 2, 3, 7, 7, 8, 6, 7, 7, 8}, r.indices().toIntArray(),
                    path.name());
        }
    }

    // ---------------------------------------------------------------- pooling and upsampling vs naive loops

    @Test
    void poolingMatchesNaiveLoops() {
        Random rnd = new Random(11);
        for (int[] d : SHAPES) {
            double[] x = random(rnd, size(d), 0, 1);
            // Few distinct values make ties common, so the first-of-equal-maxima rule is exercised.
            double[] ties = new double[x.length];
            for (int i = 0; i < x.length; i++) ties[i] = rnd.nextInt(4) - 2;
            for (Pool2dSpec spec : SPECS) {
                // A window larger than the padded input is an error in PyTorch; Pool2dSpec's truncating division
                // would give it one output, so such pairs are left out.
                if (d[2] + 2 * spec.padH() < spec.kernelH() || d[3] + 2 * spec.padW() < spec.kernelW()) continue;
                for (Path path : Path.values()) {
                    for (double[] data : List.of(x, ties)) {
                        checkPool(path, path.rounded(data), d, spec, rnd);
                    }
                }
            }
        }
    }

    private static void checkPool(Path path, double[] x, int[] d, Pool2dSpec spec, Random rnd) {
        String what = path + " " + spec + " on " + Shape.of(d);
        NDArray in = path.array(x, d);
        int outSize = d[0] * d[1] * spec.outH(d[2]) * spec.outW(d[3]);
        double[] g = path.rounded(random(rnd, outSize, 0, 1));
        NDArray gArr = path.array(g, d[0], d[1], spec.outH(d[2]), spec.outW(d[3]));

        NDArray avg = path.run(() -> SpatialOps.avgPool2d(in, spec));
        assertClose(naivePool(PoolMode.AVG, x, d, spec, null), avg, path.tol, "avg " + what);
        NDArray avgGrad = path.run(() -> SpatialOps.pool2dBackward(PoolMode.AVG, gArr, null, spec, in.shape()));
        assertClose(naivePoolBackward(PoolMode.AVG, g, null, d, spec), avgGrad, path.tol, "avg backward " + what);

        int[] idx = new int[outSize];
        double[] expectedMax = naivePool(PoolMode.MAX, x, d, spec, idx);
        SpatialOps.MaxPooled max = path.run(() -> SpatialOps.maxPool2d(in, spec));
        assertClose(expectedMax, max.out(), 0, "max " + what);
        assertArrayEquals(idx, max.indices().toIntArray(), "max indices " + what);
        NDArray maxGrad = path.run(() -> SpatialOps.pool2dBackward(PoolMode.MAX, gArr, max.indices(), spec, in.shape()));
        assertClose(naivePoolBackward(PoolMode.MAX, g, idx, d, spec), maxGrad, path.tol, "max backward " + what);
    }

    @Test
    void upsampleMatchesNaiveLoops() {
        Random rnd = new Random(12);
        for (int[] d : SHAPES) {
            for (int f : new int[]{1, 2, 3}) {
                int[] big = {d[0], d[1], d[2] * f, d[3] * f};
                for (Path path : Path.values()) {
                    String what = path + " f=" + f + " on " + Shape.of(d);
                    double[] x = path.rounded(random(rnd, size(d), 0, 1));
                    NDArray up = path.run(() -> SpatialOps.upsampleNearest2d(path.array(x, d), f));
                    assertClose(naiveUpsample(x, d, f), up, 0, "upsample " + what);
                    double[] g = path.rounded(random(rnd, size(big), 0, 1));
                    NDArray down = path.run(() -> SpatialOps.upsampleNearest2dBackward(path.array(g, big), f));
                    assertClose(naiveUpsampleBackward(g, d, f), down, path.tol, "upsample backward " + what);
                }
            }
        }
    }

    /**
     * Pooled F32 buffers come back with stale contents; poison one of exactly the output size and check that the
     * fast 2x2 backward still writes the column and row that odd sizes leave outside every window.
     */
    @Test
    void fastPathsOverwriteRecycledBuffers() {
        int[] d = {2, 4, 65, 67};
        Random rnd = new Random(13);
        Pool2dSpec spec = Pool2dSpec.of(2);
        for (Path path : List.of(Path.F32_VECTOR, Path.F32_SCALAR)) {
            double[] g = path.rounded(random(rnd, d[0] * d[1] * 32 * 33, 0, 1));
            NDArray gArr = path.array(g, d[0], d[1], 32, 33);
            NDArray.full(Shape.of(d), DType.F32, gArr.device(), Double.NaN).close();
            NDArray gi = path.run(() -> SpatialOps.pool2dBackward(PoolMode.AVG, gArr, null, spec, Shape.of(d)));
            assertClose(naivePoolBackward(PoolMode.AVG, g, null, d, spec), gi, path.tol, "recycled " + path);
        }
    }

    @Test
    void vectorPathAgreesWithScalarPath() {
        Random rnd = new Random(14);
        int[] d = {3, 5, 37, 50};
        double[] x = Path.F32_VECTOR.rounded(random(rnd, size(d), 0.5, 2));
        NDArray in = Path.F32_VECTOR.array(x, d);
        List<Supplier<NDArray>> ops = List.of(
                () -> SpatialOps.avgPool2d(in, Pool2dSpec.of(2)),
                () -> SpatialOps.upsampleNearest2d(in, 2),
                () -> SpatialOps.upsampleNearest2dBackward(SpatialOps.upsampleNearest2d(in, 2), 2),
                () -> SpatialOps.pool2dBackward(PoolMode.AVG, SpatialOps.avgPool2d(in, Pool2dSpec.of(2)), null,
                        Pool2dSpec.of(2), in.shape()),
                () -> SpatialOps.batchNormStats(in).var(),
                () -> SpatialOps.batchNormApply(in, SpatialOps.batchNormStats(in).mean(),
                        SpatialOps.batchNormStats(in).var(), null, null, 1e-5),
                () -> SpatialOps.batchNormBackward(in, SpatialOps.batchNormStats(in).mean(),
                        SpatialOps.batchNormStats(in).var(), null, 1e-5, in, false).gradIn());
        for (Supplier<NDArray> op : ops) {
            double[] scalar = Path.F32_SCALAR.run(op).toDoubleArray();
            NDArray vector = Path.F32_VECTOR.run(op);
            assertClose(scalar, vector, 1e-5, "vector vs scalar");
        }
    }

    // ---------------------------------------------------------------- batch norm

    @Test
    void batchNormStatsMatchNaiveTwoPass() {
        Random rnd = new Random(15);
        for (int[] d : SHAPES) {
            for (Path path : Path.values()) {
                double[] x = path.rounded(random(rnd, size(d), 0.3, 1.7));
                SpatialOps.Moments m = path.run(() -> SpatialOps.batchNormStats(path.array(x, d)));
                double[][] e = naiveStats(x, d);
                assertClose(e[0], m.mean(), path.tol, "mean " + path + Shape.of(d));
                assertClose(e[1], m.var(), path.tol, "var " + path + Shape.of(d));
            }
        }
    }

    /** A large common offset ruins E[x²] - E[x]² in float; a sound method keeps the variance accurate. */
    @Test
    void batchNormVarianceSurvivesLargeMean() {
        Random rnd = new Random(16);
        int[] d = {4, 3, 31, 33};
        for (Path path : Path.values()) {
            double[] x = path.rounded(random(rnd, size(d), 3000, 0.01));
            SpatialOps.Moments m = path.run(() -> SpatialOps.batchNormStats(path.array(x, d)));
            double[][] e = naiveStats(x, d);
            double[] var = m.var().toDoubleArray();
            for (int c = 0; c < d[1]; c++) {
                assertEquals(e[1][c], var[c], 1e-3 * e[1][c], path + " channel " + c);
            }
        }
    }

    @Test
    void batchNormApplyMatchesNaive() {
        Random rnd = new Random(17);
        double eps = 1e-5;
        for (int[] d : SHAPES) {
            for (Path path : Path.values()) {
                int c = d[1];
                double[] x = path.rounded(random(rnd, size(d), -0.4, 2));
                double[] mean = path.rounded(random(rnd, c, 0, 1));
                double[] var = path.rounded(random(rnd, c, 0, 1));
                for (int i = 0; i < c; i++) var[i] = Math.abs(var[i]) + 0.1;
                double[] gamma = path.rounded(random(rnd, c, 1, 0.5));
                double[] beta = path.rounded(random(rnd, c, 0, 0.5));
                NDArray xa = path.array(x, d), ma = path.array(mean, c), va = path.array(var, c);
                NDArray ga = path.array(gamma, c), ba = path.array(beta, c);
                for (boolean affine : new boolean[]{false, true}) {
                    NDArray out = path.run(() -> SpatialOps.batchNormApply(xa, ma, va, affine ? ga : null,
                            affine ? ba : null, eps));
                    assertClose(naiveApply(x, d, mean, var, affine ? gamma : null, affine ? beta : null, eps), out,
                            path.tol, "apply affine=" + affine + " " + path + Shape.of(d));
                }
                NDArray gammaOnly = path.run(() -> SpatialOps.batchNormApply(xa, ma, va, ga, null, eps));
                assertClose(naiveApply(x, d, mean, var, gamma, null, eps), gammaOnly, path.tol, "gamma only " + path);
            }
        }
    }

    @Test
    void batchNormBackwardMatchesFormula() {
        Random rnd = new Random(18);
        double eps = 1e-5;
        for (int[] d : SHAPES) {
            if (size(d) == 1) continue; // M = 1 makes xhat 0 everywhere; covered by the finite-difference test shape
            for (Path path : Path.values()) {
                int c = d[1];
                double[] x = path.rounded(random(rnd, size(d), 0.7, 1.3));
                double[] g = path.rounded(random(rnd, size(d), 0.2, 1));
                double[] gamma = path.rounded(random(rnd, c, 1, 0.5));
                NDArray xa = path.array(x, d), gArr = path.array(g, d), gammaArr = path.array(gamma, c);
                double[][] st = naiveStats(x, d);
                NDArray mean = path.array(path.rounded(st[0]), c), var = path.array(path.rounded(st[1]), c);
                for (boolean withGamma : new boolean[]{false, true}) {
                    double[][] e = naiveBnBackward(x, g, d, withGamma ? gamma : null, eps);
                    String what = path + " gamma=" + withGamma + " " + Shape.of(d);
                    SpatialOps.BatchNormGrads r = path.run(() -> SpatialOps.batchNormBackward(xa, mean, var,
                            withGamma ? gammaArr : null, eps, gArr, true));
                    // F32 dx is a small difference of sums over M elements; scale the tolerance by sqrt(M).
                    double tol = path.tol * Math.sqrt(size(d) / c);
                    assertClose(e[0], r.gradIn(), tol, "dx " + what);
                    assertClose(e[1], r.gradGamma(), tol, "dGamma " + what);
                    assertClose(e[2], r.gradBeta(), tol, "dBeta " + what);
                    SpatialOps.BatchNormGrads noAffine = path.run(() -> SpatialOps.batchNormBackward(xa, mean, var,
                            withGamma ? gammaArr : null, eps, gArr, false));
                    assertNull(noAffine.gradGamma());
                    assertNull(noAffine.gradBeta());
                    assertClose(e[0], noAffine.gradIn(), tol, "dx without affine grads " + what);
                }
            }
        }
    }

    /** Central differences, in F64, of {@code L = Σ out·r} with {@code out = BN(x; batch stats of x, gamma, beta)}. */
    @Test
    void batchNormBackwardMatchesFiniteDifferences() {
        Random rnd = new Random(19);
        int[] d = {2, 3, 3, 5};
        int c = d[1];
        double eps = 1e-5, h = 1e-6;
        double[] x = random(rnd, size(d), 0.5, 1);
        double[] r = random(rnd, size(d), 0, 1);
        double[] gamma = random(rnd, c, 1, 0.5);
        double[] beta = random(rnd, c, 0, 0.5);

        SpatialOps.Moments m = SpatialOps.batchNormStats(NDArray.of(x, d));
        SpatialOps.BatchNormGrads grads = SpatialOps.batchNormBackward(NDArray.of(x, d), m.mean(), m.var(),
                NDArray.of(gamma, c), eps, NDArray.of(r, d), true);

        double[] dx = new double[x.length];
        for (int i = 0; i < x.length; i++) dx[i] = centralDiff(x, i, h, xp -> bnLoss(xp, gamma, beta, r, d, eps));
        double[] dGamma = new double[c], dBeta = new double[c];
        for (int i = 0; i < c; i++) {
            dGamma[i] = centralDiff(gamma, i, h, gp -> bnLoss(x, gp, beta, r, d, eps));
            dBeta[i] = centralDiff(beta, i, h, bp -> bnLoss(x, gamma, bp, r, d, eps));
        }
        assertFiniteDiff(dx, grads.gradIn(), "dx");
        assertFiniteDiff(dGamma, grads.gradGamma(), "dGamma");
        assertFiniteDiff(dBeta, grads.gradBeta(), "dBeta");
        // The gradient must not be trivially zero (x's own mean-and-scale invariance would hide a sign error).
        double norm = 0;
        for (double v : dx) norm += v * v;
        assertTrue(norm > 1e-3, "dx is unexpectedly near zero");
    }

    private static double bnLoss(double[] x, double[] gamma, double[] beta, double[] r, int[] d, double eps) {
        int c = d[1];
        NDArray xa = NDArray.of(x, d);
        SpatialOps.Moments m = SpatialOps.batchNormStats(xa);
        double[] out = SpatialOps.batchNormApply(xa, m.mean(), m.var(), NDArray.of(gamma, c), NDArray.of(beta, c), eps)
                .toDoubleArray();
        double loss = 0;
        for (int i = 0; i < out.length; i++) loss += out[i] * r[i];
        return loss;
    }

    private static double centralDiff(double[] v, int i, double h, java.util.function.ToDoubleFunction<double[]> f) {
        double[] plus = v.clone(), minus = v.clone();
        plus[i] += h;
        minus[i] -= h;
        return (f.applyAsDouble(plus) - f.applyAsDouble(minus)) / (2 * h);
    }

    private static void assertFiniteDiff(double[] numeric, NDArray analytic, String what) {
        double[] a = analytic.toDoubleArray();
        for (int i = 0; i < a.length; i++) {
            double err = Math.abs(a[i] - numeric[i]);
            if (!(err <= 1e-5 + 1e-3 * Math.abs(numeric[i]))) {
                fail(what + "[" + i + "]: analytic " + a[i] + ", numeric " + numeric[i]);
            }
        }
    }
}
