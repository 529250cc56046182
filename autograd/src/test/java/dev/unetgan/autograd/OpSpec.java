package dev.unetgan.autograd;

import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Shape;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One row of the shared op table (DESIGN.md §5): a named function of differentiable inputs with their shapes and
 * sampling domains, and the tolerances for comparing its gradients. The same rows drive the F64 gradient check here,
 * the CUDA-vs-CPU parity checks and the Vector-vs-scalar checks in other modules.
 *
 * @param name    unique, for test names and failure messages
 * @param shapes  the shape of each input
 * @param domains the sampling domain of each input
 * @param fn      the function: input tensors to one output tensor
 * @param atol    absolute tolerance
 * @param rtol    relative tolerance
 */
public record OpSpec(String name, List<Shape> shapes, List<Domain> domains, GradCheck.Fn fn, double atol, double rtol) {

    public OpSpec {
        if (shapes.size() != domains.size()) {
            throw new IllegalArgumentException(name + ": " + shapes.size() + " shapes but " + domains.size() + " domains");
        }
    }

    /** A row whose inputs all share one domain, with the default gradient-check tolerances. */
    public static OpSpec of(String name, Domain domain, GradCheck.Fn fn, Shape... shapes) {
        return new OpSpec(name, List.of(shapes), java.util.Collections.nCopies(shapes.length, domain), fn,
                GradCheck.ATOL, GradCheck.RTOL);
    }

    /** A row with one domain per input, with the default gradient-check tolerances. */
    public static OpSpec of(String name, List<Domain> domains, GradCheck.Fn fn, Shape... shapes) {
        return new OpSpec(name, List.of(shapes), domains, fn, GradCheck.ATOL, GradCheck.RTOL);
    }

    /** Sample inputs, as host arrays, reproducibly from {@code seed}. */
    public double[][] sample(long seed) {
        SplittableRandom rng = new SplittableRandom(seed ^ name.hashCode());
        double[][] values = new double[shapes.size()][];
        int distinct = 0;
        for (int i = 0; i < shapes.size(); i++) {
            values[i] = new double[shapes.get(i).sizeAsInt()];
            if (domains.get(i) == Domain.DISTINCT) {
                distinct += values[i].length;
            } else {
                domains.get(i).fill(values[i], rng);
            }
        }
        if (distinct > 0) {
            List<Double> grid = new ArrayList<>(distinct);
            for (int k = 0; k < distinct; k++) {
                grid.add((k - distinct / 2.0) * 0.05 + 0.013);
            }
            java.util.Collections.shuffle(grid, new java.util.Random(rng.nextLong()));
            int next = 0;
            for (int i = 0; i < shapes.size(); i++) {
                if (domains.get(i) == Domain.DISTINCT) {
                    for (int k = 0; k < values[i].length; k++) {
                        values[i][k] = grid.get(next++);
                    }
                }
            }
        }
        return values;
    }

    /** Sampled inputs as F64 CPU arrays (owned by the caller, or the current scope). */
    public NDArray[] inputsF64(long seed) {
        double[][] values = sample(seed);
        NDArray[] arrays = new NDArray[values.length];
        for (int i = 0; i < values.length; i++) {
            arrays[i] = NDArray.of(values[i], shapes.get(i).dims());
        }
        return arrays;
    }

    /** The same sampled inputs as F32 CPU arrays. */
    public NDArray[] inputsF32(long seed) {
        double[][] values = sample(seed);
        NDArray[] arrays = new NDArray[values.length];
        for (int i = 0; i < values.length; i++) {
            float[] f = new float[values[i].length];
            for (int k = 0; k < f.length; k++) {
                f[k] = (float) values[i][k];
            }
            arrays[i] = NDArray.of(f, shapes.get(i).dims());
        }
        return arrays;
    }

    @Override
    public String toString() {
        return name + " " + Arrays.toString(shapes.toArray());
    }
}
