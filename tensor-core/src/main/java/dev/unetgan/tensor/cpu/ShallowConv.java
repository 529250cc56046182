package dev.unetgan.tensor.cpu;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * conv2d forward (F32) at stride 1 with a shallow reduction, {@code C·R·S ≤ MAX_DEPTH}: the layers that read RGB
 * images (3 channels × 3×3 taps = 27). A thread pads one image, packs one output row's B slivers (NR pixels × every
 * depth step) from it, and runs every output channel's register tiles (MR channels × NR pixels) over them; each tile
 * leaves the registers once, with the bias, straight into the output.
 *
 * <p>Why not the implicit GEMM ({@link ForwardConv}): with 27 steps a tile does little work per set-up, so what
 * {@link ConvGemm} spends around each tile (the accumulator, and storing from it afterwards) cost as much as the
 * multiply-adds. For the GAN's RGB layer (3 → 64 channels, 64×64, batch 8) this path took 0.61-0.85 of the GEMM's
 * time (JMH, the two builds alternating). Its tile is 5 × 2 vectors, as {@link MicroKernel}'s AVX2 tile, and sums
 * each output's depth in the same order (from zero, one fused multiply-add per step, then the bias), so its results
 * are the GEMM's, bit for bit, whatever the threads.
 *
 * <p>The slivers are packed once per output row for all output channels because reading B through a table of each
 * depth step's offset into the padded image, as this class first did, took a table load, a second bounds check and
 * the registers they need in every step: the whole layer ran in 0.85-0.91 of that version's time (medians of four
 * paired runs in one JVM). Packing each row with {@link ForwardConv#windowRow} per depth step, without the padded
 * image, cost more than it saved (1.14x). The tile's multiply-adds repeat {@link MicroKernel#fiveByTwo}'s; that
 * kernel given this tile's store (a row stride and the bias) ran the GEMM's conv layers 1.13-1.19x slower, and this
 * path built from it as it is ({@code MicroKernel.run} into a scratch tile, then {@code GemmPacked.storeTile}) took
 * 1.27x this one's time.
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
        int depth = g.crs(), mTiles = Math.ceilDiv(g.k(), MR), q = g.q(), pq = g.pq();
        int wp = g.w() + 2 * g.padW(), plane = ForwardConv.planeStride((g.h() + 2 * g.padH()) * wp);
        // Each tile row's weights, depth-major; rows past K (and their bias) are zero, and their outputs dropped.
        float[] pa = BufferPool.takeFloats(mTiles * MR * depth);
        float[] biasPad = BufferPool.takeFloats(mTiles * MR);
        try {
            // Slivers of this tile's MR rows (GemmPacked.packRows packs MicroKernel.MR, 6 with AVX-512).
            for (int t = 0; t < mTiles; t++) {
                GemmPacked.packSliver(w, t * MR * depth, depth, Math.min(MR, g.k() - t * MR), 0, depth, MR, pa,
                        t * MR * depth);
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
            // Units of work are an image's output rows, whole or in a few chunks, so that there are about
            // UNITS_PER_THREAD per thread: a thread pads an image for each unit of it, and then packs each row once
            // for all output channels.
            int threads = CpuPool.threads();
            int parts = Math.clamp(Math.ceilDiv(UNITS_PER_THREAD * threads, g.n()), 1, g.p());
            int perPart = Math.ceilDiv(g.p(), parts), units = g.n() * parts;
            long work = (long) g.k() * depth * g.n() * pq;
            AtomicInteger next = new AtomicInteger();
            CpuPool.parallelFor(work < PARALLEL_MIN ? 1 : Math.min(threads, units), 1, (t0, t1) -> {
                float[] xp = BufferPool.takeFloats(g.c() * plane);
                float[] pb = BufferPool.takeFloats(depth * q);
                float[] scratch = BufferPool.takeFloats(MR * q);
                try {
                    for (int u; (u = next.getAndIncrement()) < units; ) {
                        int ni = u / parts, p0 = u % parts * perPart, p1 = Math.min(g.p(), p0 + perPart);
                        if (p0 >= p1) {
                            continue;
                        }
                        // A sliver reads inside the planes only: output rows are whole slivers, and the padding
                        // covers the reach of the taps past them.
                        ForwardConv.padImage(g, x, ni, xp, 0, plane);
                        for (int p = p0; p < p1; p++) {
                            packRow(xp, p * wp, off, q, pb);
                            for (int t = 0; t < mTiles; t++) {
                                int row0 = t * MR, o = (ni * g.k() + row0) * pq + p * q;
                                // A channel tile that reaches past K goes through the scratch rows, and only its
                                // channels below K are copied out.
                                boolean whole = row0 + MR <= g.k();
                                for (int q0 = 0; q0 < q; q0 += NR) {
                                    tile(depth, pa, row0 * depth, pb, q0 * depth, biasPad, row0,
                                            whole ? out : scratch, whole ? o + q0 : q0, whole ? pq : q);
                                }
                                for (int r = 0; !whole && row0 + r < g.k(); r++) {
                                    System.arraycopy(scratch, r * q, out, o + r * pq, q);
                                }
                            }
                        }
                    }
                } finally {
                    BufferPool.give(xp);
                    BufferPool.give(pb);
                    BufferPool.give(scratch);
                }
            });
        } finally {
            BufferPool.give(pa);
            BufferPool.give(biasPad);
        }
    }

    /**
     * Packs output row {@code p}'s B slivers from the padded image, {@code at = p·(W + 2·padW)}: sliver
     * {@code s = q0/NR} holds, for each depth step d, the NR pixels {@code xp[at + q0 + off[d] + j]} at
     * {@code pb[(s·depth + d)·NR + j]}.
     */
    private static void packRow(float[] xp, int at, int[] off, int q, float[] pb) {
        for (int q0 = 0, dst = 0; q0 < q; q0 += NR) {
            for (int d = 0; d < off.length; d++, dst += NR) {
                int src = at + q0 + off[d];
                FloatVector.fromArray(S, xp, src).intoArray(pb, dst);
                FloatVector.fromArray(S, xp, src + V).intoArray(pb, dst + V);
            }
        }
    }

    /**
     * One tile: {@code c[r][j] = bias[row0 + r] + Σ_d pa[aOff + d·MR + r]·pb[bOff + d·NR + j]} for MR rows and NR
     * pixels, stored at {@code c[o + r·ldc + j]}. The accumulators are spelled out so that C2 keeps them in registers.
     */
    private static void tile(int depth, float[] pa, int aOff, float[] pb, int bOff, float[] bias, int row0,
                             float[] c, int o, int ldc) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z, c40 = z, c41 = z;
        for (int ai = aOff, bi = bOff, aEnd = aOff + depth * MR; ai < aEnd; ai += MR, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(S, pb, bi);
            FloatVector b1 = FloatVector.fromArray(S, pb, bi + V);
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
