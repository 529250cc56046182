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
        for (NDArray x : inputs) {
            x.checkOpen("gradcheck " + op);
            if (x.dtype() != DType.F64) {
                throw new IllegalArgumentException("gradcheck " + op + ": inputs must be F64, got " + x.dtype() + " " + x.shape());
            }
        }
        double[][] points = new double[inputs.length][];
        Shape[] shapes = new Shape[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            points[i] = inputs[i].toDoubleArray();
            shapes[i] = inputs[i].shape();
        }
        try (Scope scope = Scope.open()) {
            double[] upstream;
            double[][] analytic = new double[inputs.length][];
            List<Tensor> leaves = new ArrayList<>();
            for (int i = 0; i < inputs.length; i++) {
                leaves.add(Tensor.parameter(NDArray.of(points[i], shapes[i].dims())));
            }
            Tensor y = fn.apply(leaves);
            if (!y.requiresGrad()) {
                throw new AssertionError("gradcheck " + op + ": the output " + y.shape() + " does not require grad");
            }
            upstream = new SplittableRandom(seed).doubles(y.value().size(), -1, 1).toArray();
            y.backward(NDArray.of(upstream, y.shape().dims()));
            for (int i = 0; i < inputs.length; i++) {
                NDArray g = leaves.get(i).grad();
                analytic[i] = g == null ? new double[points[i].length] : g.toDoubleArray();
            }
            for (int i = 0; i < inputs.length; i++) {
                for (int j = 0; j < points[i].length; j++) {
                    double saved = points[i][j];
                    points[i][j] = saved + EPS;
                    double plus = loss(fn, points, shapes, upstream);
                    points[i][j] = saved - EPS;
                    double minus = loss(fn, points, shapes, upstream);
                    points[i][j] = saved;
                    double numeric = (plus - minus) / (2 * EPS);
                    double a = analytic[i][j];
                    if (!(Math.abs(a - numeric) <= atol + rtol * Math.abs(numeric))) {
                        throw new AssertionError(String.format(
                                "gradcheck %s: input %d %s, element %d %s: analytic %.10g, numeric %.10g (atol %g, rtol %g)",
                                op, i, shapes[i], j, Arrays.toString(unravel(j, shapes[i])), a, numeric, atol, rtol));
                    }
                }
            }
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
