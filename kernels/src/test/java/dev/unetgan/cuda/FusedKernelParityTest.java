package dev.unetgan.cuda;

import dev.unetgan.autograd.OpSpecRunner;
import dev.unetgan.tensor.AdamStep;
import dev.unetgan.tensor.CutMixBox;
import dev.unetgan.tensor.Device;
import dev.unetgan.tensor.GanLossKind;
import dev.unetgan.tensor.GanOps;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Ops;
import dev.unetgan.tensor.OptimOps;
import dev.unetgan.tensor.Scope;
import dev.unetgan.tensor.Shape;
import dev.unetgan.tensor.SpectralNormOps;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Each fused kernel of the mission on the CUDA backend (host emulation) against its CPU implementation, on edge
 * cases: batch 1, sizes that are not multiples of the block (256) or of the loss chunk (4096), empty and full CutMix
 * boxes, inverted masks, null optional outputs, and the spectral norm with and without the training write-back.
 */
class FusedKernelParityTest {
    private static final Device CUDA = Device.cuda(0);
    private static final double ATOL = 1e-5, RTOL = 1e-4;

    private static float[] random(int n, long seed, double lo, double hi) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) r.nextDouble(lo, hi);
        }
        return f;
    }

    private static float[] mask(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = r.nextBoolean() ? 1 : 0;
        }
        return f;
    }

    private static NDArray on(Device d, float[] data, int... dims) {
        return NDArray.of(data, Shape.of(dims), d);
    }

    private static void close(String what, NDArray cuda, NDArray cpu) {
        OpSpecRunner.compare(what, List.of(cuda.toDoubleArray()), List.of(cpu.toDoubleArray()), ATOL, RTOL);
    }

    @ParameterizedTest
    @EnumSource(GanLossKind.class)
    void ganLossValueAndGradient(GanLossKind kind) {
        for (int n : new int[]{1, 255, 4096, 4097, 9000}) {
            float[] logits = random(n, n, -3, 3);
            float[] target = kind == GanLossKind.BCE ? random(n, n + 1, 0, 1) : mask(n, n + 1);
            for (boolean perElement : new boolean[]{false, true}) {
                for (double constant : new double[]{0, 1}) {
                    String what = kind + " n=" + n + (perElement ? " per-element target" : " target " + constant);
                    try (Scope s = Scope.open()) {
                        GanOps.LossAndGrads cpu = perElement
                                ? GanOps.ganLoss(kind, on(Device.CPU, logits, n), on(Device.CPU, target, n), 0.7, true)
                                : GanOps.ganLoss(kind, on(Device.CPU, logits, n), constant, 0.7, true);
                        GanOps.LossAndGrads cuda = perElement
                                ? GanOps.ganLoss(kind, on(CUDA, logits, n), on(CUDA, target, n), 0.7, true)
                                : GanOps.ganLoss(kind, on(CUDA, logits, n), constant, 0.7, true);
                        close(what + " loss", cuda.loss(), cpu.loss());
                        close(what + " grad", cuda.grad(0), cpu.grad(0));
                        GanOps.LossAndGrads noGrad = GanOps.ganLoss(kind, on(CUDA, logits, n), constant, 0.7, false);
                        if (!perElement) {
                            assertEquals(cuda.loss().item(), noGrad.loss().item(), what + ": same loss without grad");
                        }
                    }
                }
            }
        }
    }

    @Test
    void ganLossIsBitIdenticalFromRunToRun() {
        int n = 3 * 4096 + 17;
        float[] logits = random(n, 5, -4, 4);
        try (Scope s = Scope.open()) {
            double first = GanOps.ganLoss(GanLossKind.BCE, on(CUDA, logits, n), 1, 1, false).loss().item();
            for (int i = 0; i < 3; i++) {
                assertEquals(first, GanOps.ganLoss(GanLossKind.BCE, on(CUDA, logits, n), 1, 1, false).loss().item());
            }
        }
    }

    @Test
    void lossPartialsDoNotDependOnTheGridSize() {
        HostEmulationRuntime rt = EmulatedRuntime.get();
        int n = 5 * CudaGan.CHUNK + 123, chunks = 6;
        float[] logits = random(n, 9, -3, 3);
        long x = rt.malloc(4L * n), partials = rt.malloc(8L * chunks);
        rt.copyToDevice(java.lang.foreign.MemorySegment.ofArray(logits), x, 4L * n);
        List<double[]> results = new ArrayList<>();
        for (int grid : new int[]{chunks, 1, 4}) {
            rt.launch(rt.kernel("gan_loss_partial_kernel"), Dim3.of(grid), Dim3.of(KernelLauncher.BLOCK), 0,
                    new KernelArgs().i32(GanLossKind.BCE.ordinal()).ptr(x).ptr(0).f32(1).f32(1)
                            .ptr(0).ptr(partials).i64(n));
            double[] p = new double[chunks];
            rt.copyToHost(partials, java.lang.foreign.MemorySegment.ofArray(p), 8L * chunks);
            results.add(p);
        }
        assertArrayEquals(results.get(0), results.get(1), "one block striding over the chunks");
        assertArrayEquals(results.get(0), results.get(2), "four blocks");
        rt.free(x);
        rt.free(partials);
    }

    @Test
    void consistencyLossAndItsThreeGradients() {
        for (int n : new int[]{1, 300, 5000}) {
            float[] mixed = random(n, 1, -2, 2), real = random(n, 2, -2, 2), fake = random(n, 3, -2, 2);
            float[] m = mask(n, 4);
            for (int which = 0; which < 8; which++) {
                boolean gm = (which & 1) != 0, gr = (which & 2) != 0, gf = (which & 4) != 0;
                try (Scope s = Scope.open()) {
                    GanOps.LossAndGrads cpu = GanOps.cutmixConsistency(on(Device.CPU, mixed, n), on(Device.CPU, real, n),
                            on(Device.CPU, fake, n), on(Device.CPU, m, n), 1.5, gm, gr, gf);
                    GanOps.LossAndGrads cuda = GanOps.cutmixConsistency(on(CUDA, mixed, n), on(CUDA, real, n),
                            on(CUDA, fake, n), on(CUDA, m, n), 1.5, gm, gr, gf);
                    String what = "consistency n=" + n + " grads " + gm + gr + gf;
                    close(what + " loss", cuda.loss(), cpu.loss());
                    for (int g = 0; g < 3; g++) {
                        assertEquals(cpu.grad(g) == null, cuda.grad(g) == null, what);
                        if (cpu.grad(g) != null) {
                            close(what + " grad " + g, cuda.grad(g), cpu.grad(g));
                        }
                    }
                }
            }
        }
    }

    @Test
    void cutmixBlendIsBitExactOnEdgeBoxes() {
        record Case(int[] dims, CutMixBox[] boxes) {
        }
        List<Case> cases = new ArrayList<>();
        cases.add(new Case(new int[]{1, 3, 5, 7}, new CutMixBox[]{new CutMixBox(1, 4, 2, 6, false)}));
        cases.add(new Case(new int[]{1, 1, 1, 1}, new CutMixBox[]{new CutMixBox(0, 1, 0, 1, true)}));
        cases.add(new Case(new int[]{4, 2, 17, 33}, new CutMixBox[]{
                new CutMixBox(3, 3, 0, 33, false),   // empty (no rows)
                new CutMixBox(0, 17, 0, 33, false),  // full
                new CutMixBox(0, 17, 0, 33, true),   // full, inverted
                new CutMixBox(16, 17, 32, 33, true)}));  // corner pixel, inverted
        for (Case c : cases) {
            int n = c.dims()[0] * c.dims()[1] * c.dims()[2] * c.dims()[3];
            float[] real = random(n, 7, -1, 1), fake = random(n, 8, -1, 1);
            try (Scope s = Scope.open()) {
                GanOps.Mix cpu = GanOps.cutmixBlend(on(Device.CPU, real, c.dims()), on(Device.CPU, fake, c.dims()), c.boxes());
                GanOps.Mix cuda = GanOps.cutmixBlend(on(CUDA, real, c.dims()), on(CUDA, fake, c.dims()), c.boxes());
                assertArrayEquals(cpu.mixed().toFloatArray(), cuda.mixed().toFloatArray(), "mixed " + Shape.of(c.dims()));
                assertArrayEquals(cpu.mask().toFloatArray(), cuda.mask().toFloatArray(), "mask " + Shape.of(c.dims()));
            }
        }
    }

    @Test
    void spectralNormPowerIterationWithAndWithoutWriteBack() {
        int[][] shapes = {{1, 7}, {7, 1}, {37, 129}, {5, 3, 3, 3}, {300, 40}};
        for (int[] dims : shapes) {
            int rows = dims[0], size = 1;
            for (int d : dims) {
                size *= d;
            }
            float[] w = random(size, size, -1, 1), u = random(rows, rows, -1, 1);
            for (boolean update : new boolean[]{false, true}) {
                for (boolean withSv : new boolean[]{false, true}) {
                    String what = "spectral norm " + Shape.of(dims) + " update=" + update + " sv=" + withSv;
                    try (Scope s = Scope.open()) {
                        NDArray uCpu = on(Device.CPU, u, 1, rows), uCuda = on(CUDA, u, 1, rows);
                        NDArray svCpu = withSv ? on(Device.CPU, new float[]{-1}, 1) : null;
                        NDArray svCuda = withSv ? on(CUDA, new float[]{-1}, 1) : null;
                        SpectralNormOps.PowerIteration cpu = SpectralNormOps.powerIteration(on(Device.CPU, w, dims),
                                uCpu, svCpu, 1e-12, update);
                        NDArray wCuda = on(CUDA, w, dims);
                        SpectralNormOps.PowerIteration cuda = SpectralNormOps.powerIteration(wCuda, uCuda, svCuda,
                                1e-12, update);
                        close(what + " sigma", cuda.sigma(), cpu.sigma());
                        close(what + " v", cuda.v(), cpu.v());
                        close(what + " u'", cuda.u(), cpu.u());
                        close(what + " u state", uCuda, uCpu);
                        if (!update) {
                            assertArrayEquals(u, uCuda.toFloatArray(), what + ": u untouched in eval");
                        }
                        if (withSv) {
                            close(what + " sv", svCuda, svCpu);
                        }
                        close(what + " scale", SpectralNormOps.scale(wCuda, cuda.sigma()),
                                SpectralNormOps.scale(on(Device.CPU, w, dims), cpu.sigma()));
                    }
                }
            }
        }
    }

    /** The path of the SN layers (UNETGAN.md §4): σ, W/σ, a GEMM with W/σ, and the backward's scaling by 1/σ. */
    @Test
    void spectralNormKeepsSigmaOnTheDevice() {
        HostEmulationRuntime rt = (HostEmulationRuntime) ((CudaBackend) CUDA.backend()).runtime();
        float[] w = random(24 * 50, 1, -1, 1), u = random(24, 2, -1, 1), x = random(3 * 50, 3, -1, 1);
        try (Scope s = Scope.open()) {
            NDArray wCuda = on(CUDA, w, 24, 50), uCuda = on(CUDA, u, 1, 24), xCuda = on(CUDA, x, 3, 50);
            long before = rt.bytesToHost();
            SpectralNormOps.PowerIteration it = SpectralNormOps.powerIteration(wCuda, uCuda, null, 1e-12, true);
            NDArray y = Ops.matmul(xCuda, SpectralNormOps.scale(wCuda, it.sigma()), false, true);
            NDArray gradW = SpectralNormOps.scale(Ops.matmul(y, xCuda, true, false), it.sigma());
            assertEquals(before, rt.bytesToHost(), "bytes copied to the host during the spectral norm");
            NDArray wCpu = on(Device.CPU, w, 24, 50), xCpu = on(Device.CPU, x, 3, 50);
            NDArray sigmaCpu = SpectralNormOps.powerIteration(wCpu, on(Device.CPU, u, 1, 24), null, 1e-12, true).sigma();
            NDArray yCpu = Ops.matmul(xCpu, SpectralNormOps.scale(wCpu, sigmaCpu), false, true);
            close("y", y, yCpu);
            close("grad w", gradW, SpectralNormOps.scale(Ops.matmul(yCpu, xCpu, true, false), sigmaCpu));
        }
    }

    @Test
    void adamStepsMatchTheCpu() {
        for (int n : new int[]{1, 1000, 1027}) {
            for (double wd : new double[]{0, 0.01}) {
                for (double b1 : new double[]{0, 0.9}) {
                    String what = "adam n=" + n + " wd=" + wd + " b1=" + b1;
                    try (Scope s = Scope.open()) {
                        float[] p = random(n, 1, -1, 1);
                        NDArray[] cpu = {on(Device.CPU, p, n), on(Device.CPU, new float[n], n), on(Device.CPU, new float[n], n)};
                        NDArray[] cuda = {on(CUDA, p, n), on(CUDA, new float[n], n), on(CUDA, new float[n], n)};
                        for (int t = 1; t <= 3; t++) {
                            float[] g = random(n, 10 + t, -1, 1);
                            AdamStep hp = new AdamStep(0.05, b1, 0.999, 1e-8, wd, t);
                            OptimOps.adamUpdate(cpu[0], on(Device.CPU, g, n), cpu[1], cpu[2], hp);
                            OptimOps.adamUpdate(cuda[0], on(CUDA, g, n), cuda[1], cuda[2], hp);
                        }
                        close(what + " param", cuda[0], cpu[0]);
                        close(what + " m", cuda[1], cpu[1]);
                        close(what + " v", cuda[2], cpu[2]);
                    }
                }
            }
        }
    }
}
