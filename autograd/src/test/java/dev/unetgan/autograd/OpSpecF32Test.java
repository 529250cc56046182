package dev.unetgan.autograd;

import dev.unetgan.tensor.Scope;
import dev.unetgan.tensor.cpu.CpuOptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

/**
 * Every row's forward and gradients in F32, on the CPU backend's Vector API path and on its scalar path, against
 * the F64 results (which the gradient check has validated). Catches F32 kernel bugs that an F64-only check misses.
 */
class OpSpecF32Test {

    static List<OpSpec> rows() {
        return OpSpecs.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void f32VectorAndScalarPathsMatchF64(OpSpec spec) {
        List<double[]> ref;
        try (Scope s = Scope.open()) {
            ref = OpSpecRunner.run(spec, spec.inputsF64(42));
        }
        boolean saved = CpuOptions.scalar();
        try {
            CpuOptions.setScalar(false);
            List<double[]> vector;
            try (Scope s = Scope.open()) {
                vector = OpSpecRunner.run(spec, spec.inputsF32(42));
            }
            CpuOptions.setScalar(true);
            List<double[]> scalar;
            try (Scope s = Scope.open()) {
                scalar = OpSpecRunner.run(spec, spec.inputsF32(42));
            }
            OpSpecRunner.compare(spec.name() + " F32 vector vs F64", vector, ref, 1e-4, 1e-3);
            OpSpecRunner.compare(spec.name() + " F32 scalar vs F64", scalar, ref, 1e-4, 1e-3);
            OpSpecRunner.compare(spec.name() + " F32 vector vs scalar", vector, scalar, 1e-5, 1e-4);
        } finally {
            CpuOptions.setScalar(saved);
        }
    }
}
