package dev.unetgan.tensor.cpu;

import dev.unetgan.tensor.Conv2dSpec;
import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.Device;
import dev.unetgan.tensor.Generator;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Ops;
import dev.unetgan.tensor.Pool2dSpec;
import dev.unetgan.tensor.Scope;
import dev.unetgan.tensor.Shape;
import dev.unetgan.tensor.SpatialOps;
import dev.unetgan.tensor.UnaryOp;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A training-shaped loop (conv forward and both backwards, pooling, elementwise, reductions, matmul) run 1000 times
 * inside a scope per iteration: every large buffer goes back to the pool, the pool stops growing after the first
 * iteration, and the live heap stays flat.
 */
class PooledMemoryTest {
    @Test
    void thousandIterationsKeepThePoolAndHeapFlat() {
        Generator rng = new Generator(1);
        NDArray x = rng.normal(Shape.of(2, 8, 32, 32), DType.F32, Device.CPU, 0, 1);
        NDArray w = rng.normal(Shape.of(16, 8, 3, 3), DType.F32, Device.CPU, 0, 0.1);
        NDArray m = rng.normal(Shape.of(128, 128), DType.F32, Device.CPU, 0, 1);
        Conv2dSpec spec = Conv2dSpec.of(1, 1, 1);
        long poolAfterFirst = -1;
        long heapAfterWarmup = 0;
        for (int it = 0; it < 1000; it++) {
            try (Scope scope = Scope.open()) {
                NDArray y = SpatialOps.conv2d(x, w, null, spec);
                NDArray r = Ops.unary(UnaryOp.RELU, y);
                NDArray p = SpatialOps.avgPool2d(r, Pool2dSpec.of(2));
                NDArray g = SpatialOps.upsampleNearest2d(p, 2);
                SpatialOps.conv2dBackwardData(g, w, spec, x.shape());
                SpatialOps.conv2dBackwardFilter(x, g, spec, w.shape());
                Ops.sum(Ops.matmul(m, m), 0);
                assertTrue(scope.ownedCount() > 0);
            }
            if (it == 0) {
                poolAfterFirst = BufferPool.pooledBytes();
            } else {
                assertEquals(poolAfterFirst, BufferPool.pooledBytes(), "pool grew at iteration " + it);
            }
            if (it == 99) {
                heapAfterWarmup = usedHeapAfterGc();
            }
        }
        long growth = usedHeapAfterGc() - heapAfterWarmup;
        assertTrue(growth < 16L << 20, "heap grew by " + (growth >> 20) + " MiB over 900 iterations");
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
