package dev.unetgan.cuda;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The tiers a runtime falls back to without cuBLAS or cuDNN (the tiled SGEMM kernel, im2col convolution), run on the
 * host emulation against the plain reference of the same vendor contract.
 */
class FallbackTierTest {
    private static final HostEmulationRuntime rt = EmulatedRuntime.get();

    private static long random(int n, long seed) {
        float[] f = new float[n];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            f[i] = (float) r.nextDouble(-1, 1);
        }
        long p = rt.malloc(4L * Math.max(1, n));
        rt.copyToDevice(MemorySegment.ofArray(f), p, 4L * n);
        return p;
    }

    private static float[] download(long p, int n) {
        float[] f = new float[n];
        rt.copyToHost(p, MemorySegment.ofArray(f), 4L * n);
        return f;
    }

    private static void assertClose(String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-4 + 1e-4 * Math.abs(expected[i]), what + " [" + i + "]");
        }
    }

    @Test
    void tiledSgemmMeetsTheCublasContract() {
        TiledSgemm tiled = new TiledSgemm(rt);
        try (DeviceScalars scalars = new DeviceScalars(rt)) {
            int[][] sizes = {{1, 1, 1}, {17, 70, 5}, {64, 64, 16}, {70, 9, 33}};
            for (int[] s : sizes) {
                int m = s[0], n = s[1], k = s[2], batch = 2;
                for (boolean ta : new boolean[]{false, true}) {
                    for (boolean tb : new boolean[]{false, true}) {
                        for (float beta : new float[]{0, 1.5f}) {
                            int lda = (ta ? k : m) + 3, ldb = (tb ? n : k) + 1, ldc = m + 2;
                            long strideA = (long) lda * (ta ? m : k) + 5, strideB = 0, strideC = (long) ldc * n;
                            long a = random((int) (strideA * batch), 1), b = random(ldb * (tb ? k : n), 2);
                            int cSize = (int) (strideC * batch);
                            long c1 = random(cSize, 3), c2 = random(cSize, 3);
                            long alpha = scalars.of(0.5f), betaAt = scalars.of(beta);
                            rt.sgemmStridedBatched(ta, tb, m, n, k, alpha, a, lda, strideA, b, ldb, strideB, betaAt, c1,
                                    ldc, strideC, batch);
                            tiled.sgemmStridedBatched(ta, tb, m, n, k, alpha, a, lda, strideA, b, ldb, strideB, betaAt, c2,
                                    ldc, strideC, batch);
                            assertClose("sgemm " + List.of(m, n, k) + " ta=" + ta + " tb=" + tb + " beta=" + beta,
                                    download(c1, cSize), download(c2, cSize));
                            for (long p : new long[]{a, b, c1, c2}) {
                                rt.free(p);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void im2colConvolutionMeetsTheCudnnContract() {
        try (KernelConvolution conv = new KernelConvolution(rt)) {
            im2colAgainstReference(conv);
        }
    }

    private static void im2colAgainstReference(KernelConvolution conv) {
        List<ConvGeometry> geometries = List.of(
                new ConvGeometry(2, 3, 5, 5, 4, 3, 3, 1, 1, 1, 1, 1, 1),
                new ConvGeometry(2, 3, 5, 5, 4, 3, 3, 1, 1, 2, 2, 1, 1),
                new ConvGeometry(1, 2, 5, 5, 3, 3, 3, 2, 2, 1, 1, 2, 2),
                new ConvGeometry(1, 2, 6, 5, 3, 2, 3, 1, 0, 2, 1, 1, 2),
                new ConvGeometry(2, 3, 3, 4, 5, 1, 1, 0, 0, 1, 1, 1, 1));
        for (ConvGeometry g : geometries) {
            int xs = g.n() * g.c() * g.h() * g.w(), ws = g.k() * g.c() * g.r() * g.s(), ys = g.n() * g.k() * g.p() * g.q();
            long x = random(xs, 4), w = random(ws, 5), dy = random(ys, 6);
            long work = rt.malloc(conv.workspaceBytes(g, DeviceRuntime.ConvPass.FORWARD));
            for (float beta : new float[]{0, 2}) {
                long y1 = random(ys, 7), y2 = random(ys, 7);
                rt.convolutionForward(g, 0.5f, x, w, beta, y1, 0);
                conv.forward(g, 0.5f, x, w, beta, y2, work);
                assertClose("forward " + g + " beta " + beta, download(y1, ys), download(y2, ys));
                long dx1 = random(xs, 8), dx2 = random(xs, 8);
                rt.convolutionBackwardData(g, 0.5f, w, dy, beta, dx1, 0);
                conv.backwardData(g, 0.5f, w, dy, beta, dx2, work);
                assertClose("backward data " + g + " beta " + beta, download(dx1, xs), download(dx2, xs));
                long dw1 = random(ws, 9), dw2 = random(ws, 9);
                rt.convolutionBackwardFilter(g, 0.5f, x, dy, beta, dw1, 0);
                conv.backwardFilter(g, 0.5f, x, dy, beta, dw2, work);
                assertClose("backward filter " + g + " beta " + beta, download(dw1, ws), download(dw2, ws));
                for (long p : new long[]{y1, y2, dx1, dx2, dw1, dw2}) {
                    rt.free(p);
                }
            }
            for (long p : new long[]{x, w, dy, work}) {
                rt.free(p);
            }
        }
    }
}
