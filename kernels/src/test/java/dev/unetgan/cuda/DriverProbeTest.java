package dev.unetgan.cuda;

import dev.unetgan.tensor.BackendProvider;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The probe never throws and says why; on a GPU machine, the real runtime moves data and runs a kernel. */
class DriverProbeTest {

    @Test
    void theProbeAnswersOnceAndExplainsItself() {
        BackendProvider.Probe first = DriverProbe.probe();
        assertSame(first, DriverProbe.probe(), "cached");
        assertFalse(first.description().isBlank());
        if (!first.available()) {
            assertTrue(first.description().contains("libcuda.so.1") || first.description().contains("unusable"),
                    first.description());
        }
    }

    @Test
    @Tag("gpu")
    void theDriverRuntimeRoundTripsAndLaunches() {
        Assumptions.assumeTrue(DriverProbe.probe().available(), DriverProbe.probe().description());
        try (JCudaRuntime rt = DriverProbe.takeRuntime()) {
            assertTrue(rt.describe().startsWith("cuda: driver "), rt.describe());
            float[] x = {1, -2, 3, -4, 5};
            long in = rt.malloc(20), out = rt.malloc(20);
            rt.copyToDevice(MemorySegment.ofArray(x), in, 20);
            rt.launch(rt.kernel("unary_forward_kernel"), Dim3.of(1), Dim3.of(256), 0,
                    new KernelArgs().i32(dev.unetgan.tensor.UnaryOp.RELU.ordinal()).f32(0).ptr(in).ptr(out).i64(5));
            float[] y = new float[5];
            rt.synchronize();
            rt.copyToHost(out, MemorySegment.ofArray(y), 20);
            assertArrayEquals(new float[]{1, 0, 3, 0, 5}, y);
            rt.free(in);
            rt.free(out);
        }
    }
}
