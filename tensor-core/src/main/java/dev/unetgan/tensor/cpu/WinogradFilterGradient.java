package dev.unetgan.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * conv2d backward-filter (F32) for the convs that {@link Winograd} runs forward, by the same F(2×2, 3×3). The
 * forward tile is {@code Y = Aᵀ·[Σ_c U[k,c] ⊙ V[c]]·A} with {@code U = G·g·Gᵀ}, linear in the filter g, so its
 * gradient is {@code Gᵀ·[Σ_tiles (A·dY·Aᵀ) ⊙ V]·G}: the sums over every tile of every image are 16 GEMMs, one per
 * element ξ of the 4×4 transformed tile, with 2.25x fewer multiply-adds than the direct sum over pixels.
 * <pre>
 *   V[ξ] [C × tiles]    = (Bᵀ·d[n,c,tile]·B)[ξ]       input patches, the forward's ({@link Winograd#transformInputs})
 *   D[ξ] [K × tiles]    = (A·dY[n,k,tile]·Aᵀ)[ξ]      output gradient, 2×2 per tile, zero past the output's edge,
 *                                                    written packed
 *   dU[ξ] [K × C]      += D[ξ]·V[ξ]ᵀ                  {@link GemmPacked#sgemmPackedA}, chunk after chunk of tiles
 *   gW[k,c]             = Gᵀ·dU[·][k,c]·G
 * </pre>
 * The tiles lie in the GEMM columns as in the forward ({@link Winograd.Tiling}); a spare column's D is zero, so its V
 * adds nothing. The tiles are summed in chunks: a thread's own bands of one image ({@link #chunked}), or groups of
 * images that the threads share ({@link #grouped}), whichever {@link #compute} picks. Each sum runs in a fixed order
 * (the GEMM's depth, chunks in order, partial sums added in order), so the result is deterministic and does not
 * depend on the thread count. Unlike the forward's, it depends on the chunks: the sums run across them, which
 * changes their rounding. The error, relative to {@code 1 + |result|}, grows with the
 * tiles summed about as the direct sum's does (a review measured 1.1-1.8x that of {@link FilterGradient}).
 */
final class WinogradFilterGradient {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int V = S.length();
    private static final int XI = Winograd.XI;
    /**
     * Floats of one chunk's transformed input and output gradient (2 MiB), which one thread makes and then
     * multiplies while they are still in its core's caches. For the 64-channel layer at 64x64 (paired, in one JVM):
     * chunks of 1 MiB, within the L2, took 1.07x this size's time (more GEMMs, each shallower), 4 MiB 0.99x, 512 KiB
     * 1.23x.
     */
    static final int CHUNK_FLOATS = 1 << 19;
    /**
     * Partial sums of the transformed gradient, which the threads claim: a fixed number, so that what each sums, and
     * in which order, does not depend on the thread count.
     */
    private static final int SUMS = 8;

    private WinogradFilterGradient() {
    }

    /**
     * {@code gW [K,C,3,3]} from {@code x [N,C,H,W]} and {@code gOut [N,K,P,Q]}. Requires {@code Winograd.suits(g)}.
     * Where a partial sum of the transformed gradient (16·K·C floats) takes at most a quarter of a chunk's floats,
     * each thread sums its own chunks ({@link #chunked}); else the threads share each group of images
     * ({@link #grouped}). With 128 channels a partial sum is 1 MiB, and the chunks (of 1 MiB then) took 1.2x the
     * shared groups' time; with 256 it is 4 MiB, and the chunks' GEMMs, as shallow as one image's few tiles, spent
     * their time reading and writing it (1.5-1.9x the time of the GEMM path at 16x16 and 8x8).
     */
    static void compute(ConvGeometry g, float[] x, float[] gOut, float[] gW) {
        if (4L * XI * g.k() * g.c() <= CHUNK_FLOATS) {
            chunked(g, x, gOut, gW, CHUNK_FLOATS);
        } else {
            grouped(g, x, gOut, gW, Winograd.PLANES_MAX);
        }
    }

    /**
     * {@link #compute}, in groups of images whose transformed input and output gradient take at most
     * {@code planesMax} floats each (at least one image), the threads sharing each transform and the 16 GEMMs.
     */
    static void grouped(ConvGeometry g, float[] x, float[] gOut, float[] gW, int planesMax) {
        int k = g.k(), c = g.c(), slivers = Math.ceilDiv(k, GemmPacked.MR);
        Winograd.Tiling t = Winograd.Tiling.of(g, 2);
        int imageColumns = t.imageColumns(), group = Winograd.groupImages(g, t, planesMax);
        Layout l = Layout.of(g, group * imageColumns);
        float[] u = BufferPool.takeFloats(XI * l.uPlane());
        float[] v = BufferPool.takeFloats(XI * l.vPlane());
        float[] d = BufferPool.takeFloats(XI * l.dPlane());
        try {
            for (int first = 0; first < g.n(); first += group) {
                int images = Math.min(group, g.n() - first), columns = images * imageColumns, f = first;
                Winograd.transformInputs(g, t, x, images, new Winograd.Planes(v, l.vPlane(), l.vLd(), first));
                // Sliver by sliver, the images of each in turn: consecutive units write one run of D's packed layout.
                Winograd.eachClaimed(images * slivers, (i, scratch) -> transformGradient(g, t, gOut, f + i % images,
                        i / images * GemmPacked.MR, 0, t.bands(), i % images * imageColumns, columns, scratch, d,
                        l.dPlane()), () -> new Sliver(t));
                float beta = first == 0 ? 0f : 1f;
                // One GEMM per claim, on the claiming thread: 16 deep GEMMs even out across the threads.
                Winograd.eachClaimed(XI, (xi, none) -> l.multiply(xi, columns, d, v, beta, u, 0), () -> null);
            }
            Winograd.eachClaimed(k, (kk, e) -> transformBack(u, l.uPlane(), 1, kk, c, e, gW), () -> new float[28]);
        } finally {
            BufferPool.give(d);
            BufferPool.give(v);
            BufferPool.give(u);
        }
    }

    /**
     * {@link #compute}, in chunks of bands of one image whose transformed input and output gradient take at most
     * {@code chunkFloats} floats together (at least one band, at most an image). Chunk i adds into partial sum
     * {@code i mod sums}, the sums are claimed by the threads, and each thread transforms its chunks into its own
     * buffers and multiplies them right away, while they are in its caches. The whole batch's planes, shared by the
     * threads ({@link #grouped}), take 35 and 34 MB for the 64-channel layer at 64x64, batch 8, written and read back
     * through memory: that layer's backward-filter went from 1.27x PyTorch's time to about 1.0x on the Zen 4. The
     * partial sums take {@code 8·16·K·C} floats, which {@link #compute} keeps small.
     */
    static void chunked(ConvGeometry g, float[] x, float[] gOut, float[] gW, int chunkFloats) {
        int k = g.k(), c = g.c(), mr = GemmPacked.MR, slivers = Math.ceilDiv(k, mr);
        Winograd.Tiling t = Winograd.Tiling.of(g, 2);
        int bands = t.bands(), bandColumns = t.columns();
        long perBand = (long) XI * (c + slivers * mr) * bandColumns;
        int chunkBands = (int) Math.clamp(chunkFloats / perBand, 1, bands), perImage = Math.ceilDiv(bands, chunkBands);
        int chunks = g.n() * perImage, sums = Math.min(SUMS, chunks);
        Layout l = Layout.of(g, chunkBands * bandColumns);
        float[] u = BufferPool.takeFloats(sums * XI * l.uPlane());
        try {
            Winograd.eachClaimed(sums, (sum, scratch) -> {
                float[] v = BufferPool.takeFloats(XI * l.vPlane()), d = BufferPool.takeFloats(XI * l.dPlane());
                try {
                    for (int chunk = sum; chunk < chunks; chunk += sums) {
                        int n = chunk / perImage, b0 = chunk % perImage * chunkBands;
                        int b1 = Math.min(bands, b0 + chunkBands), columns = (b1 - b0) * bandColumns;
                        Winograd.Planes vs = new Winograd.Planes(v, l.vPlane(), l.vLd(), n);
                        for (int ci = 0; ci < c; ci++) {
                            Winograd.transformInput(g, t, x, n, ci, b0, b1, scratch.rows(), vs);
                        }
                        for (int s = 0; s < slivers; s++) {
                            transformGradient(g, t, gOut, n, s * mr, b0, b1, 0, columns, scratch.sliver(), d,
                                    l.dPlane());
                        }
                        float beta = chunk < sums ? 0f : 1f;
                        for (int xi = 0; xi < XI; xi++) {
                            l.multiply(xi, columns, d, v, beta, u, sum);
                        }
                    }
                } finally {
                    BufferPool.give(d);
                    BufferPool.give(v);
                }
            }, () -> new Scratch(new Winograd.Rows(t), new Sliver(t)));
            Winograd.eachClaimed(k, (kk, e) -> transformBack(u, l.uPlane(), sums, kk, c, e, gW), () -> new float[28]);
        } finally {
            BufferPool.give(u);
        }
    }

    /** One thread's scratch for the two transforms. */
    private record Scratch(Winograd.Rows rows, Sliver sliver) {
    }

    /**
     * Where the planes of a group or chunk of up to {@code tiles} tiles lie, for K = {@code k} and C = {@code c}:
     * V's rows {@code vLd} apart, its planes {@code vPlane}, D's (packed) {@code dPlane}, and those of a sum of dU
     * {@code uPlane}. Every stride is off the multiples of 1 KiB ({@link ForwardConv#planeStride}); for V's rows
     * that lets the GEMMs gather its columns when they pack Vᵀ ({@link GemmPacked#gathersColumns}), 0.91-0.96 of the
     * time of the 64-channel layer at 64x64, batch 8, whose 8192 tiles a row would not gather well.
     */
    private record Layout(int k, int c, int vLd, int vPlane, int dPlane, int uPlane) {
        static Layout of(ConvGeometry g, int tiles) {
            int vLd = ForwardConv.planeStride(tiles);
            int dPlane = ForwardConv.planeStride(GemmPacked.packedSize(g.k(), tiles));
            return new Layout(g.k(), g.c(), vLd, ForwardConv.planeStride(g.c() * vLd), dPlane,
                    ForwardConv.planeStride(g.k() * g.c()));
        }

        /** Plane ξ of partial sum {@code sum}: {@code dU (+)= D[ξ]·V[ξ]ᵀ} over {@code columns} tiles. */
        void multiply(int xi, int columns, float[] d, float[] v, float beta, float[] u, int sum) {
            GemmPacked.sgemmPackedA(k, c, columns, 1f, d, xi * dPlane, true, v, xi * vPlane, vLd, beta, u,
                    (sum * XI + xi) * uPlane, c);
        }
    }

    /**
     * One thread's scratch for {@link #transformGradient}: for each row of a sliver, a band's gradient rows 0 and 1
     * split into even and odd columns (zero in the spare columns, which are never written); the transform of one
     * vector of tiles for every row, {@code tile[(ξ·MR + r)·V + lane]}; and the gather map that interleaves it into
     * the packed order, element e of a depth run of MR·V floats being row {@code e % MR} of tile {@code e / MR}.
     */
    private static final class Sliver {
        final float[][][] rows;
        final float[] tile = new float[XI * GemmPacked.MR * V];
        final int[] interleave = new int[GemmPacked.MR * V];

        Sliver(Winograd.Tiling t) {
            rows = new float[GemmPacked.MR][4][t.columns()];
            for (int e = 0; e < interleave.length; e++) {
                interleave[e] = e % GemmPacked.MR * V + e / GemmPacked.MR;
            }
        }
    }

    /**
     * {@code D[ξ][k][tile] = (A·dY·Aᵀ)[ξ]} for the tiles of bands {@code [b0, b1)} of image {@code n} and the MR
     * output channels from {@code k0} (one sliver of the GEMMs' A), written packed for
     * {@link GemmPacked#sgemmPackedA} with {@code columns} as depth, band b0 from column {@code column}, plane ξ at
     * {@code d[ξ·plane]}. Here
     * {@code Aᵀ = [1 1 1 0; 0 1 -1 -1]} and dY is the tile's 2×2 output gradient, zero past the output's edge (a half
     * tile, or a half last band's missing rows of tiles) and for channels past K. Writing the packed order here,
     * where the values are made, spares the GEMM a pass that read all of D back to pack it (a fifth of the 64-channel
     * layer's profile samples).
     */
    private static void transformGradient(ConvGeometry g, Winograd.Tiling t, float[] gOut, int n, int k0, int b0,
                                          int b1, int column, int columns, Sliver s, float[] d, int plane) {
        int mr = GemmPacked.MR, tilesQ = t.tilesQ(), band = t.band(), bandColumns = t.columns();
        int rows = Math.min(mr, g.k() - k0);
        for (int r = rows; r < mr; r++) {
            for (float[] y : s.rows[r]) {
                java.util.Arrays.fill(y, 0f);
            }
        }
        for (int bb = b0; bb < b1; bb++) {
            for (int r = 0; r < rows; r++) {
                float[][] y = s.rows[r];
                int src = (n * g.k() + k0 + r) * g.pq();
                for (int ty = 0; ty < band; ty++) {
                    int row = 2 * (bb * band + ty);
                    Winograd.split(gOut, src, g.p(), g.q(), row, 0, tilesQ, y[0], y[1], ty * tilesQ);
                    Winograd.split(gOut, src, g.p(), g.q(), row + 1, 0, tilesQ, y[2], y[3], ty * tilesQ);
                }
            }
            int col0 = column + (bb - b0) * bandColumns;
            for (int tx = 0; tx < bandColumns; tx += V) {
                for (int r = 0; r < mr; r++) {
                    transformTiles(s.rows[r], tx, s.tile, r * V, mr * V);
                }
                // A vector of tiles lies within one depth block (KC and the band's columns are whole vectors), so
                // its MR rows are one run of MR·V floats in every plane.
                int at = GemmPacked.packedAt(k0, col0 + tx, g.k(), columns);
                for (int xi = 0; xi < XI; xi++) {
                    for (int h = 0; h < mr; h++) {
                        FloatVector.fromArray(S, s.tile, xi * mr * V, s.interleave, h * V)
                                .intoArray(d, xi * plane + at + h * V);
                    }
                }
            }
        }
    }

    /**
     * The 16 elements {@code (A·dY·Aᵀ)[ξ]} of the V tiles from {@code tx} whose gradient rows are {@code y} (rows 0
     * and 1, even and odd columns), stored {@code step} apart from {@code out[at]}.
     */
    private static void transformTiles(float[][] y, int tx, float[] out, int at, int step) {
        // A·dY: rows y0, y0 + y1, y0 - y1 and -y1 of the tile; ·Aᵀ turns each row's two columns (a, b) into
        // a, a + b, a - b, -b the same way.
        FloatVector a0 = FloatVector.fromArray(S, y[0], tx), b0 = FloatVector.fromArray(S, y[1], tx);
        FloatVector a1 = FloatVector.fromArray(S, y[2], tx), b1 = FloatVector.fromArray(S, y[3], tx);
        FloatVector s = a0.add(b0), r = a0.sub(b0), s1 = a1.add(b1), r1 = a1.sub(b1);
        a0.intoArray(out, at);
        s.intoArray(out, at + step);
        r.intoArray(out, at + 2 * step);
        b0.neg().intoArray(out, at + 3 * step);
        a0.add(a1).intoArray(out, at + 4 * step);
        s.add(s1).intoArray(out, at + 5 * step);
        r.add(r1).intoArray(out, at + 6 * step);
        b0.add(b1).neg().intoArray(out, at + 7 * step);
        a0.sub(a1).intoArray(out, at + 8 * step);
        s.sub(s1).intoArray(out, at + 9 * step);
        r.sub(r1).intoArray(out, at + 10 * step);
        b1.sub(b0).intoArray(out, at + 11 * step);
        a1.neg().intoArray(out, at + 12 * step);
        s1.neg().intoArray(out, at + 13 * step);
        r1.neg().intoArray(out, at + 14 * step);
        b1.intoArray(out, at + 15 * step);
    }

    /**
     * {@code gW[k,c] = Gᵀ·dU[·][k,c]·G} for every input channel c of output channel {@code k}, with
     * {@code Gᵀ = [1 ½ ½ 0; 0 ½ -½ 0; 0 ½ ½ 1]}, where dU is the sum of the {@code sums} partial sums
     * ({@code XI} planes each, added in order); {@code e} is 28 floats of scratch: dU's 16 values, then {@code Gᵀ·dU}.
     */
    private static void transformBack(float[] u, int plane, int sums, int k, int cc, float[] e, float[] gW) {
        for (int c = 0; c < cc; c++) {
            int at = k * cc + c;
            for (int xi = 0; xi < XI; xi++) {
                float sum = u[at + xi * plane];
                for (int s = 1; s < sums; s++) {
                    sum += u[at + (s * XI + xi) * plane];
                }
                e[xi] = sum;
            }
            for (int j = 0; j < 4; j++) {
                fold(e[j], e[4 + j], e[8 + j], e[12 + j], e, XI + j, 4);
            }
            for (int r = 0; r < 3; r++) {
                fold(e[XI + 4 * r], e[XI + 4 * r + 1], e[XI + 4 * r + 2], e[XI + 4 * r + 3], gW, at * 9 + 3 * r, 1);
            }
        }
    }

    /** {@code Gᵀ·(a0, a1, a2, a3)}: three values, stored {@code step} apart from {@code to[at]}. */
    private static void fold(float a0, float a1, float a2, float a3, float[] to, int at, int step) {
        float half = 0.5f * (a1 + a2);
        to[at] = a0 + half;
        to[at + step] = 0.5f * (a1 - a2);
        to[at + 2 * step] = half + a3;
    }
}
