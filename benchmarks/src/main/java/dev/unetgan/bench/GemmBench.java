package dev.unetgan.bench;

import dev.unetgan.tensor.cpu.CpuGemm;
import dev.unetgan.tensor.cpu.CpuPool;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Square F32 GEMM {@code C[n×n] = A[n×n]·B[n×n]} through {@link CpuGemm#sgemm} on the CPU pool (2 threads here;
 * {@code -jvmArgs -Dunetgan.cpu.threads=1} for one). JMH's primary score is calls per second; the {@code gflops}
 * secondary score is the same rate times {@code 2n³/1e9}, i.e. GFLOP/s directly.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class GemmBench {
    @Param({"512", "1024", "2048"})
    public int n;

    private float[] a;
    private float[] b;
    private float[] c;

    /** Counts floating-point operations, so JMH reports them as a rate: GFLOP/s. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Flops {
        public double gflops;

        @Setup(Level.Iteration)
        public void reset() {
            gflops = 0;
        }
    }

    @Setup
    public void setup() {
        Random rnd = new Random(42);
        a = new float[n * n];
        b = new float[n * n];
        c = new float[n * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = rnd.nextFloat() - 0.5f;
            b[i] = rnd.nextFloat() - 0.5f;
        }
        System.out.println("# CpuPool threads: " + CpuPool.threads());
    }

    @Benchmark
    public float[] sgemm(Flops flops) {
        CpuGemm.sgemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n);
        flops.gflops += 2.0 * n * n * n / 1e9;
        return c;
    }
}
