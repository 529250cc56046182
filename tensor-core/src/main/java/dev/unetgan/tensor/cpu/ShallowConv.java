package dev.unetgan.tensor.cpu;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * conv2d forward (F32) at stride 1 with a shallow reduction, {@code C·R·S ≤ MAX_DEPTH}: the layers that read RGB
 * images (3 channels × 3×3 taps = 27). Each register tile (MR output channels × NR pixels of one output row) loads
 * its B vectors straight from a zero-padded copy of the image, through a table of each depth step's offset, and
 * leaves the registers once, with the bias, into the output.
 *
 * <p>Why not the implicit GEMM ({@link ForwardConv}): with 27 steps a tile does little work per set-up, so what
 * {@link ConvGemm} spends around each tile (packing a B sliver, the accumulator, and storing from it afterwards)
 * cost as much as the multiply-adds. For the GAN's RGB layer (3 → 64 channels, 64×64, batch 8) this path took
 * 0.61-0.85 of the GEMM's time (JMH, the two builds alternating). Its tile is 5 × 2 vectors, as
 * {@link MicroKernel}'s AVX2 tile, and sums each output's depth in the same order (from zero, one fused multiply-add
 * per step, then the bias), so its results are the GEMM's, bit for bit, whatever the threads.
 *
 * <p>The tile's multiply-adds repeat {@link MicroKernel#fiveByTwo}'s. A helper shared by both would take and return
 * the ten accumulators, which box whenever C2 declines to inline it; that kernel reading B through this offset
 * table would slow the GEMM (alone at depth 27, with everything in L1, this tile takes 110-130 ns and that one
 * 75-86 ns: the table's load, two bounds checks per step and the registers they take); and this path built from
 * that kernel (each sliver packed from the copy, {@code MicroKernel.run}, then {@code GemmPacked.storeTile}) took
 * 1.52-1.54x this one's time on the RGB layer, paired in one JVM.
 */
final class ShallowConv {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int V = S.length();
    /** Output channels of a tile. */
    private static final int MR = 5;
    /** Pixels of a tile: two vectors. */
    private static final int NR = 2 * V;
    /** The deepest reduction this path takes; deeper ones amortise the GEMM's per-tile work. */
    static final int MAX_DEPTH = 32;
    /** Units of work per thread, so that a thread slowed by another process leaves some of its share to the others. */
    private static final int UNITS_PER_THREAD = 8;
    /** Below this many multiply-adds a second thread costs more to wake than it saves. */
    private static final long PARALLEL_MIN = 64L * 64 * 64;

    private ShallowConv() {
    }

    /**
     * Whether this path computes the forward conv of {@code g}: stride 1, a depth of 1 to MAX_DEPTH, and output rows
     * of whole tiles. A tile holds pixels of one row only, so narrower rows would leave lanes idle (half of them in
     * an 8-pixel row with AVX2), where the GEMM's slivers run on across rows and images.
     */
    static boolean suits(ConvGeometry g) {
        return g.strideH() == 1 && g.strideW() == 1 && g.crs() >= 1 && g.crs() <= MAX_DEPTH
                && g.n() > 0 && g.k() > 0 && g.p() > 0 && g.q() > 0 && g.q() % NR == 0;
    }

    /**
     * {@code out [N,K,P,Q] = conv(x [N,C,H,W], w [K,C,R,S]) + bias [K]} ({@code bias} may be null) for a geometry
     * this path {@link #suits}.
     */
    static void compute(ConvGeometry g, float[] x, float[] w, float[] bias, float[] out) {
        int depth = g.crs(), mTiles = Math.ceilDiv(g.k(), MR);
        int wp = g.w() + 2 * g.padW(), plane = ForwardConv.planeStride((g.h() + 2 * g.padH()) * wp);
        // Each tile row's weights, depth-major; rows past K (and their bias) are zero, and their outputs dropped.
        float[] pa = BufferPool.takeFloats(mTiles * MR * depth);
        float[] biasPad = BufferPool.takeFloats(mTiles * MR);
        try {
            for (int t = 0; t < mTiles; t++) {
                GemmPacked.packRows(w, t * MR * depth, depth, Math.min(MR, g.k() - t * MR), depth, pa, t * MR * depth);
            }
            Arrays.fill(biasPad, 0f);
            if (bias != null) {
                System.arraycopy(bias, 0, biasPad, 0, g.k());
            }
            int rs = g.r() * g.s();
            int[] off = new int[depth];
            for (int d = 0; d < depth; d++) {
                off[d] = d / rs * plane + g.tapOffset(d % rs, wp);
            }
            // Units of work are an image's tile rows, whole or in a few parts, so that there are about UNITS_PER_THREAD
            // per thread: a thread pads an image for each unit of it, and with small images that copy (and claiming
            // the unit) cost more than the unit's tiles when every tile row was a unit of its own (1x1 convs of 8
            // channels over 16x16 images took 1.7x the implicit GEMM's time).
            int threads = CpuPool.threads();
            int parts = Math.clamp(Math.ceilDiv(UNITS_PER_THREAD * threads, g.n()), 1, mTiles);
            int perPart = Math.ceilDiv(mTiles, parts), units = g.n() * parts;
            long work = (long) g.k() * depth * g.n() * g.pq();
            AtomicInteger next = new AtomicInteger();
            CpuPool.parallelFor(work < PARALLEL_MIN ? 1 : Math.min(threads, units), 1, (t0, t1) -> {
                float[] xp = BufferPool.takeFloats(g.c() * plane);
                float[] tile = new float[MR * NR];
                try {
                    for (int u; (u = next.getAndIncrement()) < units; ) {
                        int ni = u / parts, t1st = u % parts * perPart, tEnd = Math.min(mTiles, t1st + perPart);
                        if (t1st < tEnd) {
                            // A tile reads inside the planes only: output rows are whole tiles, and the padding
                            // covers the reach of the taps past them.
                            ForwardConv.padImage(g, x, ni, xp, 0, plane);
                        }
                        for (int t = t1st; t < tEnd; t++) {
                            int row0 = t * MR;
                            rows(g, pa, row0 * depth, xp, off, biasPad, row0, out, (ni * g.k() + row0) * g.pq(), tile);
                        }
                    }
                } finally {
                    BufferPool.give(xp);
                }
            });
        } finally {
            BufferPool.give(pa);
            BufferPool.give(biasPad);
        }
    }

    /**
     * Output channels {@code [row0, row0 + MR)} (those below K) of the image padded in {@code xp}, every pixel, tile
     * by tile along the output rows, into the planes from {@code out[o]} on. A tile row past K goes through
     * {@code tile}, the others straight into {@code out}.
     */
    private static void rows(ConvGeometry g, float[] pa, int aOff, float[] xp, int[] off, float[] bias, int row0,
                             float[] out, int o, float[] tile) {
        int pq = g.pq(), q = g.q(), rows = Math.min(MR, g.k() - row0);
        int wp = g.w() + 2 * g.padW();
        for (int p = 0; p < g.p(); p++) {
            for (int q0 = 0; q0 < q; q0 += NR) {
                int at = o + p * q + q0;
                if (rows == MR) {
                    tile(off.length, pa, aOff, xp, p * wp + q0, off, bias, row0, out, at, pq);
                    continue;
                }
                tile(off.length, pa, aOff, xp, p * wp + q0, off, bias, row0, tile, 0, NR);
                for (int r = 0; r < rows; r++) {
                    System.arraycopy(tile, r * NR, out, at + r * pq, NR);
                }
            }
        }
    }

    /**
     * One tile: {@code c[r][j] = bias[row0 + r] + Σ_d pa[aOff + d·MR + r]·x[xOff + off[d] + j]} for MR rows and NR
     * pixels, stored at {@code c[o + r·ldc + j]}. The accumulators are spelled out so that C2 keeps them in registers.
     */
    private static void tile(int depth, float[] pa, int aOff, float[] x, int xOff, int[] off, float[] bias, int row0,
                             float[] c, int o, int ldc) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z, c40 = z, c41 = z;
        for (int d = 0, ai = aOff; d < depth; d++, ai += MR) {
            int bi = xOff + off[d];
            FloatVector b0 = FloatVector.fromArray(S, x, bi);
            FloatVector b1 = FloatVector.fromArray(S, x, bi + V);
            FloatVector a = FloatVector.broadcast(S, pa[ai]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, pa[ai + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, pa[ai + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, pa[ai + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(S, pa[ai + 4]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
        }
        FloatVector add = FloatVector.broadcast(S, bias[row0]);
        c00.add(add).intoArray(c, o);
        c01.add(add).intoArray(c, o + V);
        add = FloatVector.broadcast(S, bias[row0 + 1]);
        c10.add(add).intoArray(c, o + ldc);
        c11.add(add).intoArray(c, o + ldc + V);
        add = FloatVector.broadcast(S, bias[row0 + 2]);
        c20.add(add).intoArray(c, o + 2 * ldc);
        c21.add(add).intoArray(c, o + 2 * ldc + V);
        add = FloatVector.broadcast(S, bias[row0 + 3]);
        c30.add(add).intoArray(c, o + 3 * ldc);
        c31.add(add).intoArray(c, o + 3 * ldc + V);
        add = FloatVector.broadcast(S, bias[row0 + 4]);
        c40.add(add).intoArray(c, o + 4 * ldc);
        c41.add(add).intoArray(c, o + 4 * ldc + V);
    }
}
