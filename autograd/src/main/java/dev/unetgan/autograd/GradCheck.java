package dev.unetgan.autograd;

import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Scope;
import dev.unetgan.tensor.Shape;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Checks a function's analytic gradients against central differences, in F64 (DESIGN.md §5). With a random
 * upstream gradient {@code r} (so that "multiplies by gradOut" is tested too), the scalar checked is
 * {@code L(x) = Σ f(x)·r}; for every element {@code j} of every input {@code i}, the analytic {@code dL/dx_i[j]}
 * from {@link Tensor#backward(NDArray)} must match {@code (L(x + eps·e_j) - L(x - eps·e_j)) / 2eps} within
 * {@code |a - n| <= atol + rtol·|n|}. Failures throw {@link AssertionError} naming the op, the input, the element
 * and both values. Usable from any module's tests; the inputs should be kept away from kinks.
 */
public final class GradCheck {
    /** Finite-difference step. */
    public static final double EPS = 1e-6;
    /** Default absolute tolerance. */
    public static final double ATOL = 1e-5;
    /** Default relative tolerance. */
    public static final double RTOL = 1e-3;

    private GradCheck() {
    }

    /** The function under test: differentiable inputs in, one output out. */
    @FunctionalInterface
    public interface Fn {
        Tensor apply(List<Tensor> inputs);
    }

    /** Checks {@code fn} at {@code inputs} (F64) with the default tolerances. */
    public static void check(String op, Fn fn, NDArray... inputs) {
        check(op, fn, ATOL, RTOL, 1234, inputs);
    }

    /**
     * Checks {@code fn} at {@code inputs} (F64 arrays, not modified) with tolerances {@code atol}, {@code rtol};
     * {@code seed} picks the upstream gradient.
     */
    public static void check(String op, Fn fn, double atol, double rtol, long seed, NDArray... inputs) {
        Point p = new Point(op, inputs);
        try (Scope scope = Scope.open()) {
            double[] upstream = p.upstream(fn, seed);
            double[][] analytic = p.analytic(fn, upstream);
            for (int i = 0; i < inputs.length; i++) {
                for (int j = 0; j < p.values[i].length; j++) {
                    double saved = p.values[i][j];
                    p.values[i][j] = saved + EPS;
                    double plus = loss(fn, p.values, p.shapes, upstream);
                    p.values[i][j] = saved - EPS;
                    double minus = loss(fn, p.values, p.shapes, upstream);
                    p.values[i][j] = saved;
                    double numeric = (plus - minus) / (2 * EPS);
                    double a = analytic[i][j];
                    if (!(Math.abs(a - numeric) <= atol + rtol * Math.abs(numeric))) {
                        throw new AssertionError(String.format(
                                "gradcheck %s: input %d %s, element %d %s: analytic %.10g, numeric %.10g (atol %g, rtol %g)",
                                op, i, p.shapes[i], j, Arrays.toString(unravel(j, p.shapes[i])), a, numeric, atol, rtol));
                    }
                }
            }
        }
    }

    /**
     * The cheap form for large functions (a whole model): instead of every element, {@code directions} random unit
     * directions {@code v} in the joint space of all inputs, each checking the directional derivative
     * {@code Σ_i <dL/dx_i, v_i>} against {@code (L(x + eps·v) - L(x - eps·v)) / 2eps} with the default tolerances.
     * Two evaluations per direction, whatever the input size; a wrong gradient anywhere shows up in almost every
     * random direction.
     */
    public static void checkDirections(String op, Fn fn, int directions, long seed, NDArray... inputs) {
        Point p = new Point(op, inputs);
        SplittableRandom rnd = new SplittableRandom(seed ^ 0x5DEECE66DL);
        try (Scope scope = Scope.open()) {
            double[] upstream = p.upstream(fn, seed);
            double[][] analytic = p.analytic(fn, upstream);
            for (int d = 0; d < directions; d++) {
                double[][] v = new double[inputs.length][];
                double norm = 0;
                for (int i = 0; i < inputs.length; i++) {
                    v[i] = rnd.doubles(p.values[i].length, -1, 1).toArray();
                    for (double e : v[i]) {
                        norm += e * e;
                    }
                }
                double expected = 0;
                double[][] plus = new double[inputs.length][], minus = new double[inputs.length][];
                for (int i = 0; i < inputs.length; i++) {
                    plus[i] = p.values[i].clone();
                    minus[i] = p.values[i].clone();
                    for (int j = 0; j < v[i].length; j++) {
                        v[i][j] /= Math.sqrt(norm);
                        plus[i][j] += EPS * v[i][j];
                        minus[i][j] -= EPS * v[i][j];
                        expected += analytic[i][j] * v[i][j];
                    }
                }
                double numeric = (loss(fn, plus, p.shapes, upstream) - loss(fn, minus, p.shapes, upstream)) / (2 * EPS);
                if (!(Math.abs(expected - numeric) <= ATOL + RTOL * Math.abs(numeric))) {
                    throw new AssertionError(String.format(
                            "gradcheck %s: direction %d: analytic %.10g, numeric %.10g (atol %g, rtol %g)",
                            op, d, expected, numeric, ATOL, RTOL));
                }
            }
        }
    }

    /** The F64 point of a check: each input's values (perturbed in place) and shape. */
    private static final class Point {
        final String op;
        final double[][] values;
        final Shape[] shapes;

        Point(String op, NDArray[] inputs) {
            this.op = op;
            values = new double[inputs.length][];
            shapes = new Shape[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                NDArray x = inputs[i];
                x.checkOpen("gradcheck " + op);
                if (x.dtype() != DType.F64) {
                    throw new IllegalArgumentException("gradcheck " + op + ": inputs must be F64, got " + x.dtype()
                            + " " + x.shape());
                }
                values[i] = x.toDoubleArray();
                shapes[i] = x.shape();
            }
        }

        /** The random upstream gradient {@code r} in [-1, 1), sized from one evaluation of {@code fn}. */
        double[] upstream(Fn fn, long seed) {
            int n;
            try (Scope scope = Scope.open(); NoGrad ng = NoGrad.enter()) {
                n = Math.toIntExact(fn.apply(leaves(false)).value().size());
            }
            return new SplittableRandom(seed).doubles(n, -1, 1).toArray();
        }

        /** {@code dL/dx_i} for every input, by one backward of {@code r}. */
        double[][] analytic(Fn fn, double[] upstream) {
            List<Tensor> leaves = leaves(true);
            Tensor y = fn.apply(leaves);
            if (!y.requiresGrad()) {
                throw new AssertionError("gradcheck " + op + ": the output " + y.shape() + " does not require grad");
            }
            y.backward(NDArray.of(upstream, y.shape().dims()));
            double[][] grads = new double[values.length][];
            for (int i = 0; i < values.length; i++) {
                NDArray g = leaves.get(i).grad();
                grads[i] = g == null ? new double[values[i].length] : g.toDoubleArray();
            }
            return grads;
        }

        private List<Tensor> leaves(boolean grad) {
            List<Tensor> out = new ArrayList<>(values.length);
            for (int i = 0; i < values.length; i++) {
                NDArray a = NDArray.of(values[i], shapes[i].dims());
                out.add(grad ? Tensor.parameter(a) : Tensor.of(a));
            }
            return out;
        }
    }

    /** {@code Σ f(x)·r} at the point, without recording a graph; all temporaries freed. */
    private static double loss(Fn fn, double[][] points, Shape[] shapes, double[] upstream) {
        try (Scope scope = Scope.open(); NoGrad ng = NoGrad.enter()) {
            List<Tensor> xs = new ArrayList<>(points.length);
            for (int i = 0; i < points.length; i++) {
                xs.add(Tensor.of(NDArray.of(points[i], shapes[i].dims())));
            }
            double[] y = fn.apply(xs).value().toDoubleArray();
            double sum = 0;
            for (int k = 0; k < y.length; k++) {
                sum += y[k] * upstream[k];
            }
            return sum;
        }
    }

    private static int[] unravel(int flat, Shape shape) {
        int[] idx = new int[shape.rank()];
        for (int d = shape.rank() - 1; d >= 0; d--) {
            idx[d] = flat % shape.dim(d);
            flat /= shape.dim(d);
        }
        return idx;
    }
}
