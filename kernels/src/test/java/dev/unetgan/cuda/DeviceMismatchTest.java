package dev.unetgan.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unetgan.autograd.Tensor;
import dev.unetgan.tensor.Conv2dSpec;
import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.Device;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Ops;
import dev.unetgan.tensor.Scope;
import dev.unetgan.tensor.Shape;
import dev.unetgan.tensor.SpatialOps;
import org.junit.jupiter.api.Test;

/**
 * Mixing a CPU array with a CUDA array is refused with a message naming the op, the shapes and both devices, before
 * anything is computed; moving one with {@code to} is the fix, and then the op runs.
 */
class DeviceMismatchTest {
    private static final Device CUDA = Device.cuda(0);

    @Test
    void elementwiseMatmulAndConvNameBothDevices() {
        try (Scope scope = Scope.open()) {
            NDArray cpu = NDArray.full(Shape.of(2, 3), DType.F32, Device.CPU, 1);
            NDArray gpu = NDArray.full(Shape.of(2, 3), DType.F32, CUDA, 2);
            IllegalArgumentException add = assertThrows(IllegalArgumentException.class, () -> Ops.add(cpu, gpu));
            assertTrue(add.getMessage().contains("add") && add.getMessage().contains("cpu")
                    && add.getMessage().contains("cuda:0") && add.getMessage().contains("[2, 3]"), add.getMessage());

            NDArray w = NDArray.full(Shape.of(3, 4), DType.F32, CUDA, 1);
            IllegalArgumentException mm = assertThrows(IllegalArgumentException.class, () -> Ops.matmul(cpu, w));
            assertTrue(mm.getMessage().contains("cuda:0") && mm.getMessage().contains("cpu"), mm.getMessage());

            NDArray x = NDArray.full(Shape.of(1, 1, 4, 4), DType.F32, Device.CPU, 1);
            NDArray k = NDArray.full(Shape.of(1, 1, 3, 3), DType.F32, CUDA, 1);
            IllegalArgumentException conv = assertThrows(IllegalArgumentException.class,
                    () -> SpatialOps.conv2d(x, k, null, Conv2dSpec.of(1, 1, 1)));
            assertTrue(conv.getMessage().contains("conv2d") && conv.getMessage().contains("cuda:0"), conv.getMessage());

            assertEquals(3.0, Ops.add(cpu.to(CUDA), gpu).to(Device.CPU).toFloatArray()[0]);
        }
    }

    @Test
    void autogradRefusesMixedDevicesToo() {
        try (Scope scope = Scope.open()) {
            Tensor a = Tensor.parameter(NDArray.full(Shape.of(2), DType.F32, Device.CPU, 1));
            Tensor b = Tensor.of(NDArray.full(Shape.of(2), DType.F32, CUDA, 1));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.mul(b));
            assertTrue(e.getMessage().contains("cpu") && e.getMessage().contains("cuda:0"), e.getMessage());
        }
    }
}
