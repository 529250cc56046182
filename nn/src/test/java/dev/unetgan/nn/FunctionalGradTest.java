package dev.unetgan.nn;

import dev.unetgan.autograd.Domain;
import dev.unetgan.autograd.GradCheck;
import dev.unetgan.autograd.OpSpec;
import dev.unetgan.autograd.Tensor;
import dev.unetgan.tensor.Conv2dSpec;
import dev.unetgan.tensor.Device;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Pool2dSpec;
import dev.unetgan.tensor.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.unetgan.autograd.Domain.DISTINCT;
import static dev.unetgan.autograd.Domain.NONZERO;
import static dev.unetgan.autograd.Domain.REAL;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The nn op table: one or more rows per function of {@link F}, in the style of autograd's {@code OpSpecs}, each
 * gradient-checked in F64 with {@link GradCheck} (every differentiable input: data, weights, biases).
 */
class FunctionalGradTest {

    private static Shape s(int... dims) {
        return Shape.of(dims);
    }

    private static NDArray ints(int... v) {
        return NDArray.of(v, Shape.of(v.length), Device.CPU);
    }

    static List<OpSpec> rows() {
        List<OpSpec> rows = new ArrayList<>();
        rows.add(OpSpec.of("linear", REAL, x -> F.linear(x.get(0), x.get(1), x.get(2)), s(3, 4), s(5, 4), s(5)));
        rows.add(OpSpec.of("linear no bias", REAL, x -> F.linear(x.get(0), x.get(1), null), s(1, 7), s(2, 7)));
        rows.add(OpSpec.of("linear 3-d input", REAL, x -> F.linear(x.get(0), x.get(1), x.get(2)), s(2, 3, 4), s(5, 4), s(5)));
        rows.add(OpSpec.of("conv2d s2 p1", REAL, x -> F.conv2d(x.get(0), x.get(1), x.get(2), 2, 1, 1),
                s(2, 2, 5, 6), s(3, 2, 3, 3), s(3)));
        rows.add(OpSpec.of("conv2d dilated no bias", REAL, x -> F.conv2d(x.get(0), x.get(1), null,
                new Conv2dSpec(1, 2, 2, 1, 2, 1)), s(1, 2, 5, 5), s(2, 2, 3, 2)));
        rows.add(OpSpec.of("conv2d 1x1", REAL, x -> F.conv2d(x.get(0), x.get(1), x.get(2), 1, 0, 1),
                s(2, 3, 3, 3), s(4, 3, 1, 1), s(4)));
        rows.add(OpSpec.of("batch_norm train affine", REAL, x -> F.batchNorm(x.get(0), null, null, x.get(1), x.get(2),
                true, 0.1, 1e-5), s(3, 2, 2, 3), s(2), s(2)));
        rows.add(OpSpec.of("batch_norm train plain", REAL, x -> F.batchNorm(x.get(0), null, null, null, null,
                true, 0.1, 1e-5), s(2, 3, 2, 2)));
        // running statistics are constants (buffers), so only x, gamma and beta are inputs
        rows.add(OpSpec.of("batch_norm eval", REAL, x -> F.batchNorm(x.get(0),
                NDArray.of(new double[]{0.3, -0.2, 0.1}, 3), NDArray.of(new double[]{0.5, 1.7, 0.9}, 3),
                x.get(1), x.get(2), false, 0.1, 1e-5), s(2, 3, 2, 2), s(3), s(3)));
        rows.add(OpSpec.of("avg_pool k3 s2 p1", REAL, x -> F.avgPool2d(x.get(0), new Pool2dSpec(3, 3, 2, 2, 1, 1)),
                s(1, 2, 5, 5)));
        rows.add(OpSpec.of("max_pool k2", DISTINCT, x -> F.maxPool2d(x.get(0), Pool2dSpec.of(2)), s(2, 2, 4, 5)));
        rows.add(OpSpec.of("upsample x2", REAL, x -> F.upsampleNearest(x.get(0), 2), s(1, 2, 2, 3)));
        rows.add(OpSpec.of("embedding", REAL, x -> F.embedding(x.get(0), ints(2, 0, 2, 3)), s(4, 3)));
        rows.add(OpSpec.of("cross_entropy", REAL, x -> F.crossEntropy(x.get(0), ints(2, 0, 1, 2, 2)), s(5, 3)));
        rows.add(OpSpec.of("relu", NONZERO, x -> F.relu(x.get(0)), s(2, 5)));
        rows.add(OpSpec.of("leaky_relu", NONZERO, x -> F.leakyRelu(x.get(0), 0.2), s(2, 5)));
        rows.add(OpSpec.of("tanh", REAL, x -> F.tanh(x.get(0)), s(2, 5)));
        rows.add(OpSpec.of("sigmoid", REAL, x -> F.sigmoid(x.get(0)), s(2, 5)));
        rows.add(OpSpec.of("flatten", REAL, x -> F.flatten(x.get(0)).mul(x.get(1)), s(2, 2, 3), s(2, 6)));
        return rows;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void gradientMatchesCentralDifferences(OpSpec spec) {
        GradCheck.check(spec.name(), spec.fn(), spec.atol(), spec.rtol(), 11, spec.inputsF64(5));
    }

    @Test
    void rowNamesAreUnique() {
        Set<String> names = new HashSet<>();
        for (OpSpec row : rows()) {
            assertTrue(names.add(row.name()), row.name());
        }
    }

    /** A wrong gradient must be caught: the check is not vacuous. */
    @Test
    void checkDetectsAWrongGradient() {
        OpSpec wrong = OpSpec.of("wrong", REAL, x -> {
            Tensor a = x.get(0);
            // value of a·a but with the graph of a·detach(a): half the true gradient
            return a.mul(a.detach());
        }, s(3));
        org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                () -> GradCheck.check(wrong.name(), wrong.fn(), wrong.inputsF64(1)));
    }
}
