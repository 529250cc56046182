package dev.unetgan.tensor.cpu;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntBinaryOperator;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The packed, cache-blocked F32 GEMM behind {@link CpuGemm#sgemm}, in the GotoBLAS/BLIS layout with one change,
 * where C lives while its sums build up:
 * <pre>
 *   for jc in N step nc:            pack op(B)[0..K, jc..] whole-depth, in NR-column slivers (B panel, L3)
 *     for ic in M step MC:          C block MC×nc, summed in a tile-ordered accumulator (L2)
 *       for pc in K step KC:        pack op(A)[ic.., pc..] into MR-row slivers (A block, L2), unless A comes packed
 *         for jr in nc step NR:     one B sliver KC×NR streams from L1 or L2 ...
 *           for ir in MC step MR:   ... while the MR×NR register tile streams A slivers from L2
 *       store the accumulator into C once: alpha, beta, partial tiles
 * </pre>
 * Packing makes every transpose combination look the same to the micro-kernel and zero-pads partial slivers, so
 * the kernel always runs full tiles. Goto's order ({@code jc, pc, ic}) adds every depth block's tile straight into
 * C, which reads and writes all of C K/KC times: 8 passes over 16 MiB at 2048³ (with the 8-row tile and KC 256 of
 * that time), its rows 8 KiB apart, so every tile's rows share one L1 set and come from L3. On the Xeon that store
 * held 22% of the profile samples at 2048³ on one thread, and skipping it (as an experiment) made the call 1.4x
 * faster. Here a C block stays in a contiguous accumulator, each tile's 1.5 KiB in a row, until its last depth
 * block, and C is written once: 1.11-1.19x faster at 2048³, 1.03-1.10x at 1024³. The price is a whole-depth B
 * panel (hence {@code nc} shrinks as K grows) and packing A once per {@code jc}.
 *
 * <p>Threads: C is cut along the longer of M and N into blocks of whole tiles, and the threads claim the blocks
 * from a counter, each running the blocked loop on its blocks with its own packing buffers. That costs one pool
 * wake-up per call and no synchronisation inside; the price is that every thread packs the operand it shares:
 * each B panel it works in, for a cut along M, which is O(NK) against O(MNK/T) FMAs. A block of columns packs all
 * of op(A) again, so a cut along N (only when N is the longer side) is one block per thread and panel. Rows are cut
 * into about {@link #CLAIMS_PER_THREAD} blocks per thread, claimed column panel by column panel so a thread packs
 * each B panel once: a thread that another process slows on its core then does less of the work, where one fixed
 * block each left the other thread waiting (on the AVX2 EPYC, paired over 15 rounds: 1.05x at 1024³, 1.08x at
 * 2048³, 1.09x at 512³); half as many, twice as tall, where the B panel outgrows the L2 ({@link #rowBlockTiles}).
 * Every C element is summed in the same order however C is cut, so results do not depend on the thread count. A
 * variant with one shared B panel, dynamic row blocks and two barriers per K block measured no faster on a quiet
 * machine and slower when another process shared a core (a descheduled thread stalls every barrier); see
 * benchmarks/README.md.
 */
final class GemmPacked {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int V = MicroKernel.V;
    static final int MR = MicroKernel.MR;
    static final int NR = MicroKernel.NR;
    /**
     * 48 tiles of rows (MC×KC×4 = 576 KiB of A with AVX-512 and a 1 MiB L2), which stay in L2 while the B slivers
     * stream past them; each B sliver serves 48 tiles. 288 rows measured as fast as 576 and faster than 144 at 1024³
     * and 2048³ on the Xeon, and 144 no faster on the Zen 4.
     */
    static final int MC = 48 * MR;
    /**
     * Depth of one packed block ({@link #depthBlock} of this machine's L2): 512 on a 1 or 2 MiB L2, 384 on 512 KiB
     * with AVX2.
     */
    static final int KC = depthBlock(CpuCaches.L2_BYTES);
    /**
     * Floats of one whole-depth B panel per thread (4 MiB): {@code nc = B_PANEL / K}, so two threads' panels fit a
     * shared L3. At K = 2048 that is 512 columns and a 576 KiB accumulator.
     */
    static final int B_PANEL = 1 << 20;
    /** The widest C block (1024 columns), which bounds the accumulator (MC×NC×4 ≤ 1.1 MiB) when K is small. */
    static final int NC = 1024;
    /**
     * Row blocks of C per thread when the threads cut C along M (see the class comment), halved where the B panel
     * outgrows the per-core L2 ({@link #rowBlockTiles}).
     */
    static final int CLAIMS_PER_THREAD = 8;
    /** Below this many multiply-adds (M·N·K) a second thread costs more to wake than it saves. */
    private static final long PARALLEL_MIN = 64L * 64 * 64;

    /** Rows of op(B) that {@link #packB} copies across all slivers before moving down. */
    private static final int PACK_B_ROWS = 16;

    /** Columns of an A sliver that one {@link #packRows} gather block fills: the fewest that make whole vectors. */
    private static final int GATHER_COLS = lcm(MR, V) / MR;
    private static final int GATHER_VECTORS = GATHER_COLS * MR / V;

    /** Per-thread packing buffers, grown on demand and reused, so the blocked loop never allocates. */
    private static final class Buffers {
        float[] a = new float[0];
        float[] b = new float[0];
        float[] acc = new float[0];
        /** Element e of an A gather block comes from row e mod MR, column e / MR (see {@link #packRows}). */
        final GatherMap aRows = new GatherMap(GATHER_COLS * MR, (e, lda) -> e % MR * lda + e / MR);
        /** Lane j of a transposed B sliver's row comes from column j (see {@link #packB}). */
        final GatherMap bColumns = new GatherMap(NR, (j, ldb) -> j * ldb);
    }

    /** A gather's offsets at one stride: lane e reads {@code offset(e, stride)}; remade when the stride changes. */
    private static final class GatherMap {
        private final int[] at;
        private final IntBinaryOperator offset;
        private int stride = -1;

        GatherMap(int lanes, IntBinaryOperator offset) {
            this.at = new int[lanes];
            this.offset = offset;
        }

        int[] of(int stride) {
            if (stride != this.stride) {
                for (int e = 0; e < at.length; e++) {
                    at[e] = offset.applyAsInt(e, stride);
                }
                this.stride = stride;
            }
            return at;
        }
    }

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    private GemmPacked() {
    }

    /**
     * {@code C[m×n] = alpha·op(A)[m×k]·op(B)[k×n] + beta·C}, row-major, on the pool's threads when large enough.
     * Requires {@code m, n, k > 0}; beta == 0 overwrites C without reading it.
     */
    static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int offA, int lda, float[] b, int offB, int ldb,
                      float beta, float[] c, int offC, int ldc) {
        run(transA, false, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc);
    }

    /**
     * {@link #sgemm} with A given already packed, {@link #packedSize}(m, k) floats from {@code a[offA]} laid out as
     * {@link #packedAt} says: for an A that is made (not read) right before the call, so that no copy of it is packed
     * again. Requires {@code m, n, k > 0}.
     */
    static void sgemmPackedA(int m, int n, int k, float alpha, float[] a, int offA, boolean transB, float[] b,
                             int offB, int ldb, float beta, float[] c, int offC, int ldc) {
        run(false, true, transB, m, n, k, alpha, a, offA, 0, b, offB, ldb, beta, c, offC, ldc);
    }

    /** Floats of an m×k A packed for {@link #sgemmPackedA}: its rows rounded up to whole slivers. */
    static int packedSize(int m, int k) {
        return roundUp(m, MR) * k;
    }

    /**
     * Where element (i, d) of an m×k A lies when packed for {@link #sgemmPackedA}: depth blocks of {@link #KC} one
     * after another; in each, the MR-row slivers of all rows in order; in a sliver, the MR values of one depth step
     * after another. Within a depth block, the next d is MR floats on and the next row 1 float on, except from one
     * sliver to the next. A last partial sliver's rows past m are computed and dropped, so they change no result.
     */
    static int packedAt(int i, int d, int m, int k) {
        int pc = d / KC * KC;
        return pc * roundUp(m, MR) + i / MR * MR * Math.min(KC, k - pc) + (d - pc) * MR + i % MR;
    }

    private static void run(boolean transA, boolean packedA, boolean transB, int m, int n, int k, float alpha,
                            float[] a, int offA, int lda, float[] b, int offB, int ldb,
                            float beta, float[] c, int offC, int ldc) {
        int threads = (long) m * n * k < PARALLEL_MIN ? 1 : CpuPool.threads();
        int panel = Math.min(roundUp(n, NR), Math.clamp(B_PANEL / k / NR * NR, NR, NC));
        int tilesM = (m + MR - 1) / MR, tilesN = (n + NR - 1) / NR;
        // Split the longer side, so that the operand every thread packs for itself is the smaller one. A column
        // block packs all of op(A) again, so columns go one share per thread (in panels); a row block packs nothing
        // that the thread's previous block in the same panel has not packed already.
        int rowBlock = m, colBlock = panel;
        if (threads > 1 && tilesN >= tilesM) {
            colBlock = NR * Math.min(Math.ceilDiv(tilesN, threads), panel / NR);
        } else if (threads > 1) {
            rowBlock = MR * rowBlockTiles(tilesM, threads, (long) k * panel * Float.BYTES);
        }
        AtomicInteger next = new AtomicInteger();
        int blocks = ((m + rowBlock - 1) / rowBlock) * ((n + colBlock - 1) / colBlock);
        if (threads <= 1 || blocks < 2) {
            blocked(transA, packedA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc,
                    rowBlock, colBlock, next);
        } else {
            int rows = rowBlock, cols = colBlock;
            CpuPool.parallelFor(Math.min(threads, blocks), 1, (t0, t1) -> blocked(transA, packedA, transB, m, n, k,
                    alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc, rows, cols, next));
        }
    }

    /**
     * The depth of a packed block on a per-core L2 of {@code l2Bytes}: the deepest multiple of 128, from 128 to 512,
     * at which the A block (MC×depth) and one B sliver (depth×NR) fill at most 3/4 of the L2. Every micro-kernel
     * call loads and stores its tile of the accumulator once per depth block, so deeper blocks spread that fixed cost
     * over more FMAs. The B sliver then outgrows L1 (128 KiB at 512 with AVX-512), but the tile reads it from L2 at
     * 256 bytes per 24 FMAs, well within L2's bandwidth, so what must stay put is the A block that every B sliver
     * sweeps. On the Zen 4 (1 MiB L2), alternating builds in {@code GemmVsOpenBlas} at 2048³ on two threads read
     * 0.91 of OpenBLAS at depth 128 (median of 5 runs), 0.96 at 256 and 384, 0.97 at 512 (9 runs, 0.93-1.02), and
     * no more at 768 or 1024; one thread went from 0.94-0.96 to 0.98-0.99. The Xeon (2 MiB) measured 128 to 256
     * alike, and the Zen 3 (512 KiB) 256 at 1.04x the speed of 128, within its noise. {@link ConvGemm} keeps its own,
     * shallower blocks.
     */
    static int depthBlock(long l2Bytes) {
        long fits = l2Bytes * 3 / 4 / ((long) (MC + NR) * Float.BYTES);
        return (int) Math.clamp(fits / 128 * 128, 128, 512);
    }

    /**
     * Tiles of rows per block of C when {@code threads} threads cut {@code tilesM} tiles along M, with B panels of
     * {@code panelBytes}: about {@link #CLAIMS_PER_THREAD} blocks per thread, or half as many, each twice as tall,
     * where a panel is larger than the per-core L2. Then every B sliver a block reads comes from L3, and a taller
     * block has more row tiles to share it: at 2048³ on the Zen 4 (4 MiB panels, 1 MiB L2) the GEMM reached 0.88-0.93
     * of OpenBLAS against 0.77-0.90 (eight alternating runs each). Where the panel fits (1 MiB at 512³), the
     * shorter blocks balance the threads better: 0.95-0.98 against 0.88-0.97 with the taller ones.
     */
    static int rowBlockTiles(int tilesM, int threads, long panelBytes) {
        int claims = panelBytes > CpuCaches.L2_BYTES ? CLAIMS_PER_THREAD / 2 : CLAIMS_PER_THREAD;
        return Math.clamp(tilesM / (threads * claims), 1, MC / MR);
    }

    /**
     * The blocked loop nest (see the class comment) over the blocks of C this thread claims from {@code next}:
     * {@code rowBlock × colBlock} each, column block after column block, so that consecutive claims share the
     * packed B panel.
     */
    private static void blocked(boolean transA, boolean packedA, boolean transB, int m, int n, int k, float alpha,
                                float[] a, int offA, int lda, float[] b, int offB, int ldb,
                                float beta, float[] c, int offC, int ldc, int rowBlock, int colBlock,
                                AtomicInteger next) {
        int kcMax = Math.min(KC, k), mcMax = Math.min(MC, roundUp(rowBlock, MR));
        Buffers buf = BUFFERS.get();
        if (buf.b.length < colBlock * k) {
            buf.b = new float[colBlock * k];
        }
        if (buf.a.length < mcMax * kcMax) {
            buf.a = new float[mcMax * kcMax];
        }
        if (buf.acc.length < mcMax * colBlock) {
            buf.acc = new float[mcMax * colBlock];
        }
        float[] pa = buf.a, pb = buf.b, acc = buf.acc;
        int blocksM = (m + rowBlock - 1) / rowBlock, blocks = blocksM * ((n + colBlock - 1) / colBlock);
        for (int claim, packed = -1; (claim = next.getAndIncrement()) < blocks; ) {
            int jc = claim / blocksM * colBlock, nc = Math.min(colBlock, n - jc);
            int i0 = claim % blocksM * rowBlock, i1 = Math.min(m, i0 + rowBlock);
            if (jc != packed) {
                packB(transB, b, offB + (transB ? jc * ldb : jc), ldb, k, nc, pb);
                packed = jc;
            }
            for (int ic = i0; ic < i1; ic += MC) {
                int mc = Math.min(MC, i1 - ic), tilesM = (mc + MR - 1) / MR;
                for (int pc = 0; pc < k; pc += KC) {
                    int kc = Math.min(KC, k - pc);
                    // The block's slivers, from aa[aAt] on (ic is a multiple of MR, as row blocks and MC are, so
                    // packedAt(ic, pc) is where a packed A's first sliver of the block starts).
                    float[] aa = packedA ? a : pa;
                    int aAt = packedA ? offA + packedAt(ic, pc, m, k) : 0;
                    if (!packedA) {
                        packA(transA, a, offA + (transA ? pc * lda + ic : ic * lda + pc), lda, mc, kc, pa);
                    }
                    // Tile (s, t) of the block lives at (s·tilesM + t)·MR·NR: the order the loops visit them.
                    for (int jr = 0, at = 0; jr < nc; jr += NR) {
                        for (int t = 0; t < tilesM; t++, at += MR * NR) {
                            MicroKernel.run(kc, aa, aAt + t * MR * kc, pb, jr * k + pc * NR, acc, at, pc > 0);
                        }
                    }
                }
                for (int jr = 0, at = 0; jr < nc; jr += NR) {
                    for (int t = 0; t < tilesM; t++, at += MR * NR) {
                        storeTile(acc, at, Math.min(MR, mc - t * MR), Math.min(NR, nc - jr), alpha, beta, c,
                                offC + (ic + t * MR) * ldc + jc + jr, ldc, null, 0);
                    }
                }
            }
        }
    }

    /**
     * {@code C[mr×nr] = alpha·tile + beta·C (+ rowAdd[r])} from an MR×NR tile (row stride NR) whose first stored
     * element is {@code tile[from]}: a tile's start, plus a column where only some of its columns go here. C is not
     * read when beta == 0, and {@code rowAdd} (a conv bias, indexed by tile row) may be null. A partial vector at the
     * right end goes through a lane mask.
     */
    static void storeTile(float[] tile, int from, int mr, int nr, float alpha, float beta,
                          float[] c, int offC, int ldc, float[] rowAdd, int rowAddOff) {
        FloatVector va = FloatVector.broadcast(S, alpha), vb = FloatVector.broadcast(S, beta);
        for (int r = 0; r < mr; r++) {
            int ci = offC + r * ldc, ti = from + r * NR;
            FloatVector add = FloatVector.broadcast(S, rowAdd == null ? 0f : rowAdd[rowAddOff + r]);
            int j = 0;
            for (; j + V <= nr; j += V) {
                FloatVector v = FloatVector.fromArray(S, tile, ti + j).fma(va, add);
                if (beta != 0f) {
                    v = FloatVector.fromArray(S, c, ci + j).fma(vb, v);
                }
                v.intoArray(c, ci + j);
            }
            if (j < nr) {
                VectorMask<Float> m = S.indexInRange(j, nr);
                FloatVector v = FloatVector.fromArray(S, tile, ti + j, m).fma(va, add);
                if (beta != 0f) {
                    v = FloatVector.fromArray(S, c, ci + j, m).fma(vb, v);
                }
                v.intoArray(c, ci + j, m);
            }
        }
    }

    /**
     * Packs {@code op(A)[0..mc, 0..kc]} (starting at {@code off}) into MR-row slivers: sliver {@code s} holds, for
     * each q, the MR values of rows {@code s·MR..s·MR+MR-1} at column q; rows past {@code mc} are zero.
     */
    private static void packA(boolean transA, float[] a, int off, int lda, int mc, int kc, float[] pa) {
        for (int i0 = 0; i0 < mc; i0 += MR) {
            int rows = Math.min(MR, mc - i0);
            int dst = i0 * kc;
            if (transA) {
                // Rows of op(A) are contiguous in storage: copy MR floats per q.
                for (int q = 0; q < kc; q++) {
                    System.arraycopy(a, off + q * lda + i0, pa, dst + q * MR, rows);
                }
                zeroRows(rows, kc, pa, dst);
            } else {
                packRows(a, off + i0 * lda, lda, rows, kc, pa, dst);
            }
        }
    }

    /**
     * Packs {@code len} columns of {@code rows ≤ MR} consecutive rows of a row-major matrix (row stride {@code lda},
     * starting at {@code src}) into one A sliver at {@code dst}: {@code pa[dst + q·MR + r] = a[src + r·lda + q]},
     * with rows past {@code rows} zero. A caller may fill one sliver in several depth pieces by advancing
     * {@code dst} by {@code len·MR}.
     */
    static void packRows(float[] a, int src, int lda, int rows, int len, float[] pa, int dst) {
        int q = 0;
        if (rows == MR) {
            // A full sliver is GATHER_COLS columns at a time, each destination vector one gather: half the time of
            // the element loop (12% -> 7% of a one-thread 2048³ call, whose A is packed four times).
            int[] index = BUFFERS.get().aRows.of(lda);
            for (; q + GATHER_COLS <= len; q += GATHER_COLS) {
                for (int h = 0, d = dst + q * MR; h < GATHER_VECTORS; h++, d += V) {
                    FloatVector.fromArray(S, a, src + q, index, h * V).intoArray(pa, d);
                }
            }
        }
        packSliver(a, src, lda, rows, q, len, MR, pa, dst);
    }

    /**
     * The element loop behind {@link #packRows}, for slivers of any {@code height} (ShallowConv's register tile has
     * its own): columns {@code [from, len)} of {@code rows ≤ height} rows, {@code pa[dst + q·height + r] =
     * a[src + r·lda + q]}, with rows past {@code rows} zero. Each row is read sequentially; the writes stride by the
     * height, within a few L1 lines.
     */
    static void packSliver(float[] a, int src, int lda, int rows, int from, int len, int height, float[] pa, int dst) {
        for (int r = 0; r < rows; r++) {
            int rowSrc = src + r * lda;
            for (int c = from; c < len; c++) {
                pa[dst + c * height + r] = a[rowSrc + c];
            }
        }
        zeroRows(rows, from, len, height, pa, dst);
    }

    /** Zeroes rows {@code [rows, MR)} of {@code len} columns of the A sliver at {@code dst}: a partial sliver's pad. */
    static void zeroRows(int rows, int len, float[] pa, int dst) {
        zeroRows(rows, 0, len, MR, pa, dst);
    }

    private static void zeroRows(int rows, int from, int len, int height, float[] pa, int dst) {
        for (int r = rows; r < height; r++) {
            for (int q = from; q < len; q++) {
                pa[dst + q * height + r] = 0f;
            }
        }
    }

    /**
     * Packs {@code op(B)[0..kc, 0..nc]} (starting at {@code off}) into NR-column slivers: sliver {@code s} holds,
     * for each q, the NR values of columns {@code s·NR..s·NR+NR-1} at row q; columns past {@code nc} are zero.
     */
    private static void packB(boolean transB, float[] b, int off, int ldb, int kc, int nc, float[] pb) {
        if (transB) {
            // Columns of op(B) are contiguous in storage. Whole slivers, at a stride that gathers well, are one
            // gather per destination vector; the rest goes column by column.
            int gathered = gathersColumns(ldb) ? nc / NR * NR : 0;
            int[] index = gathered > 0 ? BUFFERS.get().bColumns.of(ldb) : null;
            for (int j0 = 0; j0 < gathered; j0 += NR) {
                gatherColumns(b, off + j0 * ldb, index, kc, pb, j0 * kc);
            }
            packColumns(b, off, ldb, kc, gathered, nc, pb);
            return;
        }
        // Rows of op(B) are contiguous: a band of rows at a time, across every sliver, so the reads run along those
        // rows. Filling one sliver at a time walked down the panel with a new line and a new page per row, 2.2x
        // slower (2048 rows of 8 KiB, one thread, on the AVX2 EPYC).
        for (int q0 = 0; q0 < kc; q0 += PACK_B_ROWS) {
            int q1 = Math.min(kc, q0 + PACK_B_ROWS);
            for (int j0 = 0; j0 < nc; j0 += NR) {
                int cols = Math.min(NR, nc - j0);
                for (int q = q0; q < q1; q++) {
                    int src = off + q * ldb + j0, d = j0 * kc + q * NR;
                    if (cols == NR) {
                        for (int j = 0; j < NR; j += V) {
                            FloatVector.fromArray(S, b, src + j).intoArray(pb, d + j);
                        }
                    } else {
                        System.arraycopy(b, src, pb, d, cols);
                        Arrays.fill(pb, d + cols, d + NR, 0f);
                    }
                }
            }
        }
    }

    /**
     * Packs columns {@code [j0, nc)} of a transposed B ({@code j0} a multiple of NR) as {@link #packB}: reads each
     * column sequentially and writes it with stride NR; columns past {@code nc} are zero.
     */
    private static void packColumns(float[] b, int off, int ldb, int kc, int j0, int nc, float[] pb) {
        for (int s0 = j0; s0 < nc; s0 += NR) {
            int cols = Math.min(NR, nc - s0), dst = s0 * kc;
            for (int j = 0; j < NR; j++) {
                if (j < cols) {
                    int src = off + (s0 + j) * ldb;
                    for (int q = 0; q < kc; q++) {
                        pb[dst + q * NR + j] = b[src + q];
                    }
                } else {
                    for (int q = 0; q < kc; q++) {
                        pb[dst + q * NR + j] = 0f;
                    }
                }
            }
        }
    }

    /**
     * One whole sliver of a transposed B: row q of the sliver at {@code pb[dst + q·NR]} is element q of the NR
     * columns at {@code b[src + index[j]]}. Its own method, as is {@link #packColumns}: with both loops in one
     * method, C2 compiled the element loop 1.07-1.14x slower at stride 8192.
     */
    private static void gatherColumns(float[] b, int src, int[] index, int kc, float[] pb, int dst) {
        for (int q = 0; q < kc; q++) {
            for (int h = 0; h < NR; h += V) {
                FloatVector.fromArray(S, b, src + q, index, h).intoArray(pb, dst + q * NR + h);
            }
        }
    }

    /**
     * Whether {@link #packB} gathers the columns of a transposed B at column stride {@code ldb} (floats): not at a
     * multiple of 512 (2 KiB), where a sliver's 16 columns share one or two L1 sets of 8 lines and the gathers miss.
     * Packing B for a 64×64×8192 product (A·Bᵀ, one thread) took 0.82 of the element loop's time at stride 8200 and
     * 1.29 at stride 8192 (paired, in one JVM, on the AVX2 EPYC).
     */
    static boolean gathersColumns(int ldb) {
        return ldb % 512 != 0;
    }

    private static int lcm(int x, int y) {
        int a = x, b = y;
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return x / a * y;
    }

    private static int roundUp(int x, int multiple) {
        return (x + multiple - 1) / multiple * multiple;
    }
}
