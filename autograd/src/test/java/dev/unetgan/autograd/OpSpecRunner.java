package dev.unetgan.autograd;

import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Ops;
import dev.unetgan.tensor.Scope;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs an {@link OpSpec} row forward and backward on whatever device its inputs are on, and compares two runs. Shared
 * by the F32-vs-F64 checks here and the CUDA-vs-CPU parity checks of module kernels.
 */
public final class OpSpecRunner {
    private static final int MAX_REPORTED = 5;

    private OpSpecRunner() {
    }

    /**
     * The forward value, then each input's gradient (zeros where none), flattened as doubles. The upstream gradient
     * is a fixed pseudo-random array, made on the output's device in its dtype.
     */
    public static List<double[]> run(OpSpec spec, NDArray[] inputs) {
        List<double[]> out = new ArrayList<>();
        try (Scope scope = Scope.open()) {
            List<Tensor> leaves = new ArrayList<>();
            for (NDArray x : inputs) {
                leaves.add(Tensor.parameter(x));
            }
            Tensor y = spec.fn().apply(leaves);
            out.add(y.value().toDoubleArray());
            double[] r = new SplittableRandom(11).doubles(y.value().size(), -1, 1).toArray();
            NDArray upstream = NDArray.of(r, y.shape().dims());
            if (upstream.dtype() != y.dtype()) {
                upstream = Ops.cast(upstream, y.dtype());
            }
            if (!upstream.device().equals(y.device())) {
                upstream = upstream.to(y.device());
            }
            y.backward(upstream);
            for (int i = 0; i < inputs.length; i++) {
                NDArray g = leaves.get(i).grad();
                out.add(g == null ? new double[(int) inputs[i].size()] : g.toDoubleArray());
            }
        }
        return out;
    }

    /**
     * Fails unless every element satisfies {@code |a - e| <= atol + rtol·|e|}, listing the first mismatches of the
     * first output that has any, with their flat index.
     */
    public static void compare(String what, List<double[]> actual, List<double[]> expected, double atol, double rtol) {
        for (int k = 0; k < expected.size(); k++) {
            double[] a = actual.get(k), e = expected.get(k);
            StringBuilder report = new StringBuilder();
            int bad = 0;
            for (int j = 0; j < e.length; j++) {
                if (!(Math.abs(a[j] - e[j]) <= atol + rtol * Math.abs(e[j]))) {
                    if (bad++ < MAX_REPORTED) {
                        report.append("\n  [").append(j).append("] ").append(a[j]).append(" vs ").append(e[j]);
                    }
                }
            }
            if (bad > 0) {
                fail(what + ": " + (k == 0 ? "output" : "gradient of input " + (k - 1)) + ": " + bad + " of "
                        + e.length + " elements differ (atol " + atol + ", rtol " + rtol + "), first:" + report);
            }
        }
    }
}
