package dev.unetgan.autograd;

import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Scope;
import dev.unetgan.tensor.cpu.CpuOptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every row's forward and gradients in F32, on the CPU backend's Vector API path and on its scalar path, against
 * the F64 results (which the gradient check has validated). Catches F32 kernel bugs that an F64-only check misses.
 */
class OpSpecF32Test {

    static List<OpSpec> rows() {
        return OpSpecs.all();
    }

    /** Forward value then each input's gradient (zeros where none), flattened as doubles. */
    private static List<double[]> run(OpSpec spec, NDArray[] inputs) {
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
            y.backward(y.dtype() == upstream.dtype() ? upstream : dev.unetgan.tensor.Ops.cast(upstream, y.dtype()));
            for (int i = 0; i < inputs.length; i++) {
                NDArray g = leaves.get(i).grad();
                out.add(g == null ? new double[(int) inputs[i].size()] : g.toDoubleArray());
            }
        }
        return out;
    }

    private static void compare(String what, List<double[]> actual, List<double[]> expected, double atol, double rtol) {
        for (int k = 0; k < expected.size(); k++) {
            double[] a = actual.get(k), e = expected.get(k);
            for (int j = 0; j < e.length; j++) {
                if (!(Math.abs(a[j] - e[j]) <= atol + rtol * Math.abs(e[j]))) {
                    fail(what + ": " + (k == 0 ? "output" : "gradient of input " + (k - 1)) + ", element " + j
                            + ": " + a[j] + " vs " + e[j]);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void f32VectorAndScalarPathsMatchF64(OpSpec spec) {
        List<double[]> ref;
        try (Scope s = Scope.open()) {
            ref = run(spec, spec.inputsF64(42));
        }
        boolean saved = CpuOptions.scalar();
        try {
            CpuOptions.setScalar(false);
            List<double[]> vector;
            try (Scope s = Scope.open()) {
                vector = run(spec, spec.inputsF32(42));
            }
            CpuOptions.setScalar(true);
            List<double[]> scalar;
            try (Scope s = Scope.open()) {
                scalar = run(spec, spec.inputsF32(42));
            }
            compare(spec.name() + " F32 vector vs F64", vector, ref, 1e-4, 1e-3);
            compare(spec.name() + " F32 scalar vs F64", scalar, ref, 1e-4, 1e-3);
            compare(spec.name() + " F32 vector vs scalar", vector, scalar, 1e-5, 1e-4);
        } finally {
            CpuOptions.setScalar(saved);
        }
    }
}
