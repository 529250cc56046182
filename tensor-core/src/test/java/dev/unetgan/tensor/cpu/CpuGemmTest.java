package dev.unetgan.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Ops;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CpuGemmTest {
    private static final int[] ODD = {1, 7, 17, 33, 100, 257};

    /** The golden value: op(A)·op(B) accumulated in double, with the same stride conventions as sgemm. */
    private static double dot(boolean transA, boolean transB, int i, int j, int k,
                              float[] a, int offA, int lda, float[] b, int offB, int ldb) {
        double acc = 0;
        for (int q = 0; q < k; q++) {
            double av = transA ? a[offA + q * lda + i] : a[offA + i * lda + q];
            double bv = transB ? b[offB + j * ldb + q] : b[offB + q * ldb + j];
            acc += av * bv;
        }
        return acc;
    }

    private static float[] random(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = rnd.nextFloat() * 2 - 1;
        }
        return x;
    }

    /**
     * Runs sgemm on storage with offsets and padded leading dimensions, and checks every element of C against the
     * naive loop, and that C's padding (outside the m×n window) is untouched.
     */
    private static void check(boolean transA, boolean transB, int m, int n, int k, float alpha, float beta, long seed) {
        Random rnd = new Random(seed);
        int rowsA = transA ? k : m, colsA = transA ? m : k;
        int rowsB = transB ? n : k, colsB = transB ? k : n;
        int lda = colsA + 3, ldb = colsB + 5, ldc = n + 2;
        int offA = 4, offB = 9, offC = 6;
        float[] a = random(rnd, offA + rowsA * lda);
        float[] b = random(rnd, offB + rowsB * ldb);
        float[] c = random(rnd, offC + m * ldc + 3);
        if (beta == 0f) {
            // beta == 0 must not read C: NaN garbage would otherwise leak through 0·NaN.
            for (int i = 0; i < m; i++) {
                java.util.Arrays.fill(c, offC + i * ldc, offC + i * ldc + n, Float.NaN);
            }
        }
        float[] c0 = c.clone();
        CpuGemm.sgemm(transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc);
        double tol = 1e-5 * Math.max(1, k) * Math.max(1, Math.abs(alpha)) + 1e-6;
        for (int idx = 0; idx < c.length; idx++) {
            int rel = idx - offC;
            int i = Math.floorDiv(rel, ldc), j = Math.floorMod(rel, ldc);
            if (rel < 0 || i >= m || j >= n) {
                assertEquals(Float.floatToIntBits(c0[idx]), Float.floatToIntBits(c[idx]), "padding changed at " + idx);
                continue;
            }
            double want = alpha * dot(transA, transB, i, j, k, a, offA, lda, b, offB, ldb)
                    + (beta == 0f ? 0 : beta * (double) c0[idx]);
            double got = c[idx];
            if (!(Math.abs(got - want) <= tol)) {
                throw new AssertionError(String.format(
                        "tA=%b tB=%b m=%d n=%d k=%d alpha=%s beta=%s: C[%d,%d]=%s want %s",
                        transA, transB, m, n, k, alpha, beta, i, j, got, want));
            }
        }
    }

    @Test
    void allTransposesOddSizes() {
        long seed = 1;
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                for (int m : ODD) {
                    for (int n : ODD) {
                        int k = ODD[(m + n) % ODD.length];
                        check(ta, tb, m, n, k, 1f, 0f, seed++);
                    }
                }
            }
        }
    }

    @Test
    void alphaBeta() {
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                check(ta, tb, 33, 47, 17, 0.5f, 0f, 11);
                check(ta, tb, 33, 47, 17, -2f, 1f, 12);
                check(ta, tb, 100, 65, 33, 1.5f, -0.25f, 13);
                check(ta, tb, 12, 32, 7, 1f, 2f, 14);
            }
        }
    }

    @Test
    void largerThanOneCacheBlockInEveryDimension() {
        // K > KC sums several depth blocks in the accumulator; M > MC and N > NC exercise every loop of the nest; and
        // the product is big enough to be split between threads.
        check(false, false, GemmPacked.MC + 31, GemmPacked.NC + 17, GemmPacked.KC * 2 + 5, 0.75f, 0.5f, 21);
        check(true, true, 300, 70, GemmPacked.KC + 1, 1f, 0f, 22);
        check(false, true, 70, 300, 520, 1f, 1f, 23);
        // A transposed B packs whole slivers by gathers at most strides (ldb = K + 5 here), and column by column
        // at a multiple of 512, where gathers miss in L1: K = 507 gives ldb 512.
        assertFalse(GemmPacked.gathersColumns(512));
        // WinogradFilterGradient pads V's rows with ForwardConv.planeStride so that its GEMMs gather.
        for (int tiles = 256; tiles <= 1 << 14; tiles += 256) {
            assertTrue(GemmPacked.gathersColumns(ForwardConv.planeStride(tiles)), "stride for " + tiles + " tiles");
        }
        check(false, true, 40, 2 * GemmPacked.NR + 5, 507, 1f, 0.5f, 27);
        // A deep product narrows the whole-depth B panel: every thread's share of N then spans two panels or more,
        // the last one partial, in every layout.
        int k = 4100, panel = GemmPacked.B_PANEL / k / GemmPacked.NR * GemmPacked.NR;
        int n = 2 * CpuPool.threads() * panel + 24;
        check(false, false, 20, n, k, 1f, 0.5f, 24);
        check(true, true, 20, n, k, 1f, 0f, 25);
        // Tall and deep: the threads claim row blocks in two column panels, each packing both panels of B (3 MiB
        // each, more than a per-core L2 of 1 or 2 MiB: the taller row blocks).
        check(false, false, 400, 2 * panel - 7, k, 1f, 0.5f, 26);
    }

    /**
     * Row blocks are about {@link GemmPacked#CLAIMS_PER_THREAD} per thread while a B panel fits the per-core L2, and
     * half as many, twice as tall, once it does not; never taller than MC, never empty.
     */
    @Test
    void rowBlocksGrowWhenThePanelOutgrowsTheL2() {
        long fits = CpuCaches.L2_BYTES, outgrows = CpuCaches.L2_BYTES + 1;
        assertEquals(342 / (2 * GemmPacked.CLAIMS_PER_THREAD), GemmPacked.rowBlockTiles(342, 2, fits));
        assertEquals(342 / GemmPacked.CLAIMS_PER_THREAD, GemmPacked.rowBlockTiles(342, 2, outgrows));
        assertEquals(GemmPacked.MC / GemmPacked.MR, GemmPacked.rowBlockTiles(100_000, 2, outgrows));
        assertEquals(1, GemmPacked.rowBlockTiles(3, 2, fits));
    }

    /**
     * The depth block is the deepest multiple of 128 (from 128 to 512) at which the A block and one B sliver fill at
     * most 3/4 of the L2, on L2 sizes from 256 KiB to 4 MiB, with hand-worked values at 128 KiB to 2 MiB; this
     * machine's {@link GemmPacked#KC} follows its own.
     */
    @Test
    void depthBlocksAreAsDeepAsTheL2Allows() {
        long bytesPerDepth = (long) (GemmPacked.MC + GemmPacked.NR) * Float.BYTES;
        for (long l2 = 256 << 10; l2 <= 4 << 20; l2 += 64 << 10) {
            int kc = GemmPacked.depthBlock(l2);
            assertEquals(0, kc % 128, l2 + " bytes of L2: " + kc);
            assertTrue(kc >= 128 && kc <= 512, l2 + " bytes of L2: " + kc);
            assertTrue(kc == 128 || kc * bytesPerDepth <= l2 * 3 / 4, l2 + " bytes of L2: " + kc + " overflows");
            assertTrue(kc == 512 || (kc + 128) * bytesPerDepth > l2 * 3 / 4,
                    l2 + " bytes of L2: " + kc + " too shallow");
        }
        // Worked by hand: 3/4 of 512 KiB is 393,216 bytes, over 1408 bytes a depth step with the 6x64 tile (MC 288)
        // 279 steps, over 1024 with the 5x16 tile (MC 240) 384, and over 992 with 5x8 (four lanes) 396.
        int at512KiB = GemmPacked.NR == 64 ? 256 : 384;
        assertEquals(at512KiB, GemmPacked.depthBlock(512 << 10));
        assertEquals(512, GemmPacked.depthBlock(1 << 20));
        assertEquals(512, GemmPacked.depthBlock(2 << 20));
        assertEquals(128, GemmPacked.depthBlock(128 << 10));
        assertEquals(GemmPacked.depthBlock(CpuCaches.L2_BYTES), GemmPacked.KC);
    }

    /**
     * Each C element is summed in the same order however the call cuts C between threads: the whole product, row
     * slices and column slices (each its own call, cut its own way) agree bit for bit.
     */
    @Test
    void resultsDoNotDependOnHowCIsCut() {
        Random rnd = new Random(27);
        int m = 203, n = 150, k = 2 * GemmPacked.KC + 9;
        float[] a = random(rnd, m * k), b = random(rnd, k * n);
        float[] whole = new float[m * n], rows = new float[m * n], cols = new float[m * n];
        CpuGemm.sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, whole, 0, n);
        for (int i0 = 0; i0 < m; i0 += 7) {
            int h = Math.min(7, m - i0);
            CpuGemm.sgemm(false, false, h, n, k, 1f, a, i0 * k, k, b, 0, n, 0f, rows, i0 * n, n);
        }
        for (int j0 = 0; j0 < n; j0 += 24) {
            int w = Math.min(24, n - j0);
            CpuGemm.sgemm(false, false, m, w, k, 1f, a, 0, k, b, j0, n, 0f, cols, j0, n);
        }
        assertArrayEquals(whole, rows);
        assertArrayEquals(whole, cols);
    }

    /**
     * A packed element by element at {@code packedAt} (from an offset) gives through {@code sgemmPackedA} bit for bit
     * what {@code sgemm} gives from A itself, B plain and transposed, beta 0 and not: a small product; one on one
     * thread with more rows than a row block (MC); and one on the pool whose depth spans three KC blocks (the last
     * partial) and whose rows end in a partial sliver.
     */
    @Test
    void prePackedAMatchesSgemm() {
        Random rnd = new Random(3);
        int[][] shapes = {{7, 9, 5}, {GemmPacked.MC + 2 * GemmPacked.MR + 1, 4, 100},
            {203, 150, 2 * GemmPacked.KC + 9}};
        for (int[] mnk : shapes) {
            int m = mnk[0], n = mnk[1], k = mnk[2];
            float[] a = random(rnd, m * k), b = random(rnd, k * n), c0 = random(rnd, m * n);
            float[] packed = new float[3 + GemmPacked.packedSize(m, k)];
            for (int i = 0; i < m; i++) {
                for (int d = 0; d < k; d++) {
                    packed[3 + GemmPacked.packedAt(i, d, m, k)] = a[i * k + d];
                }
            }
            for (boolean transB : new boolean[] {false, true}) {
                float beta = transB ? 0f : 0.75f;
                int ldb = transB ? k : n;
                float[] expected = c0.clone(), actual = c0.clone();
                GemmPacked.sgemm(false, transB, m, n, k, 1.5f, a, 0, k, b, 0, ldb, beta, expected, 0, n);
                GemmPacked.sgemmPackedA(m, n, k, 1.5f, packed, 3, transB, b, 0, ldb, beta, actual, 0, n);
                assertArrayEquals(expected, actual, m + "x" + n + "x" + k + ", transB " + transB);
            }
        }
    }

    @Test
    void emptyProductScalesC() {
        float[] c = {1, 2, 3, 4};
        CpuGemm.sgemm(false, false, 2, 2, 0, 1f, new float[0], 0, 0, new float[0], 0, 2, 3f, c, 0, 2);
        assertArrayEquals(new float[] {3, 6, 9, 12}, c);
        float[] nan = {Float.NaN, Float.NaN};
        CpuGemm.sgemm(false, false, 1, 2, 3, 0f, new float[3], 0, 3, new float[6], 0, 2, 0f, nan, 0, 2);
        assertArrayEquals(new float[] {0, 0}, nan);
    }

    @Test
    void scalarPathMatchesVectorPath() {
        Random rnd = new Random(5);
        int m = 37, n = 53, k = 129;
        float[] a = random(rnd, k * m), b = random(rnd, n * k), c = random(rnd, m * n);
        float[] vec = c.clone(), sca = c.clone();
        CpuGemm.sgemm(true, true, m, n, k, 0.5f, a, 0, m, b, 0, k, 1.5f, vec, 0, n);
        CpuOptions.setScalar(true);
        try {
            CpuGemm.sgemm(true, true, m, n, k, 0.5f, a, 0, m, b, 0, k, 1.5f, sca, 0, n);
            // Under the scalar switch, sgemm must still be correct (it takes the reference loop).
            check(false, true, 17, 33, 100, 1f, 0.5f, 6);
        } finally {
            CpuOptions.setScalar(false);
        }
        boolean differ = false;
        for (int i = 0; i < vec.length; i++) {
            assertEquals(sca[i], vec[i], 1e-5 * k, "element " + i);
            differ |= sca[i] != vec[i];
        }
        // The paths round differently (float accumulation order, FMA); identical bits would mean one path ran twice.
        assertTrue(differ, "vector and scalar results are bit-identical; is the scalar switch honoured?");
    }

    @Test
    void batchedBroadcastMatmulF32() {
        Random rnd = new Random(7);
        int batch = 5, m = 7, k = 33, n = 17;
        float[] a = random(rnd, batch * m * k), b = random(rnd, k * n);
        try (NDArray na = NDArray.of(a, batch, m, k); NDArray nb = NDArray.of(b, k, n);
             NDArray out = Ops.matmul(na, nb)) {
            assertEquals(3, out.rank());
            float[] got = out.toFloatArray();
            for (int p = 0; p < batch; p++) {
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double want = dot(false, false, i, j, k, a, p * m * k, k, b, 0, n);
                        assertEquals(want, got[(p * m + i) * n + j], 1e-5 * k);
                    }
                }
            }
        }
        // Broadcast on the left, transposed right operand, and a batch large enough to run one product per thread.
        float[] a1 = random(rnd, m * k), b3 = random(rnd, 64 * n * k);
        try (NDArray na = NDArray.of(a1, 1, m, k); NDArray nb = NDArray.of(b3, 64, n, k);
             NDArray out = Ops.matmul(na, nb, false, true)) {
            float[] got = out.toFloatArray();
            for (int p = 0; p < 64; p++) {
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double want = dot(false, true, i, j, k, a1, 0, k, b3, p * n * k, k);
                        assertEquals(want, got[(p * m + i) * n + j], 1e-5 * k);
                    }
                }
            }
        }
    }

    @Test
    void matmulF64AllTransposes() {
        double[] a = {1, 2, 3, 4, 5, 6};      // [2,3]
        double[] b = {7, 8, 9, 10, 11, 12};   // [3,2]
        // [2,3]·[3,2] computed by hand.
        double[] ab = {58, 64, 139, 154};
        try (NDArray na = NDArray.of(a, 2, 3); NDArray nb = NDArray.of(b, 3, 2);
             NDArray out = Ops.matmul(na, nb);
             NDArray at = NDArray.of(new double[] {1, 4, 2, 5, 3, 6}, 3, 2);
             NDArray bt = NDArray.of(new double[] {7, 9, 11, 8, 10, 12}, 2, 3);
             NDArray outTT = Ops.matmul(at, bt, true, true);
             NDArray outT0 = Ops.matmul(at, nb, true, false);
             NDArray out0T = Ops.matmul(na, bt, false, true)) {
            assertArrayEquals(ab, out.toDoubleArray(), 0);
            assertArrayEquals(ab, outTT.toDoubleArray(), 0);
            assertArrayEquals(ab, outT0.toDoubleArray(), 0);
            assertArrayEquals(ab, out0T.toDoubleArray(), 0);
        }
        // Batched F64 with broadcast on the right.
        Random rnd = new Random(9);
        int batch = 3, m = 5, k = 7, n = 4;
        double[] a3 = new double[batch * m * k], b1 = new double[k * n];
        for (int i = 0; i < a3.length; i++) a3[i] = rnd.nextGaussian();
        for (int i = 0; i < b1.length; i++) b1[i] = rnd.nextGaussian();
        try (NDArray na = NDArray.of(a3, batch, m, k); NDArray nb = NDArray.of(b1, 1, k, n);
             NDArray out = Ops.matmul(na, nb)) {
            double[] got = out.toDoubleArray();
            for (int p = 0; p < batch; p++) {
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double want = 0;
                        for (int q = 0; q < k; q++) want += a3[p * m * k + i * k + q] * b1[q * n + j];
                        assertEquals(want, got[(p * m + i) * n + j], 1e-12);
                    }
                }
            }
        }
    }
}
