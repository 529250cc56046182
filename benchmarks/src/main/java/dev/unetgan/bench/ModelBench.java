package dev.unetgan.bench;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import dev.unetgan.autograd.Tensor;
import dev.unetgan.gan.model.Discriminator;

/**
 * Forward plus backward of the U-Net D and of G, in train mode, at 64x64, ch 32, batch 8, unconditional (the
 * PyTorch anchors of the U-Net GAN issue: 0.61 s and 0.57 s median). D's loss is the sum of both logit maps; G's
 * is the sum of its images. Each call runs in its own scope, so the arrays of one call are freed before the next.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 4)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xss8m"})
public class ModelBench {
    private GanModels m;

    @Setup
    public void setup() {
        m = GanModels.anchor();
    }

    @TearDown
    public void tearDown() {
        m.close();
    }

    @Benchmark
    public double discriminatorForwardBackward() {
        try (dev.unetgan.tensor.Scope scope = dev.unetgan.tensor.Scope.open()) {
            m.d.zeroGrad();
            Discriminator.Outputs out = m.d.forward(Tensor.of(m.x), null);
            Tensor loss = out.enc().sum().add(out.dec().sum());
            loss.backward();
            return loss.item();
        }
    }

    @Benchmark
    public double generatorForwardBackward() {
        try (dev.unetgan.tensor.Scope scope = dev.unetgan.tensor.Scope.open()) {
            m.g.zeroGrad();
            Tensor loss = m.g.forward(Tensor.of(m.g.sampleZ(m.rng, m.batch)), null).sum();
            loss.backward();
            return loss.item();
        }
    }
}
