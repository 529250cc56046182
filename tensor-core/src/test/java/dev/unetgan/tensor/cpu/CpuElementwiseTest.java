package dev.unetgan.tensor.cpu;

import dev.unetgan.tensor.BinaryOp;
import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Ops;
import dev.unetgan.tensor.Scope;
import dev.unetgan.tensor.Shape;
import dev.unetgan.tensor.TernaryOp;
import dev.unetgan.tensor.UnaryOp;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Elementwise kernels against golden values from this file's own formulas (written independently of the op enums),
 * derivatives against central differences of those formulas, broadcasting against a naive multi-index loop, and
 * the Vector API path against the scalar path.
 */
class CpuElementwiseTest {
    private static final DType[] DTYPES = {DType.F64, DType.F32};
    private static final double LEAKY_SLOPE = 0.2;

    /** Output shapes exercised for every constant: odd sizes, a single element, a vector-length multiple plus tail. */
    private static final int[][] UNARY_SHAPES = {{1}, {17}, {3, 5, 7}, {2, 16}, {}};

    /** Binary and ternary broadcast cases: shapes of the operands. */
    private static final int[][][] BROADCASTS = {
            {{3, 5, 7}, {3, 5, 7}},          // same shape
            {{37}, {}},                      // scalar operand
            {{1}, {23}},                     // size-1 operand on the left
            {{2, 3, 4, 5}, {1, 3, 1, 1}},    // per channel, rank 4
            {{2, 3, 4, 5}, {3, 1, 1}},       // per channel, lower rank
            {{2, 3, 4, 5}, {2, 3, 1, 1}},    // per (sample, channel)
            {{5, 1}, {1, 6}},                // outer product
            {{4, 1, 19}, {3, 1}},            // both stretch, inner run of 19 vs 1
            {{2, 3, 18}, {18}},              // row bias
            {{1, 1, 1}, {1}},                // all size 1
    };

    // ---- the test's own definitions ----

    private static double unaryRef(UnaryOp op, double x, double p) {
        return switch (op) {
            case NEG -> 0 - x;
            case ABS -> x < 0 ? -x : x;
            case SIGN -> x > 0 ? 1 : x < 0 ? -1 : 0;
            case SQUARE -> x * x;
            case SQRT -> Math.pow(x, 0.5);
            case RSQRT -> Math.pow(x, -0.5);
            case RECIPROCAL -> 1 / x;
            case EXP -> Math.pow(Math.E, x);
            case LOG -> Math.log10(x) / Math.log10(Math.E);
            case RELU -> x > 0 ? x : 0;
            case LEAKY_RELU -> x > 0 ? x : p * x;
            case TANH -> (Math.exp(2 * x) - 1) / (Math.exp(2 * x) + 1);
            case SIGMOID -> 0.5 * (1 + Math.tanh(x / 2));
            case SOFTPLUS -> Math.log(1 + Math.exp(x));
            case ADD_SCALAR -> x + p;
            case MUL_SCALAR -> x * p;
            case POW_SCALAR -> Math.exp(p * Math.log(x));
        };
    }

    private static double binaryRef(BinaryOp op, double a, double b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case MAX -> a >= b ? a : b;
            case MIN -> a <= b ? a : b;
            case POW -> Math.exp(b * Math.log(a));
            case GT -> a > b ? 1 : 0;
            case LT -> b > a ? 1 : 0;
            case EQ -> a == b ? 1 : 0;
        };
    }

    private static double ternaryRef(TernaryOp op, double x, double a, double b) {
        return switch (op) {
            case WHERE -> x == 0 ? b : a;
            case BLEND -> b + x * (a - b);
            case MUL_ADD -> b + a * x;
        };
    }

    /** The parameter each unary op is tested with. */
    private static double param(UnaryOp op) {
        return switch (op) {
            case LEAKY_RELU -> LEAKY_SLOPE;
            case ADD_SCALAR -> 0.75;
            case MUL_SCALAR -> -1.5;
            case POW_SCALAR -> 2.5;
            default -> 0;
        };
    }

    /** Inputs inside each op's domain and at least 0.05 away from its kinks, so central differences are exact enough. */
    private static double unaryInput(UnaryOp op, Random r) {
        return switch (op) {
            case SQRT, RSQRT, LOG, POW_SCALAR -> uniform(r, 0.2, 3);
            case RECIPROCAL -> offZero(uniform(r, -2, 2));
            case ABS, SIGN, RELU, LEAKY_RELU -> offZero(uniform(r, -3, 3));
            default -> uniform(r, -3, 3);
        };
    }

    /** Operand {@code k} of a binary op; comparisons and max/min draw from a coarse grid so ties occur. */
    private static double binaryInput(BinaryOp op, int k, Random r) {
        return switch (op) {
            case POW -> k == 0 ? uniform(r, 0.2, 3) : uniform(r, -2, 2);
            case DIV -> k == 0 ? uniform(r, -3, 3) : offZero(uniform(r, -2, 2));
            case MAX, MIN, GT, LT, EQ -> (r.nextInt(7) - 3) * 0.5;
            default -> uniform(r, -3, 3);
        };
    }

    /** Operand {@code k} of a ternary op; WHERE's condition is often exactly zero. */
    private static double ternaryInput(TernaryOp op, int k, Random r) {
        if (op == TernaryOp.WHERE && k == 0) {
            return r.nextInt(3) == 0 ? 0 : uniform(r, -2, 2);
        }
        return uniform(r, -3, 3);
    }

    private static double uniform(Random r, double lo, double hi) {
        return (float) (lo + (hi - lo) * r.nextDouble());
    }

    private static double offZero(double x) {
        return Math.abs(x) < 0.05 ? 0.5 : x;
    }

    // ---- naive golden loops ----

    private interface Fn3 {
        double at(double v0, double v1, double v2);
    }

    /** {@code f} over the broadcast of {@code inputs} by a naive multi-index loop. */
    private static double[] broadcastRef(int[] outDims, int[][] inDims, double[][] in, Fn3 f) {
        int rank = outDims.length;
        int n = 1;
        for (int d : outDims) n *= d;
        double[] out = new double[n];
        int[] coord = new int[rank];
        for (int i = 0; i < n; i++) {
            int rest = i;
            for (int d = rank - 1; d >= 0; d--) {
                coord[d] = rest % outDims[d];
                rest /= outDims[d];
            }
            double[] v = new double[3];
            for (int k = 0; k < in.length; k++) {
                int[] dims = inDims[k];
                int idx = 0;
                for (int d = 0; d < dims.length; d++) {
                    int c = coord[rank - dims.length + d];
                    idx = idx * dims[d] + (dims[d] == 1 ? 0 : c);
                }
                v[k] = in[k][idx];
            }
            out[i] = f.at(v[0], v[1], v[2]);
        }
        return out;
    }

    /** Central difference of {@code f} in argument {@code k}. */
    private static double partial(Fn3 f, int k, double v0, double v1, double v2) {
        double[] v = {v0, v1, v2};
        double h = 1e-6 * Math.max(1, Math.abs(v[k]));
        double[] hi = v.clone();
        double[] lo = v.clone();
        hi[k] += h;
        lo[k] -= h;
        return (f.at(hi[0], hi[1], hi[2]) - f.at(lo[0], lo[1], lo[2])) / (2 * h);
    }

    // ---- helpers ----

    private static NDArray array(DType dtype, double[] v, int... dims) {
        if (dtype == DType.F64) {
            return NDArray.of(v, dims);
        }
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return NDArray.of(f, dims);
    }

    private static double[] inputs(int n, Random r, java.util.function.ToDoubleFunction<Random> gen) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = gen.applyAsDouble(r);
        return v;
    }

    private static int size(int[] dims) {
        return Arrays.stream(dims).reduce(1, (x, y) -> x * y);
    }

    private static int[] broadcastDims(int[]... shapes) {
        Shape s = Shape.of(shapes[0]);
        for (int[] t : shapes) s = Shape.broadcast("test", s, Shape.of(t));
        return s.dims();
    }

    /** Forward values: tight in F64; in F32, float rounding of inputs' results plus a few ulps of lanewise functions. */
    private static void assertClose(String what, DType dtype, double[] expected, NDArray actual, boolean gradient) {
        double rtol = dtype == DType.F64 ? (gradient ? 1e-6 : 1e-12) : (gradient ? 1e-4 : 2e-6);
        double atol = dtype == DType.F64 ? (gradient ? 1e-6 : 1e-12) : (gradient ? 1e-5 : 2e-6);
        assertClose(what + " " + dtype, expected, actual.toDoubleArray(), rtol, atol);
    }

    private static void assertClose(String what, double[] expected, double[] actual, double rtol, double atol) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double a = actual[i];
            boolean same = Double.isNaN(e) ? Double.isNaN(a) : Math.abs(a - e) <= atol + rtol * Math.abs(e);
            if (!same) {
                fail(what + ": element " + i + " is " + a + ", expected " + e);
            }
        }
    }

    private static <T> T withScalar(boolean scalar, Supplier<T> body) {
        boolean old = CpuOptions.scalar();
        CpuOptions.setScalar(scalar);
        try {
            return body.get();
        } finally {
            CpuOptions.setScalar(old);
        }
    }

    // ---- unary ----

    @Test
    void unaryForwardAndBackwardMatchGoldenForEveryOp() {
        Random r = new Random(1);
        for (UnaryOp op : UnaryOp.values()) {
            double p = param(op);
            for (int[] dims : UNARY_SHAPES) {
                int n = size(dims);
                double[] x = inputs(n, r, rr -> unaryInput(op, rr));
                double[] g = inputs(n, r, rr -> uniform(rr, -1, 1));
                double[] y = new double[n];
                double[] gi = new double[n];
                for (int i = 0; i < n; i++) {
                    y[i] = unaryRef(op, x[i], p);
                    gi[i] = g[i] * partial((a, b, c) -> unaryRef(op, a, p), 0, x[i], 0, 0);
                }
                for (DType dt : DTYPES) {
                    try (Scope s = Scope.open()) {
                        NDArray xa = array(dt, x, dims);
                        String what = op + " " + Arrays.toString(dims);
                        assertClose(what, dt, y, Ops.unary(op, p, xa), false);
                        NDArray grad = Ops.unaryBackward(op, p, xa, array(dt, y, dims), array(dt, g, dims));
                        assertClose(what + " backward", dt, gi, grad, true);
                    }
                }
            }
        }
    }

    @Test
    void unaryKinksFollowPyTorch() {
        double[] x = new double[19];                     // zeros, longer than one vector so both paths run
        double[] g = new double[19];
        Arrays.fill(g, 2);
        for (boolean scalar : new boolean[]{true, false}) {
            for (DType dt : DTYPES) {
                withScalar(scalar, () -> {
                    try (Scope s = Scope.open()) {
                        NDArray xa = array(dt, x, 19);
                        NDArray ga = array(dt, g, 19);
                        double[] relu = Ops.unaryBackward(UnaryOp.RELU, 0, xa, xa, ga).toDoubleArray();
                        double[] abs = Ops.unaryBackward(UnaryOp.ABS, 0, xa, xa, ga).toDoubleArray();
                        double[] leaky = Ops.unaryBackward(UnaryOp.LEAKY_RELU, LEAKY_SLOPE, xa, xa, ga).toDoubleArray();
                        for (int i = 0; i < 19; i++) {
                            assertEquals(0, relu[i], "relu'(0)");
                            assertEquals(0, abs[i], "abs'(0)");
                            assertEquals(2 * LEAKY_SLOPE, leaky[i], 1e-7, "leakyRelu'(0)");
                        }
                        double[] nan = new double[19];
                        Arrays.fill(nan, Double.NaN);
                        double[] relu0 = Ops.unary(UnaryOp.RELU, array(dt, nan, 19)).toDoubleArray();
                        double[] sign = Ops.unary(UnaryOp.SIGN, array(dt, nan, 19)).toDoubleArray();
                        for (int i = 0; i < 19; i++) {
                            assertEquals(0, relu0[i], "relu(NaN) is 0, as in the enum");
                            assertTrue(Double.isNaN(sign[i]), "sign(NaN) is NaN");
                        }
                    }
                    return null;
                });
            }
        }
    }

    // ---- binary ----

    @Test
    void binaryForwardAndBackwardMatchGoldenForEveryOpAndBroadcast() {
        Random r = new Random(2);
        for (BinaryOp op : BinaryOp.values()) {
            Fn3 f = (a, b, c) -> binaryRef(op, a, b);
            boolean step = op == BinaryOp.GT || op == BinaryOp.LT || op == BinaryOp.EQ;
            for (int[][] shapes : BROADCASTS) {
                for (int swap = 0; swap < 2; swap++) {
                    int[][] in = swap == 0 ? shapes : new int[][]{shapes[1], shapes[0]};
                    int[] out = broadcastDims(in);
                    double[] a = inputs(size(in[0]), r, rr -> binaryInput(op, 0, rr));
                    double[] b = inputs(size(in[1]), r, rr -> binaryInput(op, 1, rr));
                    double[] g = inputs(size(out), r, rr -> uniform(rr, -1, 1));
                    double[] y = broadcastRef(out, in, new double[][]{a, b}, f);
                    double[][] grads = new double[2][];
                    for (int k = 0; k < 2; k++) {
                        int kk = k;
                        double[] d = broadcastRef(out, in, new double[][]{a, b},
                                (va, vb, vc) -> step ? 0 : partial(f, kk, va, vb, 0));
                        for (int i = 0; i < d.length; i++) d[i] *= g[i];
                        grads[k] = d;
                    }
                    for (DType dt : DTYPES) {
                        try (Scope s = Scope.open()) {
                            NDArray aa = array(dt, a, in[0]);
                            NDArray ba = array(dt, b, in[1]);
                            NDArray ga = array(dt, g, out);
                            String what = op + " " + Arrays.toString(in[0]) + " " + Arrays.toString(in[1]);
                            NDArray result = Ops.binary(op, aa, ba);
                            assertEquals(Shape.of(out), result.shape(), what);
                            assertClose(what, dt, y, result, false);
                            for (int k = 0; k < 2; k++) {
                                assertClose(what + " d" + k, dt, grads[k], Ops.binaryBackward(op, k, aa, ba, ga), true);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void maxAndMinSplitTiesAndComparisonsAreExact() {
        double[] a = {1, 2, 3, -1, 0.5, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7};
        double[] b = {1, 1, 4, -1, 0.5, 7, 6, 8, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 9};
        double[] g = new double[a.length];
        Arrays.fill(g, 1);
        for (boolean scalar : new boolean[]{true, false}) {
            for (DType dt : DTYPES) {
                withScalar(scalar, () -> {
                    try (Scope s = Scope.open()) {
                        NDArray aa = array(dt, a, a.length);
                        NDArray ba = array(dt, b, b.length);
                        NDArray ga = array(dt, g, g.length);
                        double[] dMaxA = Ops.binaryBackward(BinaryOp.MAX, 0, aa, ba, ga).toDoubleArray();
                        double[] dMaxB = Ops.binaryBackward(BinaryOp.MAX, 1, aa, ba, ga).toDoubleArray();
                        double[] dMinA = Ops.binaryBackward(BinaryOp.MIN, 0, aa, ba, ga).toDoubleArray();
                        double[] eq = Ops.binary(BinaryOp.EQ, aa, ba).toDoubleArray();
                        double[] gt = Ops.binary(BinaryOp.GT, aa, ba).toDoubleArray();
                        for (int i = 0; i < a.length; i++) {
                            double expectA = a[i] > b[i] ? 1 : a[i] == b[i] ? 0.5 : 0;
                            assertEquals(expectA, dMaxA[i], "dmax/da at " + i);
                            assertEquals(1 - expectA, dMaxB[i], "dmax/db at " + i);
                            assertEquals(a[i] == b[i] ? 0.5 : 1 - expectA, dMinA[i], "dmin/da at " + i);
                            assertEquals(a[i] == b[i] ? 1 : 0, eq[i], "eq at " + i);
                            assertEquals(a[i] > b[i] ? 1 : 0, gt[i], "gt at " + i);
                        }
                    }
                    return null;
                });
            }
        }
    }

    // ---- ternary ----

    @Test
    void ternaryForwardAndBackwardMatchGoldenForEveryOpAndBroadcast() {
        int[][][] cases = {
                {{3, 5, 7}, {3, 5, 7}, {3, 5, 7}},
                {{2, 3, 4, 5}, {1, 3, 1, 1}, {3, 1, 1}},   // a mask with per-channel a and b
                {{2, 1, 4, 5}, {2, 3, 4, 5}, {}},          // mask broadcast over channels, scalar b
                {{}, {37}, {1}},
                {{5, 1}, {1, 6}, {6}},
        };
        Random r = new Random(3);
        for (TernaryOp op : TernaryOp.values()) {
            Fn3 f = (x, a, b) -> ternaryRef(op, x, a, b);
            for (int[][] in : cases) {
                int[] out = broadcastDims(in);
                double[][] v = new double[3][];
                for (int k = 0; k < 3; k++) {
                    int kk = k;
                    v[k] = inputs(size(in[k]), r, rr -> ternaryInput(op, kk, rr));
                }
                double[] g = inputs(size(out), r, rr -> uniform(rr, -1, 1));
                double[] y = broadcastRef(out, in, v, f);
                for (DType dt : DTYPES) {
                    try (Scope s = Scope.open()) {
                        NDArray x = array(dt, v[0], in[0]);
                        NDArray a = array(dt, v[1], in[1]);
                        NDArray b = array(dt, v[2], in[2]);
                        NDArray ga = array(dt, g, out);
                        String what = op + " " + Arrays.deepToString(in);
                        assertClose(what, dt, y, Ops.ternary(op, x, a, b), false);
                        for (int k = 0; k < 3; k++) {
                            int kk = k;
                            double[] d = broadcastRef(out, in, v, (p0, p1, p2) -> partial(f, kk, p0, p1, p2));
                            for (int i = 0; i < d.length; i++) d[i] *= g[i];
                            assertClose(what + " d" + k, dt, d, Ops.ternaryBackward(op, k, x, a, b, ga), true);
                        }
                    }
                }
            }
        }
    }

    // ---- the Vector API path against the scalar path ----

    /** Forward ops whose F32 result is exact in both paths (one correctly rounded operation or none). */
    /**
     * Unary forwards that agree bitwise on both paths; every binary forward does. The transcendental ones are here
     * too: they have no lanewise form, so both paths run the scalar definition.
     */
    private static final Set<UnaryOp> EXACT_UNARY = EnumSet.of(UnaryOp.NEG, UnaryOp.ABS, UnaryOp.SIGN,
            UnaryOp.SQUARE, UnaryOp.SQRT, UnaryOp.RECIPROCAL, UnaryOp.RELU, UnaryOp.ADD_SCALAR, UnaryOp.MUL_SCALAR,
            UnaryOp.EXP, UnaryOp.LOG, UnaryOp.TANH, UnaryOp.SIGMOID, UnaryOp.SOFTPLUS, UnaryOp.POW_SCALAR);

    /** Large enough to split into parallel chunks in the middle of inner runs, and not a multiple of 16. */
    private static final int[][][] LARGE = {
            {{3, 16, 37, 41}, {16, 1, 1}},
            {{70_001}, {}},
            {{3, 16, 37, 41}, {3, 16, 37, 41}},
            {{601, 1, 3}, {1, 37, 3}},
    };

    @Test
    void vectorPathMatchesScalarPathForEveryOp() {
        Random r = new Random(4);
        for (UnaryOp op : UnaryOp.values()) {
            double p = param(op) == LEAKY_SLOPE ? 0.25 : param(op);   // exact in float, so EXACT_UNARY can be bitwise
            int[] dims = {3, 16, 37, 41};
            double[] x = inputs(size(dims), r, rr -> unaryInput(op, rr));
            double[] g = inputs(size(dims), r, rr -> uniform(rr, -1, 1));
            compareVectorWithScalar(op + "", EXACT_UNARY.contains(op), () -> {
                NDArray xa = array(DType.F32, x, dims);
                NDArray y = Ops.unary(op, p, xa);
                return new NDArray[]{y, Ops.unaryBackward(op, p, xa, y, array(DType.F32, g, dims))};
            });
        }
        for (BinaryOp op : BinaryOp.values()) {
            for (int[][] in : LARGE) {
                int[] out = broadcastDims(in);
                double[] a = inputs(size(in[0]), r, rr -> binaryInput(op, 0, rr));
                double[] b = inputs(size(in[1]), r, rr -> binaryInput(op, 1, rr));
                double[] g = inputs(size(out), r, rr -> uniform(rr, -1, 1));
                compareVectorWithScalar(op + " " + Arrays.deepToString(in), true, () -> {
                    NDArray aa = array(DType.F32, a, in[0]);
                    NDArray ba = array(DType.F32, b, in[1]);
                    NDArray ga = array(DType.F32, g, out);
                    return new NDArray[]{Ops.binary(op, aa, ba), Ops.binaryBackward(op, 0, aa, ba, ga),
                            Ops.binaryBackward(op, 1, aa, ba, ga)};
                });
            }
        }
        int[][] in = {{3, 1, 37, 41}, {3, 16, 37, 41}, {16, 1, 1}};
        int[] out = broadcastDims(in);
        for (TernaryOp op : TernaryOp.values()) {
            double[][] v = new double[3][];
            for (int k = 0; k < 3; k++) {
                int kk = k;
                v[k] = inputs(size(in[k]), r, rr -> ternaryInput(op, kk, rr));
            }
            double[] g = inputs(size(out), r, rr -> uniform(rr, -1, 1));
            compareVectorWithScalar(op + "", op == TernaryOp.WHERE, () -> {
                NDArray x = array(DType.F32, v[0], in[0]);
                NDArray a = array(DType.F32, v[1], in[1]);
                NDArray b = array(DType.F32, v[2], in[2]);
                NDArray ga = array(DType.F32, g, out);
                return new NDArray[]{Ops.ternary(op, x, a, b), Ops.ternaryBackward(op, 0, x, a, b, ga),
                        Ops.ternaryBackward(op, 1, x, a, b, ga), Ops.ternaryBackward(op, 2, x, a, b, ga)};
            });
        }
    }

    /**
     * The same call gives the same bits before and after C2 compiles its loop (the Vector API's transcendental
     * intrinsics and their interpreted fallback differ in the last bit, which once made training runs diverge).
     */
    @Test
    void repeatedCallsAreBitIdenticalOnceTheJitHasCompiledThem() {
        Random r = new Random(5);
        int[] dims = {8192};
        for (UnaryOp op : UnaryOp.values()) {
            double p = param(op);
            double[] x = inputs(size(dims), r, rr -> unaryInput(op, rr));
            double[] g = inputs(size(dims), r, rr -> uniform(rr, -1, 1));
            assertRepeatable(op + "", () -> {
                NDArray xa = array(DType.F32, x, dims);
                NDArray y = Ops.unary(op, p, xa);
                return new NDArray[]{y, Ops.unaryBackward(op, p, xa, y, array(DType.F32, g, dims))};
            });
        }
        for (BinaryOp op : BinaryOp.values()) {
            double[] a = inputs(size(dims), r, rr -> binaryInput(op, 0, rr));
            double[] b = inputs(size(dims), r, rr -> binaryInput(op, 1, rr));
            double[] g = inputs(size(dims), r, rr -> uniform(rr, -1, 1));
            assertRepeatable(op + "", () -> {
                NDArray aa = array(DType.F32, a, dims);
                NDArray ba = array(DType.F32, b, dims);
                NDArray ga = array(DType.F32, g, dims);
                return new NDArray[]{Ops.binary(op, aa, ba), Ops.binaryBackward(op, 0, aa, ba, ga),
                        Ops.binaryBackward(op, 1, aa, ba, ga)};
            });
        }
    }

    private static void assertRepeatable(String what, Supplier<NDArray[]> body) {
        double[][] first = withScalar(false, () -> download(body));
        for (int rep = 1; rep < 400; rep++) {
            double[][] again = withScalar(false, () -> download(body));
            for (int k = 0; k < first.length; k++) {
                if (!Arrays.equals(first[k], again[k])) {
                    fail(what + " result " + k + ": call " + rep + " differs from the first call in some bits");
                }
            }
        }
    }

    /**
     * Runs {@code body} on both paths. Result 0 (the forward value) must agree bitwise when {@code exactForward};
     * everything else within a relative 2e-6 (a lanewise form rounds in float where the scalar definition works in
     * double).
     */
    private static void compareVectorWithScalar(String what, boolean exactForward, Supplier<NDArray[]> body) {
        double[][] scalar = withScalar(true, () -> download(body));
        double[][] vector = withScalar(false, () -> download(body));
        for (int k = 0; k < scalar.length; k++) {
            String name = what + " result " + k;
            if (k == 0 && exactForward) {
                for (int i = 0; i < scalar[k].length; i++) {
                    if (Double.compare(scalar[k][i], vector[k][i]) != 0) {
                        fail(name + ": element " + i + " is " + vector[k][i] + " on the vector path, "
                                + scalar[k][i] + " on the scalar path");
                    }
                }
            } else {
                assertClose(name, scalar[k], vector[k], 2e-6, 2e-6);
            }
        }
    }

    private static double[][] download(Supplier<NDArray[]> body) {
        try (Scope s = Scope.open()) {
            NDArray[] results = body.get();
            double[][] host = new double[results.length][];
            for (int k = 0; k < results.length; k++) host[k] = results[k].toDoubleArray();
            return host;
        }
    }

    @Test
    void largeBroadcastsMatchGoldenInBothPaths() {
        Random r = new Random(5);
        for (int[][] in : LARGE) {
            int[] out = broadcastDims(in);
            double[] a = inputs(size(in[0]), r, rr -> uniform(rr, -3, 3));
            double[] b = inputs(size(in[1]), r, rr -> uniform(rr, -3, 3));
            double[] expected = broadcastRef(out, in, new double[][]{a, b}, (x, y, z) -> x * y);
            for (boolean scalar : new boolean[]{true, false}) {
                for (DType dt : DTYPES) {
                    withScalar(scalar, () -> {
                        // Twice in one scope: the second output is a pooled buffer holding the first one's values.
                        try (Scope s = Scope.open()) {
                            NDArray aa = array(dt, a, in[0]);
                            NDArray ba = array(dt, b, in[1]);
                            try (NDArray first = Ops.binary(BinaryOp.ADD, aa, ba)) {
                                assertEquals(Shape.of(out), first.shape());
                            }
                            assertClose("mul " + Arrays.deepToString(in), dt, expected, Ops.binary(BinaryOp.MUL, aa, ba), false);
                        }
                        return null;
                    });
                }
            }
        }
    }

    // ---- the broadcast plan ----

    @Test
    void planMergesDimensionsThatWalkTogether() {
        assertPlan(1, false, false, new int[]{3, 5, 7}, new int[]{3, 5, 7});
        assertPlan(1, false, true, new int[]{37}, new int[]{});
        assertPlan(3, false, true, new int[]{2, 3, 4, 5}, new int[]{1, 3, 1, 1});
        assertPlan(3, false, true, new int[]{2, 3, 4, 5}, new int[]{3, 1, 1});
        assertPlan(2, false, true, new int[]{2, 3, 4, 5}, new int[]{2, 3, 1, 1});
        assertPlan(2, false, false, new int[]{2, 3, 18}, new int[]{18});
        assertPlan(2, true, false, new int[]{5, 1}, new int[]{1, 6});
        assertPlan(1, false, true, new int[]{1, 4, 1, 9}, new int[]{1});
    }

    private static void assertPlan(int rank, boolean c0, boolean c1, int[] a, int[] b) {
        Shape out = Shape.broadcast("plan", Shape.of(a), Shape.of(b));
        ElementwiseWalk walk = new ElementwiseWalk(out, Shape.of(a), Shape.of(b));
        String what = Arrays.toString(a) + " " + Arrays.toString(b);
        assertEquals(rank, walk.mergedRank(), what + ": merged rank");
        assertEquals(c0, walk.constantInner(0), what + ": input 0 constant");
        assertEquals(c1, walk.constantInner(1), what + ": input 1 constant");
    }

    @Test
    void emptyArraysProduceEmptyResults() {
        for (DType dt : DTYPES) {
            try (Scope s = Scope.open()) {
                NDArray a = array(dt, new double[0], 0, 3);
                NDArray b = array(dt, new double[]{1, 2, 3}, 3);
                assertEquals(Shape.of(0, 3), Ops.binary(BinaryOp.ADD, a, b).shape());
                assertEquals(0, Ops.unary(UnaryOp.EXP, a).size());
            }
        }
    }
}
