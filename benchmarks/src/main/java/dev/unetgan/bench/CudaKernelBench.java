package dev.unetgan.bench;

import dev.unetgan.cuda.CudaBackend;
import dev.unetgan.tensor.AdamStep;
import dev.unetgan.tensor.Backend;
import dev.unetgan.tensor.BinaryOp;
import dev.unetgan.tensor.Conv2dSpec;
import dev.unetgan.tensor.CutMixBox;
import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.Device;
import dev.unetgan.tensor.Distribution;
import dev.unetgan.tensor.GanLossKind;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.ReduceOp;
import dev.unetgan.tensor.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The CUDA backend's kernel families on the real driver: elementwise, reduction, the fused GAN loss, CutMix blend and
 * consistency, Adam (memory-bound: scored in GB/s against the H100's 3.35 TB/s), and cuBLAS SGEMM and cuDNN
 * convolution (scored in TFLOP/s against the H100's 67 TFLOP/s of FP32). The bytes per element are those stated in
 * each family's {@code .cu} header. Each invocation issues {@value #REPS} calls and then waits for the stream, so the
 * launch latency is amortized and the time is the GPU's.
 *
 * <p>Run it through {@link #main}: without a GPU it prints one line saying so and exits 0 (CI never runs it). With
 * {@code -Dunetgan.cuda.runtime=emulation} it runs on the host emulation, which checks that the benchmark works
 * (the figures then mean nothing; pass small {@code -p n=…} values).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class CudaKernelBench {
    static final int REPS = 20;
    private static final double H100_GBPS = 3350, H100_FP32_TFLOPS = 67;

    /** Elements of the memory-bound kernels: 16 Mi floats, 64 MiB an array, far beyond the 50 MiB L2. */
    @Param("16777216")
    public int n;

    /** The square SGEMM edge. */
    @Param("4096")
    public int gemm;

    /** The batch of CutMix ([batch, 3, 256, 256]) and of the convolution (a 128x128@32 3x3 conv of the D). */
    @Param("64")
    public int batch;

    /** The achieved bandwidth, as JMH secondary scores: the counters grow by each call's bytes. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Bandwidth {
        public double gbps;
        public double pctOfH100;

        @Setup(Level.Iteration)
        public void reset() {
            gbps = pctOfH100 = 0;
        }

        void add(double bytesPerCall) {
            gbps += REPS * bytesPerCall / 1e9;
            pctOfH100 += REPS * bytesPerCall / 1e9 / H100_GBPS * 100;
        }
    }

    /** The achieved FP32 rate, as JMH secondary scores: the counters grow by each call's FLOPs. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Compute {
        public double tflops;
        public double pctOfH100;

        @Setup(Level.Iteration)
        public void reset() {
            tflops = pctOfH100 = 0;
        }

        void add(double flopsPerCall) {
            tflops += REPS * flopsPerCall / 1e12;
            pctOfH100 += REPS * flopsPerCall / 1e12 / H100_FP32_TFLOPS * 100;
        }
    }

    private static final Device CUDA = Device.cuda(0);
    private static final Conv2dSpec CONV = Conv2dSpec.of(1, 1, 1);

    private final List<NDArray> arrays = new ArrayList<>();
    private CudaBackend backend;
    private NDArray a, b, c, d, g1, g2, g3, loss, sum;
    private NDArray real, fake, mixed, mask;
    private NDArray mA, mB, mC;
    private NDArray x, w, y;
    private CutMixBox[] boxes;
    private long step;

    /** Probes the device; without one, says so in one line and returns (the JMH run is skipped). */
    public static void main(String[] args) throws Exception {
        String why = unavailable();
        if (why != null) {
            System.out.println("CudaKernelBench: skipped, no GPU (" + why + ")");
            return;
        }
        String[] jmh = new String[args.length + 1];
        jmh[0] = CudaKernelBench.class.getSimpleName();
        System.arraycopy(args, 0, jmh, 1, args.length);
        org.openjdk.jmh.Main.main(jmh);
    }

    /** Null when cuda:0 is usable, else the probe's reason. */
    private static String unavailable() {
        try {
            return CUDA.backend() instanceof CudaBackend ? null : "cuda:0 is not the CUDA backend";
        } catch (IllegalStateException e) {
            return e.getMessage();
        }
    }

    private NDArray uniform(Shape shape, double lo, double hi) {
        NDArray t = NDArray.empty(shape, DType.F32, CUDA);
        backend.random(Distribution.UNIFORM, lo, hi, arrays.size() + 1, 0, t);
        arrays.add(t);
        return t;
    }

    @Setup(Level.Trial)
    public void setup() {
        String why = unavailable();
        if (why != null) {
            throw new IllegalStateException("CudaKernelBench needs a GPU; run it through its main: " + why);
        }
        backend = (CudaBackend) CUDA.backend();
        System.out.println("# " + backend.runtime().describe());
        Shape flat = Shape.of(n);
        a = uniform(flat, -1, 1);
        b = uniform(flat, 0, 1);
        c = uniform(flat, 0, 1);
        d = uniform(flat, 0, 1);
        g1 = uniform(flat, 0, 1);
        g2 = uniform(flat, 0, 1);
        g3 = uniform(flat, 0, 1);
        loss = uniform(Shape.of(1), 0, 1);
        sum = uniform(Shape.of(1), 0, 1);
        Shape images = Shape.of(batch, 3, 256, 256);
        real = uniform(images, -1, 1);
        fake = uniform(images, -1, 1);
        mixed = uniform(images, -1, 1);
        mask = uniform(Shape.of(batch, 1, 256, 256), 0, 1);
        boxes = new CutMixBox[batch];
        for (int i = 0; i < batch; i++) {
            boxes[i] = new CutMixBox(i % 64, 128 + i % 64, 32, 200, i % 2 == 1);
        }
        mA = uniform(Shape.of(1, gemm, gemm), -1, 1);
        mB = uniform(Shape.of(1, gemm, gemm), -1, 1);
        mC = uniform(Shape.of(1, gemm, gemm), -1, 1);
        x = uniform(Shape.of(batch, 128, 32, 32), -1, 1);
        w = uniform(Shape.of(128, 128, 3, 3), -1, 1);
        y = uniform(Shape.of(batch, 128, 32, 32), -1, 1);
        backend.runtime().synchronize();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arrays.forEach(NDArray::close);
        arrays.clear();
    }

    /** {@value #REPS} calls, then a wait for the stream. */
    private void repeat(Runnable call) {
        for (int i = 0; i < REPS; i++) {
            call.run();
        }
        backend.runtime().synchronize();
    }

    /** {@code c = a + b}: 12 B per element. */
    @Benchmark
    @OperationsPerInvocation(REPS)
    public void elementwiseAdd(Bandwidth rate) {
        repeat(() -> backend.binary(BinaryOp.ADD, a, b, c));
        rate.add(12.0 * n);
    }

    /** Sum of all elements: 4 B per element. */
    @Benchmark
    @OperationsPerInvocation(REPS)
    public void reduceSum(Bandwidth rate) {
        repeat(() -> backend.reduce(ReduceOp.SUM, a, new int[]{0}, sum));
        rate.add(4.0 * n);
    }

    /** BCE against a per-element target, with the gradient: reads logit and target, writes the gradient, 12 B. */
    @Benchmark
    @OperationsPerInvocation(REPS)
    public void ganLossBce(Bandwidth rate) {
        repeat(() -> backend.ganLoss(GanLossKind.BCE, a, b, 0, 1, loss, c));
        rate.add(12.0 * n);
    }

    /** Mixed batch and mask in one pass: 8 B per element of the batch plus 4 B of mask per pixel. */
    @Benchmark
    @OperationsPerInvocation(REPS)
    public void cutmixBlend(Bandwidth rate) {
        repeat(() -> backend.cutmixBlend(real, fake, boxes, mixed, mask));
        rate.add(8.0 * real.size() + 4.0 * mask.size());
    }

    /** The consistency loss and its three gradients: reads 4 arrays, writes 3, 28 B per element. */
    @Benchmark
    @OperationsPerInvocation(REPS)
    public void cutmixConsistency(Bandwidth rate) {
        repeat(() -> backend.cutmixConsistency(a, b, c, d, 1, loss, g1, g2, g3));
        rate.add(28.0 * n);
    }

    /** One Adam step: 4 loads and 3 stores, 28 B per parameter. */
    @Benchmark
    @OperationsPerInvocation(REPS)
    public void adam(Bandwidth rate) {
        repeat(() -> backend.adamUpdate(a, b, c, d, new AdamStep(2e-4, 0, 0.999, 1e-6, 0, ++step)));
        rate.add(28.0 * n);
    }

    /** Square SGEMM through cuBLAS (device pointer mode): 2·n³ FLOPs. */
    @Benchmark
    @OperationsPerInvocation(REPS)
    public void sgemm(Compute rate) {
        repeat(() -> backend.matmul(mA, false, mB, false, mC));
        rate.add(2.0 * gemm * gemm * (double) gemm);
    }

    /** 3x3 convolution forward through cuDNN, 128 to 128 channels at 32x32: 2·N·K·C·9·P·Q FLOPs. */
    @Benchmark
    @OperationsPerInvocation(REPS)
    public void conv2dForward(Compute rate) {
        repeat(() -> backend.conv2dForward(x, w, null, CONV, y));
        rate.add(2.0 * batch * 128 * 128 * 9 * 32 * 32);
    }
}
