package dev.unetgan.bench;

import dev.unetgan.tensor.cpu.CpuGemm;
import dev.unetgan.tensor.cpu.CpuPool;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Arrays;
import java.util.Random;

/**
 * This engine's F32 GEMM against OpenBLAS's {@code cblas_sgemm}, square {@code C = A·B}, timed in alternation in one
 * process. The machines of this project drift by 10-40% within minutes, so two benchmarks run one after the other
 * can disagree by more than the difference they measure; here every round times a batch of each on the same
 * matrices, and the ratio is taken per round, so the drift cancels. OpenBLAS is called through the FFM API on the
 * Java arrays themselves (no copies) and runs on as many threads as the engine's pool.
 *
 * <p>Run from the repository root, with Debian's OpenBLAS installed ({@code apt-get install libopenblas0-pthread}):
 * <pre>
 * OPENBLAS_CORETYPE=SkylakeX $JAVA_HOME/bin/java --add-modules jdk.incubator.vector \
 *     --enable-native-access=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar \
 *     dev.unetgan.bench.GemmVsOpenBlas [rounds] [n ...]
 * </pre>
 * Defaults: 15 rounds at n = 512, 1024 and 2048. OpenBLAS 0.3.21 misdetects the AVX-512 Xeon of this project, hence
 * the core type there, which must be set before the library loads; on a CPU without AVX-512 (the AVX2 EPYC, detected
 * as Zen) leave {@code OPENBLAS_CORETYPE} unset. The tool prints the core OpenBLAS chose.
 */
public final class GemmVsOpenBlas {
    private static final int ROW_MAJOR = 101;
    private static final int NO_TRANS = 111;
    /** Work per timed batch, so that a batch is long against the timer and short against the drift. */
    private static final double BATCH_FLOP = 2e10;
    /**
     * Pause between the two libraries' batches: OpenBLAS's idle threads spin for a while after a call, and would
     * otherwise take a core from the engine's batch that follows.
     */
    private static final long SETTLE_MS = 300;

    private final MethodHandle sgemm;

    private GemmVsOpenBlas(MethodHandle sgemm) {
        this.sgemm = sgemm;
    }

    public static void main(String[] args) throws Throwable {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        int[] sizes = args.length > 1
                ? Arrays.stream(args, 1, args.length).mapToInt(Integer::parseInt).toArray()
                : new int[] {512, 1024, 2048};
        SymbolLookup lib;
        try {
            lib = SymbolLookup.libraryLookup("libopenblas.so.0", Arena.global());
        } catch (IllegalArgumentException e) {
            System.err.println("libopenblas.so.0 not found: install Debian's OpenBLAS"
                    + " (apt-get install libopenblas0-pthread)");
            System.exit(2);
            return;
        }
        Linker linker = Linker.nativeLinker();
        ValueLayout i32 = ValueLayout.JAVA_INT, f32 = ValueLayout.JAVA_FLOAT, ptr = ValueLayout.ADDRESS;
        // critical: the call may read the heap arrays in place, as it neither blocks nor calls back into Java.
        MethodHandle sgemm = linker.downcallHandle(lib.find("cblas_sgemm").orElseThrow(),
                FunctionDescriptor.ofVoid(i32, i32, i32, i32, i32, i32, f32, ptr, i32, ptr, i32, f32, ptr, i32),
                Linker.Option.critical(true));
        linker.downcallHandle(lib.find("openblas_set_num_threads").orElseThrow(), FunctionDescriptor.ofVoid(i32))
                .invokeExact(CpuPool.threads());
        MemorySegment core = (MemorySegment) linker.downcallHandle(lib.find("openblas_get_corename").orElseThrow(),
                FunctionDescriptor.of(ptr)).invokeExact();
        System.out.printf("OpenBLAS core %s, %d threads each; %d rounds; GFLOP/s medians, ratio = engine / OpenBLAS%n",
                core.reinterpret(64).getString(0), CpuPool.threads(), rounds);
        System.out.printf("%6s %10s %10s %8s %15s%n", "n", "engine", "OpenBLAS", "ratio", "ratio q1..q3");
        GemmVsOpenBlas bench = new GemmVsOpenBlas(sgemm);
        for (int n : sizes) {
            bench.compare(n, rounds);
        }
    }

    private void compare(int n, int rounds) throws Throwable {
        Random rnd = new Random(42);
        float[] a = new float[n * n], b = new float[n * n], ours = new float[n * n], theirs = new float[n * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = rnd.nextFloat() - 0.5f;
            b[i] = rnd.nextFloat() - 0.5f;
        }
        double flop = 2.0 * n * n * n;
        int calls = Math.max(1, (int) (BATCH_FLOP / flop));
        Call engine = () -> CpuGemm.sgemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, ours, 0, n);
        MemorySegment sa = MemorySegment.ofArray(a), sb = MemorySegment.ofArray(b), sc = MemorySegment.ofArray(theirs);
        // A block body: as a statement the call is typed void, which invokeExact needs (an expression would be Object).
        Call openBlas = () -> {
            sgemm.invokeExact(ROW_MAJOR, NO_TRANS, NO_TRANS, n, n, n, 1f, sa, n, sb, n, 0f, sc, n);
        };
        timed(engine, calls);
        timed(openBlas, calls);
        checkAgree(n, ours, theirs);
        double[] rateOurs = new double[rounds], rateTheirs = new double[rounds], ratio = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            // Alternate which goes first, so that a drift within the round favours neither.
            double nsOurs, nsTheirs;
            if (r % 2 == 0) {
                nsOurs = timed(engine, calls);
                nsTheirs = timed(openBlas, calls);
            } else {
                nsTheirs = timed(openBlas, calls);
                nsOurs = timed(engine, calls);
            }
            rateOurs[r] = flop * calls / nsOurs;
            rateTheirs[r] = flop * calls / nsTheirs;
            ratio[r] = rateOurs[r] / rateTheirs[r];
        }
        Arrays.sort(rateOurs);
        Arrays.sort(rateTheirs);
        Arrays.sort(ratio);
        System.out.printf("%6d %10.1f %10.1f %8.3f %7.3f..%.3f%n", n, rateOurs[rounds / 2], rateTheirs[rounds / 2],
                ratio[rounds / 2], ratio[rounds / 4], ratio[3 * rounds / 4]);
    }

    /** One GEMM call of either library. */
    @FunctionalInterface
    private interface Call {
        void run() throws Throwable;
    }

    /** Runs {@code calls} calls after the settling pause; returns the nanoseconds they took. */
    private static double timed(Call call, int calls) throws Throwable {
        Thread.sleep(SETTLE_MS);
        long t0 = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            call.run();
        }
        return System.nanoTime() - t0;
    }

    /** Both must have computed the same product, or the comparison means nothing. */
    private static void checkAgree(int n, float[] ours, float[] theirs) {
        double worst = 0;
        for (int i = 0; i < ours.length; i++) {
            worst = Math.max(worst, Math.abs(ours[i] - theirs[i]));
        }
        // Entries are sums of n products of values in [-0.5, 0.5): rounding differs by far less than this.
        if (worst > 1e-4 * n) {
            throw new IllegalStateException("engine and OpenBLAS disagree at n = " + n + ": max |difference| " + worst);
        }
    }
}
