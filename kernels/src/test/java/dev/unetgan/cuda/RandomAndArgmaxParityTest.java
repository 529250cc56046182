package dev.unetgan.cuda;

import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.Device;
import dev.unetgan.tensor.Distribution;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Scope;
import dev.unetgan.tensor.Shape;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The two primitives the op table does not reach: the Philox fill (same numbers as the CPU) and argmax. */
class RandomAndArgmaxParityTest {
    private static final Device CUDA = Device.cuda(0);

    private static float[] fill(Device d, Distribution dist, double a, double b, long seed, long offset, int n) {
        try (Scope s = Scope.open()) {
            NDArray out = NDArray.empty(Shape.of(n), DType.F32, d);
            out.backend().random(dist, a, b, seed, offset, out);
            return out.toFloatArray();
        }
    }

    @Test
    void philoxGivesTheCpuNumbers() {
        long seed = 0x1234_5678_9abcL, offset = (1L << 33) + 5;  // a counter above 2^32 exercises the high word
        int n = 1000;
        assertArrayEquals(fill(Device.CPU, Distribution.UNIFORM, -2, 3, seed, offset, n),
                fill(CUDA, Distribution.UNIFORM, -2, 3, seed, offset, n));
        assertArrayEquals(fill(Device.CPU, Distribution.BERNOULLI, 0.3, 0, seed, offset, n),
                fill(CUDA, Distribution.BERNOULLI, 0.3, 0, seed, offset, n));
        float[] cpu = fill(Device.CPU, Distribution.NORMAL, 0.5, 2, seed, offset, n);
        float[] cuda = fill(CUDA, Distribution.NORMAL, 0.5, 2, seed, offset, n);
        for (int i = 0; i < n; i++) {
            // log and cos in double may differ in the last bit between libm and the JDK; after rounding to float
            // the samples agree to within one float ulp.
            assertEquals(cpu[i], cuda[i], Math.ulp(cpu[i]), "normal sample " + i);
        }
    }

    @Test
    void argmaxTakesTheFirstMaximum() {
        float[] x = new float[3 * 5 * 7];
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextInt(4);  // many ties
        }
        for (int axis = 0; axis < 3; axis++) {
            try (Scope s = Scope.open()) {
                int[] dims = {3, 5, 7};
                dims[axis] = 1;
                NDArray cpuOut = NDArray.empty(Shape.of(dims), DType.I32, Device.CPU);
                NDArray cudaOut = NDArray.empty(Shape.of(dims), DType.I32, CUDA);
                NDArray cpuX = NDArray.of(x, Shape.of(3, 5, 7), Device.CPU);
                cpuX.backend().argmax(cpuX, axis, cpuOut);
                NDArray cudaX = cpuX.to(CUDA);
                cudaX.backend().argmax(cudaX, axis, cudaOut);
                assertArrayEquals(cpuOut.toIntArray(), cudaOut.toIntArray(), "axis " + axis);
            }
        }
    }
}
