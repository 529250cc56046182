package dev.unetgan.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import dev.unetgan.tensor.Backend;
import dev.unetgan.tensor.Conv2dSpec;
import dev.unetgan.tensor.Device;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Shape;

/**
 * conv2d forward (with bias), backward-data and backward-filter on the CPU backend, at the 3x3 pad-1 stride-1 conv
 * shapes of the U-Net discriminator for 64x64 images, ch = 32, batch 8 (UNETGAN.md §2, 64 row). Shapes
 * ({@code inChannels x outChannels @ resolution}):
 * <ul>
 *   <li>{@code 3x64@64}: encoder block 0 conv1 (RGB in; a tiny reduction dimension, C·R·S = 27);</li>
 *   <li>{@code 64x64@64}: encoder block 0 conv2 (the largest activations);</li>
 *   <li>{@code 128x128@32}: encoder block 1 conv2;</li>
 *   <li>{@code 256x256@16}: encoder block 2 conv2;</li>
 *   <li>{@code 512x256@8}: decoder block 0 conv1 (the widest reduction, C·R·S = 4608, only 64 pixels).</li>
 * </ul>
 * The last four cost about 2.4 GFLOP each per call (2·N·K·C·9·H·W); the first 0.11 GFLOP. Outputs are
 * preallocated, so the numbers measure the kernels and not the allocator.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class Conv2dBench {
    /** {@code C x K @ HW}: input channels, output channels, input (= output) resolution. */
    @Param({"3x64@64", "64x64@64", "128x128@32", "256x256@16", "512x256@8"})
    public String shape;

    @Param("8")
    public int batch;

    private static final Conv2dSpec SPEC = Conv2dSpec.of(1, 1, 1);

    private Backend backend;
    private NDArray x;
    private NDArray weight;
    private NDArray bias;
    private NDArray gradOut;
    private NDArray out;
    private NDArray gradIn;
    private NDArray gradWeight;

    @Setup(Level.Trial)
    public void setup() {
        String[] ck = shape.split("@")[0].split("x");
        int c = Integer.parseInt(ck[0]), k = Integer.parseInt(ck[1]), hw = Integer.parseInt(shape.split("@")[1]);
        Random rnd = new Random(1);
        x = random(rnd, Shape.of(batch, c, hw, hw));
        weight = random(rnd, Shape.of(k, c, 3, 3));
        bias = random(rnd, Shape.of(k));
        gradOut = random(rnd, Shape.of(batch, k, hw, hw));
        out = random(rnd, gradOut.shape());
        gradIn = random(rnd, x.shape());
        gradWeight = random(rnd, weight.shape());
        backend = x.backend();
    }

    private static NDArray random(Random rnd, Shape shape) {
        float[] data = new float[(int) shape.size()];
        for (int i = 0; i < data.length; i++) {
            data[i] = rnd.nextFloat() * 2 - 1;
        }
        return NDArray.of(data, shape, Device.CPU);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (NDArray a : new NDArray[] {x, weight, bias, gradOut, out, gradIn, gradWeight}) {
            a.close();
        }
    }

    @Benchmark
    public NDArray forward() {
        backend.conv2dForward(x, weight, bias, SPEC, out);
        return out;
    }

    @Benchmark
    public NDArray backwardData() {
        backend.conv2dBackwardData(gradOut, weight, SPEC, gradIn);
        return gradIn;
    }

    @Benchmark
    public NDArray backwardFilter() {
        backend.conv2dBackwardFilter(x, gradOut, SPEC, gradWeight);
        return gradWeight;
    }
}
