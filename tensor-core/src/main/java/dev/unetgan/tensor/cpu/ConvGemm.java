package dev.unetgan.tensor.cpu;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Implicit GEMM, the engine of the F32 convolutions: {@code C[M × cols] = A[M × D]·B[D × cols]} where B (an im2col
 * matrix, or its transpose) is never materialised. Each NR-column sliver of B is packed straight from the image by
 * a {@link Columns} source right before the register tiles that use it, so it is written once into L1/L2 and read
 * from there, instead of going through a column matrix in memory and a second packing pass.
 *
 * <p>A (the weights, or the output gradient) is packed once per call into a buffer the threads share, in depth
 * blocks small enough to stay in L2 ({@link #kcMax}). The threads split the packing (and any preparation the
 * problem asks for) by claiming units of it and wait until every unit is done: no barrier, so when a worker wakes
 * late the caller packs everything itself.
 *
 * <p>C is split into tiles (MR rows × one B sliver), ordered sliver-major so that a B sliver is packed once and
 * used by every row tile after it, and cut into pieces whose C fits in L2; the threads claim pieces from a counter
 * and run each through the depth blocks in order. A piece sums in a contiguous per-thread accumulator, tile after
 * tile, and goes to C once, after its last block. C's rows are often a power of two apart (a plane of pixels), so
 * adding each block's tile into C directly put its rows into one L1 set, once per depth block; the accumulator
 * made the layers of Conv2dBench 3-14% faster (the 3-channel forward and backward-data, under 10 ms a call, came
 * out up to 13% slower in some runs). Every C element is summed by one thread in the same order whatever the
 * thread count or the claiming, so results are deterministic. One pool wake-up per call.
 */
final class ConvGemm {
    static final int MR = GemmPacked.MR;
    static final int NR = GemmPacked.NR;
    /**
     * Floats of one packed A depth block: 3/8 of the L2 (384 KiB of a 1 MiB L2), so that it stays there while B
     * slivers and C lines stream past it. Measured on a 2 MiB L2, 768 KiB made the 128- to 512-channel layers 1-8%
     * faster than 384 KiB; on a 1 MiB L2, 768 KiB was slower.
     */
    private static final int A_BLOCK_FLOATS = (int) (CpuCaches.L2_BYTES * 3 / 8 / Float.BYTES);
    /**
     * The deepest depth block: 128, so that a B sliver (128×NR floats, 32 KiB with AVX-512) stays in L1, which the
     * plain GEMM's deeper blocks ({@link GemmPacked#depthBlock}) give up. On the Xeon a 256-deep block made all 12
     * conv benchmarks then run here 1.01-1.18x slower; on the Zen 4 the GEMM's 512 took 0.97-1.04x the time of 128
     * on 1×1 convs' forward and backward-data, and 0.87-1.07x on their backward-filter (paired, 2026-12-04).
     */
    private static final int DEPTH_MAX = 128;
    /** Floats of C one piece revisits per depth block (256 KiB), so those revisits hit L2. */
    private static final int C_CHUNK_FLOATS = 64 * 1024;
    /** Pieces of C per thread, so the threads can even out their work when one is slowed down. */
    private static final int PIECES_PER_THREAD = 4;
    /** Below this many multiply-adds a second thread costs more to wake than it saves. */
    private static final long PARALLEL_MIN = 64L * 64 * 64;

    /** One NR-column sliver source of B; each thread gets its own, so it may keep scratch state. */
    interface Columns {
        /**
         * Packs rows {@code [d0, d0 + kc)} of B's column sliver {@code sliver} into {@code pb} as {@code [kc][NR]};
         * columns past the end of B are zero.
         */
        void pack(int sliver, int d0, int kc, float[] pb);
    }

    /** A convolution expressed as the product above; the subclass says where A, B and C live. */
    abstract static class Problem {
        final int m;
        final int depth;
        final int slivers;

        /**
         * @param m rows of A and C
         * @param depth the reduction length D
         * @param slivers NR-column slivers of B and C
         */
        Problem(int m, int depth, int slivers) {
            this.m = m;
            this.depth = depth;
            this.slivers = slivers;
        }

        /** Packs rows {@code [row0, row0 + rows)} (rows ≤ MR), depth {@code [d0, d0 + kc)} of A as one sliver. */
        abstract void packA(int row0, int rows, int d0, int kc, float[] pa, int dst);

        /** Units of preparation (say, a transposed copy of the input) that must finish before any B is packed. */
        int prepUnits() {
            return 0;
        }

        /** Runs preparation unit {@code unit}; units run on any thread, in any order, each exactly once. */
        void prep(int unit) {
        }

        /** A fresh B source for one thread. */
        abstract Columns columns();

        /**
         * Writes the finished product for C rows {@code [row0, row0 + rows)} of {@code sliver}, the MR×NR tile at
         * {@code tile[from]} (row stride NR), into C.
         */
        abstract void store(float[] tile, int from, int row0, int rows, int sliver);
    }

    private ConvGemm() {
    }

    /** Rows of a depth block: {@link #DEPTH_MAX}, but shallower when M is tall, so the block fits L2. */
    static int kcMax(int mPad) {
        return Math.max(16, Math.min(DEPTH_MAX, A_BLOCK_FLOATS / mPad));
    }

    /** Computes C for {@code pr}, on the pool's threads when it is large enough. */
    static void run(Problem pr) {
        if (pr.m == 0 || pr.slivers == 0) {
            return;
        }
        int mTiles = Math.ceilDiv(pr.m, MR), mPad = mTiles * MR;
        int depth = pr.depth;
        int blocks = Math.max(1, Math.ceilDiv(depth, kcMax(mPad)));
        // Equal blocks: a short last block would reread C for little work.
        int kc = Math.max(1, Math.ceilDiv(depth, blocks));
        int tiles = pr.slivers * mTiles;
        long work = (long) pr.m * depth * pr.slivers * NR;
        int parts = work < PARALLEL_MIN ? 1 : Math.min(CpuPool.threads(), tiles);
        float[] pa = BufferPool.takeFloats(Math.max(1, mPad * depth));
        try {
            int prepUnits = pr.prepUnits();
            SharedPacking packing = new SharedPacking(prepUnits + blocks * mTiles);
            // Pieces of at most one C chunk each, several per thread, claimed from a counter: a thread that is
            // descheduled (its core shared with another process) leaves its unclaimed pieces to the other. A piece
            // is whole slivers where it can be, so that no sliver is packed by two pieces.
            int even = Math.min(C_CHUNK_FLOATS / (MR * NR), Math.ceilDiv(tiles, PIECES_PER_THREAD * parts));
            int pieceSize = even >= mTiles ? even / mTiles * mTiles : Math.min(mTiles, Math.ceilDiv(tiles, parts));
            int pieces = Math.ceilDiv(tiles, pieceSize);
            AtomicInteger nextPiece = new AtomicInteger();
            CpuPool.parallelFor(parts, 1, (t0, t1) -> {
                Columns cols = pr.columns();
                float[] pb = new float[Math.max(1, kc) * NR];
                packing.helpAndWait(shared -> {
                    if (shared < prepUnits) {
                        pr.prep(shared);
                        return;
                    }
                    int unit = shared - prepUnits;
                    int b = unit / mTiles, row0 = unit % mTiles * MR;
                    int d0 = b * kc, len = Math.min(kc, depth - d0);
                    pr.packA(row0, Math.min(MR, pr.m - row0), d0, len, pa, mPad * d0 + row0 * len);
                });
                float[] acc = BufferPool.takeFloats(pieceSize * MR * NR);
                try {
                    for (int piece; (piece = nextPiece.getAndIncrement()) < pieces; ) {
                        runTiles(pr, piece * pieceSize, Math.min(tiles, (piece + 1) * pieceSize), mTiles, mPad, kc,
                                pa, cols, pb, acc);
                    }
                } finally {
                    BufferPool.give(acc);
                }
            });
        } finally {
            BufferPool.give(pa);
        }
    }

    /**
     * Tiles {@code [lo, hi)} (sliver-major, one piece of C) through every depth block in order, summed in
     * {@code acc} (tile {@code it} at {@code (it - lo)·MR·NR}), then stored.
     */
    private static void runTiles(Problem pr, int lo, int hi, int mTiles, int mPad, int kc, float[] pa,
                                 Columns cols, float[] pb, float[] acc) {
        // An empty reduction still runs one (empty) block, so that C is written: zeros, or the bias.
        int blocks = Math.max(1, Math.ceilDiv(pr.depth, kc));
        for (int b = 0; b < blocks; b++) {
            int d0 = b * kc, len = Math.min(kc, pr.depth - d0);
            int packed = -1;
            for (int it = lo; it < hi; it++) {
                int sliver = it / mTiles, row0 = it % mTiles * MR;
                if (sliver != packed) {
                    cols.pack(sliver, d0, len, pb);
                    packed = sliver;
                }
                MicroKernel.run(len, pa, mPad * d0 + row0 * len, pb, 0, acc, (it - lo) * MR * NR, b > 0);
            }
        }
        // Row tile by row tile, along the slivers: C's rows are often planes of pixels a power of two apart, and
        // storing sliver by sliver sent every row's next 64 bytes to one cache set, whose lines were evicted before
        // their other half came. The stores of the 3-channel forward had as many JFR samples as its multiply-adds
        // (33% of them); now 24%.
        for (int t = 0; t < mTiles; t++) {
            int row0 = t * MR;
            for (int sliver = lo / mTiles; sliver <= (hi - 1) / mTiles; sliver++) {
                int it = sliver * mTiles + t;
                if (it >= lo && it < hi) {
                    pr.store(acc, (it - lo) * MR * NR, row0, Math.min(MR, pr.m - row0), sliver);
                }
            }
        }
    }

    /**
     * Packing work split into units that the threads claim; {@link #helpAndWait} returns once every unit is done.
     * A thread only waits on units another thread is actively packing, so it cannot deadlock even when one thread
     * runs every part of the loop.
     */
    private static final class SharedPacking {
        private final int units;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger done = new AtomicInteger();
        private volatile boolean failed;

        SharedPacking(int units) {
            this.units = units;
        }

        interface Unit {
            void pack(int unit);
        }

        void helpAndWait(Unit body) {
            for (int u; (u = next.getAndIncrement()) < units; ) {
                try {
                    body.pack(u);
                } catch (RuntimeException | Error e) {
                    failed = true;
                    throw e;
                }
                done.incrementAndGet();
            }
            while (done.get() < units) {
                if (failed) {
                    throw new IllegalStateException("conv2d: another thread failed while packing a shared operand");
                }
                Thread.onSpinWait();
            }
        }
    }
}
