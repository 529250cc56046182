package dev.unetgan.autograd;

import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Pool2dSpec;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Gradients exactly at kinks, against the documented choices (PyTorch's). */
class KinkTest {

    private static double[] gradAt(java.util.function.Function<Tensor, Tensor> f, double... x) {
        Tensor t = Tensor.parameter(NDArray.of(x, x.length));
        f.apply(t).sum().backward();
        return t.grad().toDoubleArray();
    }

    @Test
    void reluAtZeroHasZeroGradient() {
        assertArrayEquals(new double[]{0, 0, 1}, gradAt(Tensor::relu, -1, 0, 1), 0);
    }

    @Test
    void absAtZeroHasZeroGradient() {
        assertArrayEquals(new double[]{-1, 0, 1}, gradAt(Tensor::abs, -1, 0, 1), 0);
    }

    @Test
    void leakyReluAtZeroHasTheNegativeSlope() {
        assertArrayEquals(new double[]{0.1, 0.1, 1}, gradAt(t -> t.leakyRelu(0.1), -1, 0, 1), 1e-15);
    }

    @Test
    void signHasZeroGradientEverywhere() {
        assertArrayEquals(new double[]{0, 0, 0}, gradAt(Tensor::sign, -1, 0, 1), 0);
    }

    @Test
    void binaryMaxAndMinSplitTiesEqually() {
        Tensor a = Tensor.parameter(NDArray.of(new double[]{1, 2, 3}, 3));
        Tensor b = Tensor.parameter(NDArray.of(new double[]{2, 2, 1}, 3));
        a.maximum(b).sum().backward();
        assertArrayEquals(new double[]{0, 0.5, 1}, a.grad().toDoubleArray(), 0);
        assertArrayEquals(new double[]{1, 0.5, 0}, b.grad().toDoubleArray(), 0);
        a.zeroGrad();
        b.zeroGrad();
        a.minimum(b).sum().backward();
        assertArrayEquals(new double[]{1, 0.5, 0}, a.grad().toDoubleArray(), 0);
        assertArrayEquals(new double[]{0, 0.5, 1}, b.grad().toDoubleArray(), 0);
    }

    @Test
    void reduceMaxSplitsTiesEqually() {
        assertArrayEquals(new double[]{0, 1.0 / 3, 1.0 / 3, 1.0 / 3}, gradAt(t -> t.max(), 1, 5, 5, 5), 1e-15);
        assertArrayEquals(new double[]{0.5, 0.5, 0, 0}, gradAt(t -> t.min(), -1, -1, 5, 5), 1e-15);
    }

    @Test
    void maxPoolSendsTheGradientToOneMaximumPerWindow() {
        Tensor x = Tensor.parameter(NDArray.of(new double[]{1, 1, 1, 1, 0, 2, 0, 2}, 2, 1, 2, 2));
        x.maxPool2d(Pool2dSpec.of(2)).sum().backward();
        double[] g = x.grad().toDoubleArray();
        // One unit of gradient per window, to exactly one of the tied maxima.
        assertArrayEquals(new double[]{1, 1}, new double[]{g[0] + g[1] + g[2] + g[3], g[4] + g[5] + g[6] + g[7]}, 0);
        assertArrayEquals(new double[]{0, 0}, new double[]{g[4], g[6]}, 0);
        for (double v : g) {
            org.junit.jupiter.api.Assertions.assertTrue(v == 0 || v == 1, "got " + java.util.Arrays.toString(g));
        }
    }
}
