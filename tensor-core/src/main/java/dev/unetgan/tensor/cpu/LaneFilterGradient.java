package dev.unetgan.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * conv2d backward-filter (F32) at stride 1 with no packing:
 * {@code gW[k, (c,r,s)] = Σ_{n,p,q} gOut[n,k,p,q]·x[n, c, p - padH + r·dilH, q - padW + s·dilW]}.
 *
 * <p>The vectors run along the output pixels of an image: lane l of an accumulator sums the products of the pixels
 * {@code p·Q + q ≡ l (mod V)}, and its lanes are added once, at the end. To make both operands plain loads, the
 * input is first copied once per kernel column s, shifted by {@code s·dilW - padW} columns and cut to the output
 * width Q, with the vertical padding written out: {@code xs[S, images, C, plane]}, each plane
 * {@code P + (R-1)·dilH} rows of Q. Then the V inputs that V consecutive output pixels see through tap (c, r, s) are
 * consecutive too, at a fixed offset, and an image's whole depth is one run of P·Q floats in both operands. A
 * register tile ({@link Tile}) is a few output channels × a few weight columns ({@code (c,r,s)} in the weight's own
 * order, so nothing is scattered).
 *
 * <p>It runs where {@link FilterGradient}'s GEMM would waste most of its tiles or its packing ({@link #suits}): for
 * the RGB input layer, 3 · 9 = 27 weight columns would fill 27 of a 64-column sliver (with 512-bit vectors), and
 * packing the transposed columns cost more than the FMAs. The batch goes through in chunks of whole images; in
 * each, the threads split the register tiles, and tile u is always unit u with its sums in its own place, so every
 * weight element is summed in the same order whatever the thread count.
 */
final class LaneFilterGradient {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int V = F.length();
    /**
     * Below this many weight columns the GEMM loses: 64 is one sliver with AVX-512; with AVX2 (16-column slivers)
     * the RGB layer's 27 columns fill its slivers, but packing them still costs more than the lane path (4.0 against
     * 1.9 ms on Zen 3, Conv2dBench 3x64@64).
     */
    private static final int NARROW = 64;

    /** Register tile shapes, output channels × weight columns, each spelled out below. */
    enum Tile {
        /** 24 accumulators, 10 loads for 24 FMAs, as the GEMM's tile: for 32 vector registers (AVX-512). */
        FOUR_BY_SIX(4, 6),
        /** 10 accumulators, 7 loads for 10 FMAs: for 16 vector registers (AVX2), where 4 × 6 spills. */
        TWO_BY_FIVE(2, 5);

        /** The tile for this machine's vector registers, as {@link MicroKernel} chooses its own. */
        static final Tile MACHINE = MicroKernel.VECTORS == 4 ? FOUR_BY_SIX : TWO_BY_FIVE;

        final int kr;
        final int ct;

        Tile(int kr, int ct) {
            this.kr = kr;
            this.ct = ct;
        }

        int floats() {
            return kr * ct * V;
        }
    }
    /**
     * Floats of the shifted copy (4 MiB): the batch is copied and summed a chunk of whole images at a time, as many
     * as fit, so the copy, S times the input it holds, stays bounded for wide inputs and large batches. The input
     * layer at batch 8 (64x64, 0.3M floats) is one chunk.
     */
    private static final int COPY_FLOATS = 1 << 20;

    private final ConvGeometry g;
    private final Tile shape;
    private final float[] x;
    private final float[] gOut;
    private final float[] gW;
    /** Floats of one channel of {@code xs}: {@code (P + (R-1)·dilH)·Q}, as {@link ForwardConv#planeStride}. */
    private final int plane;
    /** Images per chunk. */
    private final int chunk;
    /** The shifted copy of one chunk: {@code [S, chunk, C, plane]}. */
    private final float[] xs;
    private final int colTiles;
    /** Lane sums of every tile, {@code kr × ct} vectors each, carried from chunk to chunk. */
    private final float[] acc;
    /** Offset of each tile column in {@code xs}, from pixel 0 of the chunk's first image. */
    private final int[] colOff;

    private LaneFilterGradient(ConvGeometry g, Tile shape, float[] x, float[] gOut, float[] gW, int plane, int chunk,
                               float[] xs, float[] acc) {
        this.g = g;
        this.shape = shape;
        this.x = x;
        this.gOut = gOut;
        this.gW = gW;
        this.plane = plane;
        this.chunk = chunk;
        this.xs = xs;
        this.acc = acc;
        int crs = g.crs(), rs = g.r() * g.s();
        this.colTiles = Math.ceilDiv(crs, shape.ct);
        this.colOff = new int[colTiles * shape.ct];
        for (int j = 0; j < colOff.length; j++) {
            // Columns past the end repeat the last one: a valid load whose sums are dropped.
            int col = Math.min(j, crs - 1), c = col / rs, r = col % rs / g.s(), s = col % g.s();
            colOff[j] = (s * chunk * g.c() + c) * plane + r * g.dilH() * g.q();
        }
    }

    /**
     * Whether this path should compute {@code g}: it needs stride 1 and whole vectors of output pixels per image,
     * and it is chosen where the GEMM would waste its work, with fewer than {@link #NARROW} weight columns or fewer
     * output channels than one GEMM tile has rows ({@link ConvGemm#MR}). Where the GEMM's tiles are full, the GEMM
     * is faster (about 1.3x at 64 channels, 2x at 128). One image's shifted copy, and the lane sums of all tiles,
     * must each fit {@link #COPY_FLOATS}.
     */
    static boolean suits(ConvGeometry g) {
        return g.strideH() == 1 && g.strideW() == 1 && g.n() > 0 && g.pq() > 0 && g.pq() % V == 0
                && (g.crs() < NARROW || g.k() < ConvGemm.MR)
                && (long) g.s() * g.c() * planeOf(g) <= COPY_FLOATS
                && (long) units(g, Tile.MACHINE) * Tile.MACHINE.floats() <= COPY_FLOATS;
    }

    /** Register tiles of the weight gradient. */
    private static int units(ConvGeometry g, Tile shape) {
        return Math.ceilDiv(g.k(), shape.kr) * Math.ceilDiv(g.crs(), shape.ct);
    }

    private static int planeOf(ConvGeometry g) {
        return ForwardConv.planeStride((g.p() + (g.r() - 1) * g.dilH()) * g.q());
    }

    /**
     * {@code gW [K,C,R,S] = Σ gOut ⊗ x} for {@code x [N,C,H,W]} and {@code gOut [N,K,P,Q]}, where {@link #suits}
     * holds.
     */
    static void compute(ConvGeometry g, float[] x, float[] gOut, float[] gW) {
        compute(g, Tile.MACHINE, x, gOut, gW);
    }

    /** {@link #compute} with the given tile shape, whatever this machine's: tests run both. */
    static void compute(ConvGeometry g, Tile shape, float[] x, float[] gOut, float[] gW) {
        int plane = planeOf(g), perImage = g.s() * g.c() * plane;
        int chunk = Math.clamp(COPY_FLOATS / Math.max(1, perImage), 1, g.n());
        int units = units(g, shape);
        float[] xs = BufferPool.takeFloats(Math.max(1, chunk * perImage));
        float[] acc = BufferPool.takeFloats(Math.max(1, units * shape.floats()));
        try {
            LaneFilterGradient lfg = new LaneFilterGradient(g, shape, x, gOut, gW, plane, chunk, xs, acc);
            for (int n0 = 0; n0 < g.n(); n0 += chunk) {
                int first = n0, images = Math.min(chunk, g.n() - n0);
                CpuPool.parallelFor(g.s() * images, 1, (v0, v1) -> {
                    for (int v = v0; v < v1; v++) {
                        lfg.shift(v / images, first, v % images);
                    }
                });
                // Tile u is always unit u, whichever thread runs it: the order of its sums is fixed.
                CpuPool.parallelFor(units, 1, (u0, u1) -> lfg.run(u0, u1, first, images));
            }
        } finally {
            BufferPool.give(xs);
            BufferPool.give(acc);
        }
    }

    /** Writes image {@code n0 + i} into slot i of {@code xs} for kernel column {@code si}. */
    private void shift(int si, int n0, int i) {
        int q = g.q(), rows = g.p() + (g.r() - 1) * g.dilH(), ni = n0 + i;
        for (int ci = 0; ci < g.c(); ci++) {
            int dstPlane = ((si * chunk + i) * g.c() + ci) * plane, src = (ni * g.c() + ci) * g.hw();
            for (int row = 0; row < rows; row++) {
                ForwardConv.windowRow(x, src, g.h(), g.w(), row - g.padH(), g.inCol0(si), xs, dstPlane + row * q, q);
            }
        }
    }

    /** Adds images {@code [n0, n0 + images)} into tiles {@code [u0, u1)}, and writes them after the last image. */
    private void run(int u0, int u1, int n0, int images) {
        int tileFloats = shape.floats();
        for (int u = u0; u < u1; u++) {
            int kt = u / colTiles, jt = u % colTiles, at = u * tileFloats;
            if (shape == Tile.FOUR_BY_SIX) {
                fourBySix(kt, jt, n0, images, at, n0 > 0);
            } else {
                twoByFive(kt, jt, n0, images, at, n0 > 0);
            }
            if (n0 + images == g.n()) {
                reduce(kt, jt, at);
            }
        }
    }

    /**
     * Adds images {@code [n0, n0 + images)} of tile (kt, jt) into its lane sums at {@code acc[at]}: 4 × 6 vectors,
     * row-major. {@code add} false starts them from zero. The accumulators are spelled out, as in
     * {@link MicroKernel}, so that C2 keeps them in registers, and loaded with plain array loads: through a small
     * helper, C2 sometimes compiled the AVX2 tile with its vectors as heap objects, 15-20x slower in about half of
     * the JVM runs. Rows past K and columns past C·R·S read a clamped (valid) row or column and are dropped by
     * {@link #reduce}.
     */
    private void fourBySix(int kt, int jt, int n0, int images, int at, boolean add) {
        int pq = g.pq(), last = g.k() - 1, k0 = kt * 4;
        int g0 = Math.min(k0, last) * pq, g1 = Math.min(k0 + 1, last) * pq;
        int g2 = Math.min(k0 + 2, last) * pq, g3 = Math.min(k0 + 3, last) * pq;
        int j0 = jt * 6, x0 = colOff[j0], x1 = colOff[j0 + 1], x2 = colOff[j0 + 2];
        int x3 = colOff[j0 + 3], x4 = colOff[j0 + 4], x5 = colOff[j0 + 5];
        FloatVector z = FloatVector.zero(F);
        FloatVector s00 = z, s01 = z, s02 = z, s03 = z, s04 = z, s05 = z;
        FloatVector s10 = z, s11 = z, s12 = z, s13 = z, s14 = z, s15 = z;
        FloatVector s20 = z, s21 = z, s22 = z, s23 = z, s24 = z, s25 = z;
        FloatVector s30 = z, s31 = z, s32 = z, s33 = z, s34 = z, s35 = z;
        if (add) {
            s00 = FloatVector.fromArray(F, acc, at);
            s01 = FloatVector.fromArray(F, acc, at + V);
            s02 = FloatVector.fromArray(F, acc, at + 2 * V);
            s03 = FloatVector.fromArray(F, acc, at + 3 * V);
            s04 = FloatVector.fromArray(F, acc, at + 4 * V);
            s05 = FloatVector.fromArray(F, acc, at + 5 * V);
            s10 = FloatVector.fromArray(F, acc, at + 6 * V);
            s11 = FloatVector.fromArray(F, acc, at + 7 * V);
            s12 = FloatVector.fromArray(F, acc, at + 8 * V);
            s13 = FloatVector.fromArray(F, acc, at + 9 * V);
            s14 = FloatVector.fromArray(F, acc, at + 10 * V);
            s15 = FloatVector.fromArray(F, acc, at + 11 * V);
            s20 = FloatVector.fromArray(F, acc, at + 12 * V);
            s21 = FloatVector.fromArray(F, acc, at + 13 * V);
            s22 = FloatVector.fromArray(F, acc, at + 14 * V);
            s23 = FloatVector.fromArray(F, acc, at + 15 * V);
            s24 = FloatVector.fromArray(F, acc, at + 16 * V);
            s25 = FloatVector.fromArray(F, acc, at + 17 * V);
            s30 = FloatVector.fromArray(F, acc, at + 18 * V);
            s31 = FloatVector.fromArray(F, acc, at + 19 * V);
            s32 = FloatVector.fromArray(F, acc, at + 20 * V);
            s33 = FloatVector.fromArray(F, acc, at + 21 * V);
            s34 = FloatVector.fromArray(F, acc, at + 22 * V);
            s35 = FloatVector.fromArray(F, acc, at + 23 * V);
        }
        int kpq = g.k() * pq, cPlane = g.c() * plane;
        for (int i = 0; i < images; i++) {
            // Within an image both operands are contiguous runs of P·Q floats.
            int gb = (n0 + i) * kpq, xb = i * cPlane;
            for (int e = 0; e < pq; e += V) {
                FloatVector a0 = FloatVector.fromArray(F, gOut, gb + g0 + e);
                FloatVector a1 = FloatVector.fromArray(F, gOut, gb + g1 + e);
                FloatVector a2 = FloatVector.fromArray(F, gOut, gb + g2 + e);
                FloatVector a3 = FloatVector.fromArray(F, gOut, gb + g3 + e);
                FloatVector b = FloatVector.fromArray(F, xs, xb + x0 + e);
                s00 = a0.fma(b, s00); s10 = a1.fma(b, s10); s20 = a2.fma(b, s20); s30 = a3.fma(b, s30);
                b = FloatVector.fromArray(F, xs, xb + x1 + e);
                s01 = a0.fma(b, s01); s11 = a1.fma(b, s11); s21 = a2.fma(b, s21); s31 = a3.fma(b, s31);
                b = FloatVector.fromArray(F, xs, xb + x2 + e);
                s02 = a0.fma(b, s02); s12 = a1.fma(b, s12); s22 = a2.fma(b, s22); s32 = a3.fma(b, s32);
                b = FloatVector.fromArray(F, xs, xb + x3 + e);
                s03 = a0.fma(b, s03); s13 = a1.fma(b, s13); s23 = a2.fma(b, s23); s33 = a3.fma(b, s33);
                b = FloatVector.fromArray(F, xs, xb + x4 + e);
                s04 = a0.fma(b, s04); s14 = a1.fma(b, s14); s24 = a2.fma(b, s24); s34 = a3.fma(b, s34);
                b = FloatVector.fromArray(F, xs, xb + x5 + e);
                s05 = a0.fma(b, s05); s15 = a1.fma(b, s15); s25 = a2.fma(b, s25); s35 = a3.fma(b, s35);
            }
        }
        s00.intoArray(acc, at); s01.intoArray(acc, at + V); s02.intoArray(acc, at + 2 * V);
        s03.intoArray(acc, at + 3 * V); s04.intoArray(acc, at + 4 * V); s05.intoArray(acc, at + 5 * V);
        s10.intoArray(acc, at + 6 * V); s11.intoArray(acc, at + 7 * V); s12.intoArray(acc, at + 8 * V);
        s13.intoArray(acc, at + 9 * V); s14.intoArray(acc, at + 10 * V); s15.intoArray(acc, at + 11 * V);
        s20.intoArray(acc, at + 12 * V); s21.intoArray(acc, at + 13 * V); s22.intoArray(acc, at + 14 * V);
        s23.intoArray(acc, at + 15 * V); s24.intoArray(acc, at + 16 * V); s25.intoArray(acc, at + 17 * V);
        s30.intoArray(acc, at + 18 * V); s31.intoArray(acc, at + 19 * V); s32.intoArray(acc, at + 20 * V);
        s33.intoArray(acc, at + 21 * V); s34.intoArray(acc, at + 22 * V); s35.intoArray(acc, at + 23 * V);
    }

    /** {@link #fourBySix} for the 2 × 5 tile. */
    private void twoByFive(int kt, int jt, int n0, int images, int at, boolean add) {
        int pq = g.pq(), last = g.k() - 1, k0 = kt * 2;
        int g0 = Math.min(k0, last) * pq, g1 = Math.min(k0 + 1, last) * pq;
        int j0 = jt * 5, x0 = colOff[j0], x1 = colOff[j0 + 1], x2 = colOff[j0 + 2];
        int x3 = colOff[j0 + 3], x4 = colOff[j0 + 4];
        FloatVector z = FloatVector.zero(F);
        FloatVector s00 = z, s01 = z, s02 = z, s03 = z, s04 = z;
        FloatVector s10 = z, s11 = z, s12 = z, s13 = z, s14 = z;
        if (add) {
            s00 = FloatVector.fromArray(F, acc, at);
            s01 = FloatVector.fromArray(F, acc, at + V);
            s02 = FloatVector.fromArray(F, acc, at + 2 * V);
            s03 = FloatVector.fromArray(F, acc, at + 3 * V);
            s04 = FloatVector.fromArray(F, acc, at + 4 * V);
            s10 = FloatVector.fromArray(F, acc, at + 5 * V);
            s11 = FloatVector.fromArray(F, acc, at + 6 * V);
            s12 = FloatVector.fromArray(F, acc, at + 7 * V);
            s13 = FloatVector.fromArray(F, acc, at + 8 * V);
            s14 = FloatVector.fromArray(F, acc, at + 9 * V);
        }
        int kpq = g.k() * pq, cPlane = g.c() * plane;
        for (int i = 0; i < images; i++) {
            int gb = (n0 + i) * kpq, xb = i * cPlane;
            for (int e = 0; e < pq; e += V) {
                FloatVector a0 = FloatVector.fromArray(F, gOut, gb + g0 + e);
                FloatVector a1 = FloatVector.fromArray(F, gOut, gb + g1 + e);
                FloatVector b = FloatVector.fromArray(F, xs, xb + x0 + e);
                s00 = a0.fma(b, s00); s10 = a1.fma(b, s10);
                b = FloatVector.fromArray(F, xs, xb + x1 + e);
                s01 = a0.fma(b, s01); s11 = a1.fma(b, s11);
                b = FloatVector.fromArray(F, xs, xb + x2 + e);
                s02 = a0.fma(b, s02); s12 = a1.fma(b, s12);
                b = FloatVector.fromArray(F, xs, xb + x3 + e);
                s03 = a0.fma(b, s03); s13 = a1.fma(b, s13);
                b = FloatVector.fromArray(F, xs, xb + x4 + e);
                s04 = a0.fma(b, s04); s14 = a1.fma(b, s14);
            }
        }
        s00.intoArray(acc, at); s01.intoArray(acc, at + V); s02.intoArray(acc, at + 2 * V);
        s03.intoArray(acc, at + 3 * V); s04.intoArray(acc, at + 4 * V);
        s10.intoArray(acc, at + 5 * V); s11.intoArray(acc, at + 6 * V); s12.intoArray(acc, at + 7 * V);
        s13.intoArray(acc, at + 8 * V); s14.intoArray(acc, at + 9 * V);
    }

    /**
     * Adds the lanes of tile (kt, jt) and writes the weight elements that exist. The lanes are added in lane order,
     * in double, as {@link CpuReduce#foldLanes} does: {@code reduceLanes(ADD)} added them in another order once C2
     * had compiled this, so a training run's numbers depended on when the JIT got here (two runs parted at iteration
     * 8).
     */
    private void reduce(int kt, int jt, int at) {
        int crs = g.crs(), kr = shape.kr, ct = shape.ct;
        for (int i = 0; i < kr && kt * kr + i < g.k(); i++) {
            for (int j = 0; j < ct && jt * ct + j < crs; j++) {
                int from = at + (i * ct + j) * V;
                double sum = 0;
                for (int l = 0; l < V; l++) {
                    sum += acc[from + l];
                }
                gW[(kt * kr + i) * crs + jt * ct + j] = (float) sum;
            }
        }
    }
}
