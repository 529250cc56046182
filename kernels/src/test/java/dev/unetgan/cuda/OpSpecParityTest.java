package dev.unetgan.cuda;

import dev.unetgan.autograd.OpSpec;
import dev.unetgan.autograd.OpSpecRunner;
import dev.unetgan.autograd.OpSpecs;
import dev.unetgan.tensor.Device;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Scope;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

/**
 * The whole shared op table, forward and backward, on the CUDA backend (host emulation here, the driver where a GPU
 * exists) against the CPU backend, both in F32, passing when {@code |cuda - cpu| <= atol + rtol·|cpu|} (DESIGN.md
 * §5). Rows run one primitive after another (forward, then the backward of each op), so every Backend primitive the
 * table reaches is covered.
 */
class OpSpecParityTest {
    private static final Device CUDA = Device.cuda(0);

    static List<OpSpec> rows() {
        return OpSpecs.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void cudaMatchesCpu(OpSpec spec) {
        List<double[]> cpu;
        try (Scope s = Scope.open()) {
            cpu = OpSpecRunner.run(spec, spec.inputsF32(42));
        }
        List<double[]> cuda;
        try (Scope s = Scope.open()) {
            NDArray[] inputs = spec.inputsF32(42);
            for (int i = 0; i < inputs.length; i++) {
                inputs[i] = inputs[i].to(CUDA);
            }
            cuda = OpSpecRunner.run(spec, inputs);
        }
        OpSpecRunner.compare(spec.name() + " cuda vs cpu", cuda, cpu, 1e-5, 1e-4);
    }
}
