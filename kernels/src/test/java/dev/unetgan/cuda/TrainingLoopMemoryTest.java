package dev.unetgan.cuda;

import dev.unetgan.autograd.Tensor;
import dev.unetgan.tensor.AdamStep;
import dev.unetgan.tensor.Conv2dSpec;
import dev.unetgan.tensor.Device;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.OptimOps;
import dev.unetgan.tensor.Pool2dSpec;
import dev.unetgan.tensor.Scope;
import dev.unetgan.tensor.Shape;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A small training loop on the CUDA backend (conv, batch norm, relu, pooling, matmul, log-softmax, backward, Adam),
 * one scope per step, as the GAN's will be: after the first steps the caching allocator asks the device for nothing
 * more, and every step gives back all it took.
 */
class TrainingLoopMemoryTest {
    private static final Device CUDA = Device.cuda(0);

    private static NDArray random(SplittableRandom r, double scale, int... dims) {
        float[] f = new float[Shape.of(dims).sizeAsInt()];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) (scale * r.nextGaussian());
        }
        return NDArray.of(f, Shape.of(dims), CUDA);
    }

    @Test
    void aThousandStepsDoNotGrowDeviceMemory() {
        SplittableRandom r = new SplittableRandom(1);
        CudaBackend backend = (CudaBackend) CUDA.backend();
        List<Tensor> params = List.of(Tensor.parameter(random(r, 0.2, 4, 3, 3, 3)), Tensor.parameter(random(r, 0.1, 4)),
                Tensor.parameter(random(r, 0.1, 4)), Tensor.parameter(random(r, 0.1, 4)),
                Tensor.parameter(random(r, 0.1, 64, 5)));
        List<NDArray[]> state = new ArrayList<>();
        for (Tensor p : params) {
            state.add(new NDArray[]{NDArray.zeros(p.shape(), p.dtype(), CUDA), NDArray.zeros(p.shape(), p.dtype(), CUDA)});
        }
        CachingAllocator.Stats warm = null;
        double firstLoss = 0, lastLoss = 0;
        for (int step = 1; step <= 1000; step++) {
            try (Scope s = Scope.open()) {
                Tensor x = Tensor.of(random(r, 1, 2, 3, 8, 8));
                Tensor h = x.conv2d(params.get(0), params.get(1), Conv2dSpec.of(1, 1, 1))
                        .batchNorm(params.get(2), params.get(3), 1e-5, null).relu().avgPool2d(Pool2dSpec.of(2));
                Tensor loss = h.reshape(2, 64).matmul(params.get(4)).logSoftmax(1).mean().neg();
                loss.backward();
                for (int i = 0; i < params.size(); i++) {
                    Tensor p = params.get(i);
                    OptimOps.adamUpdate(p.value(), p.grad(), state.get(i)[0], state.get(i)[1],
                            new AdamStep(1e-3, 0.9, 0.999, 1e-8, 0, step));
                    p.zeroGrad();
                }
                lastLoss = loss.item();
                if (step == 1) {
                    firstLoss = lastLoss;
                }
            }
            if (step == 2) {
                warm = backend.memoryStats();
            }
        }
        CachingAllocator.Stats end = backend.memoryStats();
        assertEquals(warm.reservedBytes(), end.reservedBytes(), "reserved bytes grew");
        assertEquals(warm.deviceMallocs(), end.deviceMallocs(), "the device was asked for more memory");
        assertEquals(warm.allocatedBytes(), end.allocatedBytes(), "a step kept memory");
        assertTrue(Double.isFinite(lastLoss) && lastLoss < firstLoss, "loss " + firstLoss + " -> " + lastLoss);
    }
}
