package dev.unetgan.nn;

import dev.unetgan.autograd.GradCheck;
import dev.unetgan.autograd.NoGrad;
import dev.unetgan.autograd.Tensor;
import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Ops;
import dev.unetgan.tensor.Scope;
import dev.unetgan.tensor.Shape;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Shared helpers of the nn tests. */
public final class NnTesting {
    private NnTesting() {
    }

    /**
     * {@code sin(0.37·i + offset)·scale} for {@code i = 0..n-1}: the deterministic inputs that the golden values in
     * the tests were computed from with PyTorch 1.13 (the same formula in Python, F64).
     */
    public static double[] seq(int n, double scale, double offset) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = Math.sin(0.37 * i + offset) * scale;
        }
        return v;
    }

    /** {@link #seq} as an array of the given dtype and shape. */
    public static NDArray seqArray(DType dtype, double scale, double offset, int... dims) {
        return of(seq(Shape.of(dims).sizeAsInt(), scale, offset), dtype, dims);
    }

    /** {@code values} as an F64 or F32 CPU array. */
    public static NDArray of(double[] values, DType dtype, int... dims) {
        if (dtype == DType.F64) {
            return NDArray.of(values, dims);
        }
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) f[i] = (float) values[i];
        return NDArray.of(f, dims);
    }

    /** Elementwise {@code |a - e| <= tol·(1 + |e|)}, naming the first bad index. */
    public static void assertClose(double[] expected, NDArray actual, double tol) {
        double[] a = actual.toDoubleArray();
        assertEquals(expected.length, a.length, "element count");
        for (int i = 0; i < a.length; i++) {
            double e = expected[i];
            if (!(Math.abs(a[i] - e) <= tol * (1 + Math.abs(e)))) {
                throw new AssertionError("element " + i + ": expected " + e + ", got " + a[i] + " (tol " + tol + ")");
            }
        }
    }

    /** A bit-exact snapshot of a module's state, for "unchanged" checks. */
    public static Map<String, double[]> snapshot(Module m) {
        Map<String, double[]> out = new java.util.LinkedHashMap<>();
        m.stateDict().forEach((k, v) -> out.put(k, v.toDoubleArray()));
        return out;
    }

    /** Asserts that {@code m}'s state equals {@code before} bit for bit. */
    public static void assertUnchanged(Map<String, double[]> before, Module m) {
        Map<String, double[]> now = snapshot(m);
        assertEquals(before.keySet(), now.keySet());
        before.forEach((k, v) -> assertArrayEquals(v, now.get(k), 0.0, k));
    }

    /**
     * Gradient check of a whole module in F64: the input's gradient through {@link GradCheck}, and every
     * parameter's gradient (the module's own leaves, as an optimizer sees them) against central differences of
     * {@code L = Σ forward(x)·r} with a random {@code r}, perturbing the parameter values in place (and restoring
     * them). Same step and tolerances as {@link GradCheck}.
     */
    public static void checkModule(String name, Module module, Function<Tensor, Tensor> forward, NDArray x) {
        GradCheck.check(name + " (input)", in -> forward.apply(in.get(0)), x);
        if (module.parameters().isEmpty()) {
            return;
        }
        try (Scope scope = Scope.open()) {
            // x as a leaf too, so that a parameter cut off from the graph shows up as a zero gradient, not an error
            Tensor y = forward.apply(Tensor.parameter(Ops.copy(x)));
            double[] r = new SplittableRandom(99).doubles(y.value().size(), -1, 1).toArray();
            module.zeroGrad();
            y.backward(NDArray.of(r, y.shape().dims()));
            for (Map.Entry<String, Tensor> e : module.namedParameters().entrySet()) {
                Tensor p = e.getValue();
                double[] analytic = p.grad() == null ? new double[(int) p.value().size()] : p.grad().toDoubleArray();
                double[] point = p.value().toDoubleArray();
                for (int j = 0; j < point.length; j++) {
                    double saved = point[j];
                    point[j] = saved + GradCheck.EPS;
                    double plus = loss(module, forward, x, r, p, point);
                    point[j] = saved - GradCheck.EPS;
                    double minus = loss(module, forward, x, r, p, point);
                    point[j] = saved;
                    set(p, point);
                    double numeric = (plus - minus) / (2 * GradCheck.EPS);
                    if (!(Math.abs(analytic[j] - numeric) <= GradCheck.ATOL + GradCheck.RTOL * Math.abs(numeric))) {
                        throw new AssertionError(name + ": parameter " + e.getKey() + " element " + j + ": analytic "
                                + analytic[j] + ", numeric " + numeric);
                    }
                }
            }
            module.zeroGrad();
        }
    }

    private static double loss(Module m, Function<Tensor, Tensor> forward, NDArray x, double[] r, Tensor p, double[] point) {
        set(p, point);
        try (Scope scope = Scope.open(); NoGrad ng = NoGrad.enter()) {
            double[] y = forward.apply(Tensor.of(x)).value().toDoubleArray();
            double s = 0;
            for (int i = 0; i < y.length; i++) s += y[i] * r[i];
            return s;
        }
    }

    private static void set(Tensor p, double[] values) {
        try (Scope scope = Scope.open()) {
            Ops.copyInto(NDArray.of(values, p.shape().dims()), p.value());
        }
    }

    /** Every parameter and buffer of {@code m} closed? */
    public static boolean allClosed(Module m) {
        return m.stateDict().values().stream().allMatch(NDArray::isClosed)
                && m.parameters().stream().allMatch(t -> t.value().isClosed());
    }

    static List<String> keys(Map<String, ?> m) {
        return List.copyOf(m.keySet());
    }
}
