package dev.unetgan.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
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

import dev.unetgan.gan.train.GanStep;

/**
 * One full U-Net GAN iteration ({@link GanStep}: D step on {@code [G(z), x, mixed]} with every-batch CutMix, G step,
 * EMA update) at the {@code config} parameter ({@link GanModels}): {@code anchor} is 64x64, ch 32, batch 8,
 * unconditional, with the celeba128 learning rates (PyTorch anchor: 2.6 s median); {@code fashion32} is the preset
 * {@code unetgan train} runs by default. After each measurement iteration it prints the heap in use after a GC, and
 * the process's peak and current resident set, so the log shows both the peak memory of an iteration and whether it
 * grows.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 10)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xss8m"})
public class TrainStepBench {
    @Param({"anchor", "fashion32"})
    public String config;

    private GanModels m;
    private GanStep step;
    private long iteration;

    @Setup
    public void setup() {
        m = GanModels.named(config);
        step = new GanStep(m.g, m.d, m.gEma, m.settings, m.rng);
    }

    @Benchmark
    public GanStep.Losses fullIteration() {
        return step.step(m.x, m.y, iteration++, 0);
    }

    @TearDown(Level.Iteration)
    public void memory() throws Exception {
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        String status = Files.readString(Path.of("/proc/self/status"));
        System.out.printf("%n[memory] after %d iterations: heap in use after GC %d MiB, %s, %s%n", iteration,
                heap >> 20, field(status, "VmHWM"), field(status, "VmRSS"));
    }

    private static String field(String status, String name) {
        return status.lines().filter(l -> l.startsWith(name)).map(l -> l.replaceAll("\\s+", " ")).findFirst()
                .orElse(name + ": n/a");
    }

    @TearDown
    public void tearDown() {
        step.close();
        m.close();
    }
}
