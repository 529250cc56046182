package dev.unetgan.tensor.cpu;

import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Ops;
import dev.unetgan.tensor.ReduceOp;
import dev.unetgan.tensor.Shape;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Reductions, argmax and softmax of the CPU backend against naive loops, on both the Vector and scalar paths. */
class CpuReduceTest {
    private static final int[][] SHAPES = {
            {1}, {7}, {37}, {1000},
            {1, 1}, {3, 17}, {16, 5}, {33, 2100}, {2, 1},
            {2, 3, 37}, {3, 1, 20}, {5, 70, 35}, {1, 9, 1},
            {2, 3, 5, 7}, {4, 1, 9, 33}, {3, 8, 4, 4}, {2, 5, 1, 17}, {6, 2, 3, 1},
    };

    // ---- helpers ----

    private static double[] random(Random rnd, int n) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = rnd.nextGaussian() * 2;
        }
        return d;
    }

    private static NDArray array(double[] data, DType dtype, int... dims) {
        if (dtype == DType.F64) {
            return NDArray.of(data.clone(), dims);
        }
        float[] f = new float[data.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) data[i];
        }
        return NDArray.of(f, dims);
    }

    /** The data as it was stored, i.e. rounded to float for F32. */
    private static double[] stored(double[] data, DType dtype) {
        return dtype == DType.F64 ? data : Arrays.stream(data).map(v -> (float) v).toArray();
    }

    private static <T> T withScalar(boolean scalar, Supplier<T> body) {
        boolean before = CpuOptions.scalar();
        CpuOptions.setScalar(scalar);
        try {
            return body.get();
        } finally {
            CpuOptions.setScalar(before);
        }
    }

    private static List<int[]> axisSubsets(int rank) {
        List<int[]> out = new ArrayList<>();
        for (int mask = 1; mask < (1 << rank); mask++) {
            int[] ax = new int[Integer.bitCount(mask)];
            for (int a = 0, k = 0; a < rank; a++) {
                if ((mask & (1 << a)) != 0) {
                    ax[k++] = a;
                }
            }
            out.add(ax);
        }
        return out;
    }

    /** Naive reduction: each input element goes to the output index with its reduced coordinates zeroed. */
    private static double[] naiveReduce(ReduceOp op, double[] x, int[] dims, int[] axes) {
        int[] kept = dims.clone();
        for (int a : axes) {
            kept[a] = 1;
        }
        int outSize = Arrays.stream(kept).reduce(1, (p, q) -> p * q);
        double[] out = new double[outSize];
        double init = op == ReduceOp.MAX ? Double.NEGATIVE_INFINITY : op == ReduceOp.MIN ? Double.POSITIVE_INFINITY : 0;
        Arrays.fill(out, init);
        int[] idx = new int[dims.length];
        for (int flat = 0; flat < x.length; flat++) {
            int rem = flat;
            for (int d = dims.length - 1; d >= 0; d--) {
                idx[d] = rem % dims[d];
                rem /= dims[d];
            }
            int o = 0;
            for (int d = 0; d < dims.length; d++) {
                o = o * kept[d] + (kept[d] == 1 ? 0 : idx[d]);
            }
            double v = x[flat];
            out[o] = switch (op) {
                case SUM, MEAN -> out[o] + v;
                case MAX -> Math.max(out[o], v);
                case MIN -> Math.min(out[o], v);
            };
        }
        if (op == ReduceOp.MEAN) {
            long count = x.length / Math.max(1, outSize);
            for (int o = 0; o < outSize; o++) {
                out[o] /= count;
            }
        }
        return out;
    }

    /** Sum of |x| per output, the natural error scale of a float sum. */
    private static double[] absScale(double[] x, int[] dims, int[] axes) {
        return naiveReduce(ReduceOp.SUM, Arrays.stream(x).map(Math::abs).toArray(), dims, axes);
    }

    private static void assertClose(String what, double[] expected, double[] actual, double[] scale, double rel) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            double tol = rel * (1 + (scale == null ? Math.abs(expected[i]) : scale[i]));
            if (!(Math.abs(expected[i] - actual[i]) <= tol) && !(Double.isNaN(expected[i]) && Double.isNaN(actual[i]))) {
                fail(what + ": element " + i + " expected " + expected[i] + " got " + actual[i] + " (tol " + tol + ")");
            }
        }
    }

    // ---- reduce ----

    @Test
    void reduceMatchesNaiveLoopsForEveryAxisSubset() {
        Random rnd = new Random(1);
        for (int[] dims : SHAPES) {
            double[] data = random(rnd, Shape.of(dims).sizeAsInt());
            for (DType dtype : new DType[]{DType.F64, DType.F32}) {
                double[] x = stored(data, dtype);
                for (int[] axes : axisSubsets(dims.length)) {
                    double[] scale = absScale(x, dims, axes);
                    for (ReduceOp op : ReduceOp.values()) {
                        double[] expected = naiveReduce(op, x, dims, axes);
                        double[] s = op == ReduceOp.MEAN ? naiveReduce(ReduceOp.MEAN, Arrays.stream(x).map(Math::abs).toArray(), dims, axes) : scale;
                        for (boolean scalar : new boolean[]{false, true}) {
                            String what = op + " " + dtype + " " + Arrays.toString(dims) + " axes " + Arrays.toString(axes)
                                    + (scalar ? " scalar" : " vector");
                            double[] got = withScalar(scalar, () -> {
                                try (NDArray a = array(data, dtype, dims)) {
                                    NDArray r = Ops.reduce(op, a, true, axes);
                                    int[] kept = dims.clone();
                                    for (int ax : axes) {
                                        kept[ax] = 1;
                                    }
                                    assertEquals(Shape.of(kept), r.shape(), what);
                                    return values(r);
                                }
                            });
                            if (op == ReduceOp.MAX || op == ReduceOp.MIN) {
                                assertArrayEquals(expected, got, 0, what);
                            } else {
                                assertClose(what, expected, got, s, dtype == DType.F64 ? 1e-13 : 2e-7);
                            }
                        }
                    }
                }
            }
        }
    }

    private static double[] values(NDArray a) {
        try (a) {
            if (a.dtype() == DType.F32) {
                float[] f = a.toFloatArray();
                double[] d = new double[f.length];
                for (int i = 0; i < f.length; i++) {
                    d[i] = f[i];
                }
                return d;
            }
            return a.toDoubleArray();
        }
    }

    @Test
    void reduceWithoutKeepDimsDropsAxesAndAllAxesGiveAScalar() {
        double[] data = random(new Random(2), 2 * 3 * 4);
        try (NDArray x = array(data, DType.F64, 2, 3, 4);
             NDArray s = Ops.sum(x, 0, 2);
             NDArray all = Ops.mean(x)) {
            assertEquals(Shape.of(3), s.shape());
            assertArrayEquals(naiveReduce(ReduceOp.SUM, data, new int[]{2, 3, 4}, new int[]{0, 2}), s.toDoubleArray(), 1e-12);
            assertEquals(0, all.rank());
            assertEquals(Arrays.stream(data).sum() / data.length, all.item(), 1e-12);
        }
    }

    @Test
    void emptyReductionGivesZeroSumAndNanMean() {
        for (DType dtype : new DType[]{DType.F32, DType.F64}) {
            try (NDArray x = NDArray.zeros(Shape.of(3, 0), dtype, dev.unetgan.tensor.Device.CPU)) {
                assertArrayEquals(new double[]{0, 0, 0}, values(Ops.reduce(ReduceOp.SUM, x, true, 1)), 0);
                double[] mean = values(Ops.reduce(ReduceOp.MEAN, x, true, 1));
                assertTrue(Arrays.stream(mean).allMatch(Double::isNaN), Arrays.toString(mean));
            }
        }
    }

    @Test
    void longF32SumsStayNearFloatPrecision() {
        // A sequential float sum of 2^22 values of ~0.1 drifts by ~1e-3 relative; blocked double folding must not.
        int n = 1 << 22;
        float[] f = new float[n];
        double exact = 0;
        for (int i = 0; i < n; i++) {
            // One value: a float accumulator rounds the same way on every add, so its error is systematic.
            f[i] = 0.1f;
            exact += f[i];
        }
        float naive = 0;
        for (float v : f) {
            naive += v;
        }
        assertTrue(Math.abs(naive - exact) / exact > 1e-4, "the test data must defeat a naive float sum");
        try (NDArray x = NDArray.of(f, n); NDArray cols = NDArray.of(f, 1 << 12, 1 << 10);
             NDArray rows = NDArray.of(f, 1 << 20, 4)) {
            assertEquals(exact, Ops.sum(x).item(), exact * 1e-7, "all elements, one run");
            // Column mode over a tall matrix: 1024 outputs each summing 4096 rows.
            double[] colExact = naiveReduce(ReduceOp.SUM, toDouble(f), new int[]{1 << 12, 1 << 10}, new int[]{0});
            assertClose("columns", colExact, values(Ops.reduce(ReduceOp.SUM, cols, true, 0)), null, 1e-7);
            // Few narrow columns: the rows are split into segments combined in order.
            double[] rowExact = naiveReduce(ReduceOp.SUM, toDouble(f), new int[]{1 << 20, 4}, new int[]{0});
            assertClose("segments", rowExact, values(Ops.reduce(ReduceOp.SUM, rows, true, 0)), null, 1e-7);
        }
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    @Test
    void hotLayoutsMatchNaiveLoops() {
        // [N,C,H,W] over N,H,W (per-channel statistics) and [N,C] over N (bias gradient), sizes large enough to run
        // in parallel and to split into tiles.
        Random rnd = new Random(4);
        int[][] dims = {{8, 24, 31, 33}, {257, 3000}, {3, 5, 70000}};
        int[][] axes = {{0, 2, 3}, {0}, {0, 2}};
        for (int c = 0; c < dims.length; c++) {
            double[] x = stored(random(rnd, Shape.of(dims[c]).sizeAsInt()), DType.F32);
            for (ReduceOp op : ReduceOp.values()) {
                double[] expected = naiveReduce(op, x, dims[c], axes[c]);
                double[] scale = op == ReduceOp.MEAN ? null : absScale(x, dims[c], axes[c]);
                double[] got = values(Ops.reduce(op, array(x, DType.F32, dims[c]), true, axes[c]));
                if (op == ReduceOp.MEAN) {
                    assertClose(op + " " + c, expected, got, naiveReduce(ReduceOp.MEAN, Arrays.stream(x).map(Math::abs).toArray(), dims[c], axes[c]), 2e-7);
                } else if (op == ReduceOp.SUM) {
                    assertClose(op + " " + c, expected, got, scale, 2e-7);
                } else {
                    assertArrayEquals(expected, got, 0, op + " " + c);
                }
            }
        }
    }

    @Test
    void resultsAreBitIdenticalAcrossRuns() {
        Random rnd = new Random(5);
        int[][] dims = {{1 << 20}, {64, 16, 1024}, {1 << 18, 3}};
        int[][] axes = {{0}, {0, 2}, {0}};
        for (int c = 0; c < dims.length; c++) {
            float[] f = new float[Shape.of(dims[c]).sizeAsInt()];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) rnd.nextGaussian();
            }
            try (NDArray x = NDArray.of(f, dims[c])) {
                float[] first = null;
                for (int rep = 0; rep < 10; rep++) {
                    try (NDArray r = Ops.reduce(ReduceOp.SUM, x, true, axes[c]);
                         NDArray sm = Ops.softmax(x, -1)) {
                        float[] v = r.toFloatArray();
                        float[] both = Arrays.copyOf(v, v.length + 64);
                        System.arraycopy(sm.toFloatArray(), 0, both, v.length, 64);
                        if (first == null) {
                            first = both;
                        } else {
                            assertArrayEquals(first, both, "run " + rep + " of case " + c);
                        }
                    }
                }
            }
        }
    }

    @Test
    void maxAndMinPropagateNaN() {
        for (boolean scalar : new boolean[]{false, true}) {
            float[] f = new float[40];
            Arrays.fill(f, 1f);
            f[33] = Float.NaN;
            double[] got = withScalar(scalar, () -> values(Ops.reduce(ReduceOp.MAX, NDArray.of(f, 40), true, 0)));
            assertTrue(Double.isNaN(got[0]));
            got = withScalar(scalar, () -> values(Ops.reduce(ReduceOp.MIN, NDArray.of(f, 2, 20), true, 0)));
            assertTrue(Double.isNaN(got[13]) && got[12] == 1, Arrays.toString(got));
        }
    }

    // ---- argmax ----

    @Test
    void argmaxMatchesNaiveLoopWithFirstIndexWinningTies() {
        Random rnd = new Random(6);
        for (int[] dims : SHAPES) {
            int n = Shape.of(dims).sizeAsInt();
            double[] data = new double[n];
            for (int i = 0; i < n; i++) {
                data[i] = rnd.nextInt(5); // many ties
            }
            for (DType dtype : new DType[]{DType.F64, DType.F32}) {
                for (int axis = 0; axis < dims.length; axis++) {
                    int[] expected = naiveArgmax(data, dims, axis);
                    for (boolean scalar : new boolean[]{false, true}) {
                        int ax = axis;
                        int[] got = withScalar(scalar, () -> {
                            try (NDArray x = array(data, dtype, dims); NDArray r = Ops.argmax(x, ax)) {
                                assertEquals(DType.I32, r.dtype());
                                return r.toIntArray();
                            }
                        });
                        assertArrayEquals(expected, got, dtype + " " + Arrays.toString(dims) + " axis " + axis + " scalar " + scalar);
                    }
                }
            }
        }
    }

    private static int[] naiveArgmax(double[] x, int[] dims, int axis) {
        int outer = (int) Shape.of(dims).sizeOf(0, axis);
        int n = dims[axis];
        int inner = (int) Shape.of(dims).sizeOf(axis + 1, dims.length);
        int[] out = new int[outer * inner];
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < inner; j++) {
                int best = 0;
                for (int i = 1; i < n; i++) {
                    if (x[(o * n + i) * inner + j] > x[(o * n + best) * inner + j]) {
                        best = i;
                    }
                }
                out[o * inner + j] = best;
            }
        }
        return out;
    }

    @Test
    void argmaxTreatsTheFirstNaNAsTheMaximum() {
        float[] f = {1, 5, Float.NaN, 7, Float.NaN, 2, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        for (boolean scalar : new boolean[]{false, true}) {
            int[] got = withScalar(scalar, () -> Ops.argmax(NDArray.of(f, 20), 0).toIntArray());
            assertArrayEquals(new int[]{2}, got, "scalar " + scalar);
        }
    }

    // ---- softmax ----

    private static NDArray softmax(NDArray x, int axis, boolean log) {
        try (x) {
            return log ? Ops.logSoftmax(x, axis) : Ops.softmax(x, axis);
        }
    }

    private static double[] naiveSoftmax(double[] x, int[] dims, int axis, boolean log) {
        int outer = (int) Shape.of(dims).sizeOf(0, axis);
        int n = dims[axis];
        int inner = (int) Shape.of(dims).sizeOf(axis + 1, dims.length);
        double[] y = new double[x.length];
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < inner; j++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < n; i++) {
                    max = Math.max(max, x[(o * n + i) * inner + j]);
                }
                double sum = 0;
                for (int i = 0; i < n; i++) {
                    sum += Math.exp(x[(o * n + i) * inner + j] - max);
                }
                for (int i = 0; i < n; i++) {
                    int e = (o * n + i) * inner + j;
                    y[e] = log ? x[e] - max - Math.log(sum) : Math.exp(x[e] - max) / sum;
                }
            }
        }
        return y;
    }

    private static double[] naiveSoftmaxBackward(double[] y, double[] g, int[] dims, int axis, boolean log) {
        int outer = (int) Shape.of(dims).sizeOf(0, axis);
        int n = dims[axis];
        int inner = (int) Shape.of(dims).sizeOf(axis + 1, dims.length);
        double[] gi = new double[y.length];
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < inner; j++) {
                double s = 0;
                for (int i = 0; i < n; i++) {
                    int e = (o * n + i) * inner + j;
                    s += log ? g[e] : g[e] * y[e];
                }
                for (int i = 0; i < n; i++) {
                    int e = (o * n + i) * inner + j;
                    gi[e] = log ? g[e] - Math.exp(y[e]) * s : y[e] * (g[e] - s);
                }
            }
        }
        return gi;
    }

    @Test
    void softmaxAndBackwardMatchNaiveLoops() {
        Random rnd = new Random(7);
        int[][] shapes = {{1}, {37}, {3, 17}, {2, 3, 37}, {5, 70, 35}, {2, 5, 1, 17}, {3, 8, 4, 4}, {2, 1100, 3}, {4, 2000}};
        for (int[] dims : shapes) {
            int size = Shape.of(dims).sizeAsInt();
            double[] data = random(rnd, size);
            double[] grad = random(rnd, size);
            for (DType dtype : new DType[]{DType.F64, DType.F32}) {
                double[] x = stored(data, dtype);
                double[] g = stored(grad, dtype);
                double tol = dtype == DType.F64 ? 1e-12 : 3e-6;
                for (int axis = 0; axis < dims.length; axis++) {
                    for (boolean log : new boolean[]{false, true}) {
                        double[] expected = naiveSoftmax(x, dims, axis, log);
                        for (boolean scalar : new boolean[]{false, true}) {
                            String what = (log ? "log_softmax " : "softmax ") + dtype + " " + Arrays.toString(dims)
                                    + " axis " + axis + (scalar ? " scalar" : " vector");
                            int ax = axis;
                            double[] y = withScalar(scalar, () -> values(softmax(array(data, dtype, dims), ax, log)));
                            assertClose(what, expected, y, null, tol);
                            double[] yStored = stored(y, dtype);
                            double[] expectedGrad = naiveSoftmaxBackward(yStored, g, dims, axis, log);
                            double[] gi = withScalar(scalar, () -> values(
                                    Ops.softmaxBackward(array(yStored, dtype, dims), array(grad, dtype, dims), ax, log)));
                            double[] scale = Arrays.stream(expectedGrad).map(v -> 10 * Math.abs(v)).toArray();
                            assertClose(what + " backward", expectedGrad, gi, scale, tol);
                        }
                    }
                }
            }
        }
    }

    @Test
    void softmaxBackwardIsTheGradientOfSoftmax() {
        // Central differences of L = sum(w · softmax(x)) in F64, independent of the closed-form gradient.
        Random rnd = new Random(8);
        int[] dims = {3, 5, 4};
        double[] x = random(rnd, 60);
        double[] w = random(rnd, 60);
        for (int axis = 0; axis < 3; axis++) {
            for (boolean log : new boolean[]{false, true}) {
                int ax = axis;
                double[] y = values(softmax(array(x, DType.F64, dims), ax, log));
                double[] gi = values(Ops.softmaxBackward(array(y, DType.F64, dims), array(w, DType.F64, dims), ax, log));
                for (int e = 0; e < x.length; e++) {
                    double[] xp = x.clone();
                    double[] xm = x.clone();
                    xp[e] += 1e-6;
                    xm[e] -= 1e-6;
                    double lp = dot(w, naiveSoftmax(xp, dims, axis, log));
                    double lm = dot(w, naiveSoftmax(xm, dims, axis, log));
                    assertEquals((lp - lm) / 2e-6, gi[e], 1e-6, "axis " + axis + " log " + log + " element " + e);
                }
            }
        }
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    @Test
    void softmaxIsStableForLargeAndInfiniteInputs() {
        for (boolean scalar : new boolean[]{false, true}) {
            for (int[] dims : new int[][]{{1, 20}, {20, 3}}) {
                int axis = dims[0] == 1 ? 1 : 0;
                float[] f = new float[60];
                for (int i = 0; i < f.length; i++) {
                    f[i] = 1000f + i % 7;
                }
                float[] x = Arrays.copyOf(f, dims[0] * dims[1]);
                x[0] = Float.NEGATIVE_INFINITY;
                double[] y = withScalar(scalar, () -> values(Ops.softmax(NDArray.of(x, dims), axis)));
                double[] expected = naiveSoftmax(toDouble(x), dims, axis, false);
                assertEquals(0.0, y[0], 0.0, "exp(-inf) must be exactly 0");
                assertClose("large softmax", expected, y, null, 1e-6);
                double[] ly = withScalar(scalar, () -> values(Ops.logSoftmax(NDArray.of(x, dims), axis)));
                assertEquals(Double.NEGATIVE_INFINITY, ly[0]);
                double[] lexp = naiveSoftmax(toDouble(x), dims, axis, true);
                assertClose("large log_softmax", Arrays.copyOfRange(lexp, 1, lexp.length),
                        Arrays.copyOfRange(ly, 1, ly.length), null, 1e-6);
            }
        }
    }

    @Test
    void vectorExpIsWithinTwoUlpsOfMathExp() {
        float[] in = new float[FloatVector.SPECIES_PREFERRED.length()];
        float[] out = new float[in.length];
        for (float v = -87f; v <= 88f; v += 0.01234f) {
            for (int i = 0; i < in.length; i++) {
                in[i] = v + i * 1e-3f;
            }
            CpuReduce.exp(FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, in, 0)).intoArray(out, 0);
            for (int i = 0; i < in.length; i++) {
                float expected = (float) Math.exp(in[i]);
                assertTrue(Math.abs(out[i] - expected) <= 2 * Math.ulp(expected),
                        "exp(" + in[i] + ") = " + out[i] + ", expected " + expected);
            }
        }
        in[0] = Float.NEGATIVE_INFINITY;
        in[1] = -100f;
        in[2] = Float.NaN;
        in[3] = 0f;
        CpuReduce.exp(FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, in, 0)).intoArray(out, 0);
        assertEquals(0f, out[0]);
        assertEquals(0f, out[1]);
        assertTrue(Float.isNaN(out[2]));
        assertEquals(1f, out[3]);
    }

    @Test
    void argmaxOfAnEmptyAxisIsRejected() {
        try (NDArray x = NDArray.zeros(Shape.of(2, 0), DType.F32, dev.unetgan.tensor.Device.CPU)) {
            assertThrows(IllegalArgumentException.class, () -> Ops.argmax(x, 1));
        }
    }
}
