package dev.unetgan.tensor.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * conv2d forward (F32) for 3×3 kernels at stride 1 and dilation 1 by Winograd's minimal filtering F(2×2, 3×3)
 * (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks", 2016), or by F(4×4, 3×3)
 * ({@link Winograd4}, 36 GEMMs of the same shape) where its 4-pixel tiles fill the vectors as well, in rows or in
 * bands ({@link Tiling#of(ConvGeometry)}). What follows is F(2×2, 3×3). Each 2×2 block of output pixels
 * ("tile") is {@code Y = Aᵀ·[Σ_c (G·g·Gᵀ) ⊙ (Bᵀ·d·B)]·A}, from the 4×4 input patch {@code d} under it and the
 * 3×3 filter {@code g}: the multiply-adds over channels are 16 per tile instead of 36, 2.25x fewer. Those sums are
 * 16 GEMMs, one per element ξ of the 4×4 transformed tile:
 * <pre>
 *   U[ξ] [K × C]      = (G·w[k,c]·Gᵀ)[ξ]                 weights, once per call, written packed
 *   V[ξ] [C × tiles]  = (Bᵀ·d[n,c,tile]·B)[ξ]            input patches, tiles of a group of images side by side
 *   M[ξ] [K × tiles]  = U[ξ]·V[ξ]                        {@link GemmPacked#sgemmPackedA}
 *   out[n,k,tile]     = Aᵀ·M[·][k,tile]·A + bias[k]
 * </pre>
 * Its transforms only add and halve; they run vectorised along a row of tiles, from input rows split into their
 * even and odd columns (a tile's four columns are then two consecutive even and two consecutive odd ones). Where a
 * vector holds several rows of tiles (8×8 outputs: two rows of 4 tiles with 8 lanes), a band of that many rows lies
 * side by side in one GEMM row of tiles, gathered from a padded copy of the input plane.
 * Backward-data at stride 1 is the forward conv of the output gradient under {@link ConvGeometry#stride1Adjoint()},
 * and runs here too, reading the weight transposed and flipped.
 *
 * <p>Rounding differs from the direct sum: U sums up to 9 weights scaled by ½ or ¼, V sums or subtracts 4 inputs,
 * and the output transform adds 9 of the GEMM's sums. The error relative to {@code 1 + |result|} grows with the
 * channels about as a direct float sum's does (a review measured 1.2e-5 at 128 channels and 7e-5 at 512, against
 * 2.2e-5 and 6.1e-5 for the direct sum); F(4×4, 3×3)'s is 10-25 times F(2×2, 3×3)'s ({@link Winograd4}).
 * Deterministic: every sum is in a fixed order. Which convs take this path, and in which tiles, depends on the
 * vector width ({@link #suits}), so two machines may round a layer differently.
 */
final class Winograd {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int V = S.length();
    /** Elements of an F(2×2, 3×3) transformed tile. */
    static final int XI = 16;
    /**
     * The fewest input and output channels for which the GEMMs' savings outweigh the transforms, whose cost does not
     * shrink with the channel count.
     */
    static final int MIN_CHANNELS = 32;
    /**
     * Columns (tiles) of one GEMM block, the unit the threads claim. U[ξ] comes packed, so a block repacks no A; 512
     * keeps a call's fixed costs small against its multiply-adds.
     */
    private static final int GEMM_COLUMNS = 512;
    /**
     * The most floats that the transformed input and the GEMMs' output each take, unless one image alone takes more: a
     * batch runs in groups of images that fit (at least one), so these buffers do not grow with the batch (a 64-channel
     * 128×128 layer at batch 50 would take 0.8 GiB each). Batch 8 of the discriminator's 64-channel 64×64 layer is one
     * group.
     */
    static final int PLANES_MAX = 1 << 23;
    /**
     * Input channels whose transformed weights are made in scratch and then copied to U as one run per plane. Written
     * straight into U, a filter's 16 or 36 values went to as many planes, each store to another line, and the weight
     * transform took a quarter of the 256-channel layer's forward (a fifth of the 8x8 layer's backward-data). Divides
     * {@link GemmPacked#KC}.
     */
    private static final int WEIGHT_RUN = 32;
    /** Claims per thread that {@link #eachClaimed} aims at when it has more units than that. */
    private static final int CLAIMS_PER_THREAD = 32;

    private Winograd() {
    }

    /**
     * Whether geometry {@code g} runs here (and its backward-filter in {@link WinogradFilterGradient}): 3×3, stride
     * 1, dilation 1, enough channels both ways, at least one image, GEMM columns of
     * which at most a fifth are spare (with 8-float vectors: output widths 7-8, 13-16, 25-32, 39-48, ..., and
     * narrower ones at some heights, where bands of rows of tiles come out whole enough), and transformed weights and
     * one image's transformed planes (the least that {@link #run} groups) in reach of int indices.
     */
    static boolean suits(ConvGeometry g) {
        if (g.r() != 3 || g.s() != 3 || g.strideH() != 1 || g.strideW() != 1 || g.dilH() != 1 || g.dilW() != 1
                || g.c() < MIN_CHANNELS || g.k() < MIN_CHANNELS || g.n() <= 0 || g.p() <= 0 || g.q() <= 0) {
            return false;
        }
        Tiling t = Tiling.of(g, 2);
        long weights = Winograd4.XI * (long) Math.ceilDiv(g.k(), GemmPacked.MR) * GemmPacked.MR * g.c();
        long planes = Math.max(imagePlanes(g, t), imagePlanes(g, Tiling.of(g)));
        return t.whole() && Math.max(planes, weights) + Winograd4.XI * 16L <= Integer.MAX_VALUE - 8;
    }

    /**
     * How the output's tiles ({@code m × m} pixels each, {@code tilesP × tilesQ} of them) lie in the GEMM columns: in
     * bands of {@code band} rows of tiles side by side, {@code bands} of them, each {@code columns} wide. A band is one
     * row of tiles, or as many as fill a vector where a row is shorter (8×8 outputs: two rows of 4 tiles to 8 lanes);
     * its columns are its tiles rounded up to whole vectors, so that the transforms run unmasked (a masked store costs
     * several plain ones on AMD), and the spare ones are computed and dropped.
     */
    record Tiling(int m, int tilesP, int tilesQ, int band, int bands, int columns) {
        /**
         * The forward's tiling: F(4×4, 3×3) ({@link Winograd4}) where its tiles fill the columns as well as
         * F(2×2, 3×3)'s are required to ({@link #suits}), else F(2×2, 3×3). Requires an output of at least one pixel.
         */
        static Tiling of(ConvGeometry g) {
            Tiling four = of(g, 4);
            return four.whole() ? four : of(g, 2);
        }

        /** Tiles of {@code m × m} pixels (2 or 4). Requires an output of at least one pixel. */
        static Tiling of(ConvGeometry g, int m) {
            int tilesP = Math.ceilDiv(g.p(), m), tilesQ = Math.ceilDiv(g.q(), m);
            int band = Math.clamp(V / tilesQ, 1, tilesP);
            return new Tiling(m, tilesP, tilesQ, band, Math.ceilDiv(tilesP, band),
                    Math.ceilDiv(band * tilesQ, V) * V);
        }

        /** Elements of a transformed tile: the GEMMs, and the transformed planes of each operand. */
        int xi() {
            return (m + 2) * (m + 2);
        }

        int imageColumns() {
            return bands * columns;
        }

        /** At most a fifth of the GEMM columns are spare. */
        boolean whole() {
            return (long) imageColumns() * 4 <= (long) tilesP * tilesQ * 5;
        }
    }

    /** Floats of one image's transformed planes of input or output under {@code t}, whichever has more channels. */
    static long imagePlanes(ConvGeometry g, Tiling t) {
        return (long) t.xi() * Math.max(g.c(), g.k()) * t.imageColumns();
    }

    /** {@code out [N,K,P,Q] = conv(x [N,C,H,W], w [K,C,3,3]) + bias [K]} ({@code bias} may be null). */
    static void forward(ConvGeometry g, float[] x, float[] w, float[] bias, float[] out) {
        run(g, Tiling.of(g), x, w, false, bias, out, PLANES_MAX);
    }

    /**
     * Backward-data of the stride-1 conv with geometry {@code g}: {@code gIn [N,C,H,W]} from {@code gOut [N,K,P,Q]}
     * and {@code w [K,C,3,3]}. Requires {@code suits(g.stride1Adjoint())}.
     */
    static void backwardData(ConvGeometry g, float[] gOut, float[] w, float[] gIn) {
        ConvGeometry adjoint = g.stride1Adjoint();
        run(adjoint, Tiling.of(adjoint), gOut, w, true, null, gIn, PLANES_MAX);
    }

    /**
     * {@code out [N,K,P,Q] = conv(x [N,C,H,W], w) + bias [K]} for geometry {@code g}, with {@code w [K,C,3,3]}; or
     * with {@code adjoint}, where {@code g} is the {@link ConvGeometry#stride1Adjoint()} of a forward conv, the same
     * with {@code w [C,K,3,3]} read transposed and flipped (backward-data: x is the output gradient, out the input
     * gradient), in tiles {@code t}: {@code Tiling.of(g, 2)} or {@code Tiling.of(g, 4)}, one whose columns are
     * {@link Tiling#whole}. Runs in groups of images whose transformed input and output take at most
     * {@code planesMax} floats each (at least one image); the groups change no result. {@code bias} may be null.
     */
    static void run(ConvGeometry g, Tiling t, float[] x, float[] w, boolean adjoint, float[] bias, float[] out,
                    int planesMax) {
        int k = g.k(), c = g.c();
        int imageColumns = t.imageColumns(), group = groupImages(g, t, planesMax), tiles = group * imageColumns;
        int planes = t.xi();
        // The 16 or 36 planes of each operand are written (or read) side by side, as many streams: plane strides that
        // are not a multiple of 1 KiB keep them out of each other's cache sets (a 256-channel layer's weight planes,
        // 256 KiB apart, made the weight transform 9% of its forward).
        int uPlane = ForwardConv.planeStride(GemmPacked.packedSize(k, c)), vPlane = ForwardConv.planeStride(c * tiles);
        int mPlane = ForwardConv.planeStride(k * tiles);
        float[] u = BufferPool.takeFloats(planes * uPlane);
        float[] v = BufferPool.takeFloats(planes * vPlane);
        float[] m = BufferPool.takeFloats(planes * mPlane);
        try {
            int mr = GemmPacked.MR;
            eachClaimed(Math.ceilDiv(k, mr), (s, runs) -> transformWeights(g, t, w, adjoint, s * mr, u, uPlane, runs),
                    () -> new float[t.xi() * WEIGHT_RUN * mr]);
            for (int first = 0; first < g.n(); first += group) {
                int images = Math.min(group, g.n() - first), columns = images * imageColumns;
                Planes vs = new Planes(v, vPlane, tiles, first), ms = new Planes(m, mPlane, tiles, first);
                transformInputs(g, t, x, images, vs);
                // The GEMMs in column blocks, one block per claim: a GEMM called on a pool thread runs on that
                // thread, so the blocks of all 16 (or 36) even out across the threads in one wake-up (16 two-thread
                // calls each left one thread waiting at its end).
                int blocks = Math.ceilDiv(columns, GEMM_COLUMNS);
                eachClaimed(planes * blocks, (unit, none) -> {
                    int xi = unit / blocks, j0 = unit % blocks * GEMM_COLUMNS;
                    GemmPacked.sgemmPackedA(k, Math.min(GEMM_COLUMNS, columns - j0), c, 1f, u, xi * uPlane, false,
                            v, xi * vPlane + j0, tiles, 0f, m, xi * mPlane + j0, tiles);
                }, () -> null);
                // Channel by channel, the images of each in turn (see transformInputs).
                int n0 = vs.first();
                if (t.m() == 4) {
                    eachClaimed(images * k, (i, o) -> Winograd4.transformOutput(g, t, ms, n0 + i % images,
                            i / images, bias, o, out), () -> new Winograd4.Outputs(t));
                } else {
                    eachClaimed(images * k, (i, rows) -> transformOutput(g, t, ms, n0 + i % images, i / images,
                            bias, rows, out), () -> new float[4][t.columns() + V]);
                }
            }
        } finally {
            BufferPool.give(m);
            BufferPool.give(v);
            BufferPool.give(u);
        }
    }

    /**
     * Images per group under tiling {@code t}: as many as keep each operand's transformed planes within
     * {@code planesMax}, at least one.
     */
    static int groupImages(ConvGeometry g, Tiling t, int planesMax) {
        return Math.clamp(planesMax / imagePlanes(g, t), 1, g.n());
    }

    /**
     * {@code V[ξ][c][tile]} of every channel of {@code images} images of {@code x} from image {@code to.first()} on,
     * into {@code to} ({@link #transformInput}), one channel plane per unit, channel by channel and the images of
     * each in turn: their tiles lie side by side in a row of each transformed plane, so consecutive units write
     * one run. Image by image, a small image's units each wrote one line of a row, 512 bytes on from the last, and
     * the output transform read the GEMMs' sums the same way (on the 8×8 layer, 2-4 MB from L3, eight times over).
     * With the claims in runs ({@link #eachClaimed}), the forward and backward-data of the 8×8 to 64×64 layers took
     * 0.85-0.96x the time of the build before (paired in one JVM).
     */
    static void transformInputs(ConvGeometry g, Tiling t, float[] x, int images, Planes to) {
        int c = g.c(), n0 = to.first();
        if (t.m() == 4) {
            eachClaimed(images * c, (i, p) -> Winograd4.transformInput(g, t, x, n0 + i % images, i / images, p, to),
                    () -> new Winograd4.Patches(t));
        } else {
            eachClaimed(images * c, (i, rows) -> transformInput(g, t, x, n0 + i % images, i / images, 0, t.bands(),
                    rows, to), () -> new Rows(t));
        }
    }

    /**
     * The 16 or 36 transformed planes of an operand, {@code plane} apart in {@code a}. A plane's rows are {@code ld}
     * long: the tiles of images {@code first}, {@code first + 1}, ..., image by image, band by band ({@link Tiling}).
     */
    record Planes(float[] a, int plane, int ld, int first) {
    }

    /** One unit of work, with its thread's scratch. */
    interface Unit<T> {
        void run(int unit, T scratch);
    }

    /**
     * Runs {@code body} for units {@code [0, units)} on the pool's threads, each claiming a run of consecutive units
     * at a time from a counter, so a thread slowed by another process on its core does fewer; {@code scratch} is
     * made once per thread. A run is one unit, or as many as leave about {@link #CLAIMS_PER_THREAD} claims per
     * thread: an 8×8 plane's transform takes a fifth of a microsecond, and one claim each bounced the counter's line
     * between the cores thousands of times a call.
     */
    static <T> void eachClaimed(int units, Unit<T> body, Supplier<T> scratch) {
        AtomicInteger next = new AtomicInteger();
        int threads = Math.min(units, CpuPool.threads()), run = Math.max(1, units / (threads * CLAIMS_PER_THREAD));
        CpuPool.parallelFor(threads, 1, (t0, t1) -> {
            T mine = scratch.get();
            for (int first; (first = next.getAndAdd(run)) < units; ) {
                for (int unit = first, last = Math.min(units, first + run); unit < last; unit++) {
                    body.run(unit, mine);
                }
            }
        });
    }

    /**
     * {@code U[ξ][k][c] = (G·g·Gᵀ)[ξ]} for the MR output channels from {@code k0} (one sliver of the GEMMs' A) and
     * every c, with {@code G = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1]} (or {@link Winograd4}'s), written packed for
     * {@link GemmPacked#sgemmPackedA}. Channels past K are zeroed: the GEMM's tiles compute those rows and drop
     * them, and a pooled buffer's leftovers there (NaN, subnormals) could slow the multiply-adds. The filter g is
     * {@code w[k,c]}, or for the adjoint {@code w[c,k]} flipped in both axes. {@code runs} is the thread's scratch,
     * {@code xi · WEIGHT_RUN · MR} floats.
     */
    private static void transformWeights(ConvGeometry g, Tiling t, float[] w, boolean adjoint, int k0, float[] u,
                                         int plane, float[] runs) {
        int kk = g.k(), cc = g.c(), step = adjoint ? -1 : 1, mr = GemmPacked.MR, run = WEIGHT_RUN * mr;
        for (int c0 = 0; c0 < cc; c0 += WEIGHT_RUN) {
            int c1 = Math.min(cc, c0 + WEIGHT_RUN);
            for (int c = c0; c < c1; c++) {
                for (int k = k0, at = (c - c0) * mr; k < k0 + mr; k++, at++) {
                    int from = adjoint ? (c * kk + k) * 9 + 8 : (k * cc + c) * 9;
                    if (k < kk && t.m() == 4) {
                        Winograd4.transformFilter(w, from, step, runs, at, run);
                    } else if (k < kk) {
                        transformFilter(w, from, step, runs, at, run);
                    } else {
                        for (int xi = 0; xi < t.xi(); xi++) {
                            runs[at + xi * run] = 0f;
                        }
                    }
                }
            }
            // Channels c0 to c1 of the sliver lie in one depth block (WEIGHT_RUN divides KC): one run per plane.
            for (int xi = 0, to = GemmPacked.packedAt(k0, c0, kk, cc); xi < t.xi(); xi++) {
                System.arraycopy(runs, xi * run, u, to + xi * plane, (c1 - c0) * mr);
            }
        }
    }

    /**
     * {@code u[at + ξ·plane] = (G·g·Gᵀ)[ξ]} for the 3×3 filter g whose tap t is {@code w[from + step·t]}.
     */
    private static void transformFilter(float[] w, int from, int step, float[] u, int at, int plane) {
        // G·g, column by column (j = 0, 1, 2): rows a = 0..3 are g0, ½(g0+g1+g2), ½(g0-g1+g2), g2.
        float g00 = w[from], g10 = w[from + 3 * step], g20 = w[from + 6 * step];
        float g01 = w[from + step], g11 = w[from + 4 * step], g21 = w[from + 7 * step];
        float g02 = w[from + 2 * step], g12 = w[from + 5 * step], g22 = w[from + 8 * step];
        row(g00, g01, g02, u, at, plane);
        row(0.5f * (g00 + g10 + g20), 0.5f * (g01 + g11 + g21), 0.5f * (g02 + g12 + g22), u, at + 4 * plane, plane);
        row(0.5f * (g00 - g10 + g20), 0.5f * (g01 - g11 + g21), 0.5f * (g02 - g12 + g22), u, at + 8 * plane, plane);
        row(g20, g21, g22, u, at + 12 * plane, plane);
    }

    /** Row {@code (r0, r1, r2)} of G·g times Gᵀ: four elements, stored {@code plane} apart from {@code u[at]}. */
    private static void row(float r0, float r1, float r2, float[] u, int at, int plane) {
        u[at] = r0;
        u[at + plane] = 0.5f * (r0 + r1 + r2);
        u[at + 2 * plane] = 0.5f * (r0 - r1 + r2);
        u[at + 3 * plane] = r2;
    }

    /**
     * One thread's scratch for the input transform: the four input rows under a band of tiles, split into even and
     * odd columns ({@code even}, {@code odd}: each tile's columns 0 and 1), and its columns 2 and 3 ({@code evenNext},
     * {@code oddNext}), read {@code shift} elements on. For a band of one row of tiles, those are the same rows one
     * element on. A band of several rows of tiles is one vector, gathered from {@code padded}, a copy of the input
     * plane with its padding, {@code width} wide.
     */
    static final class Rows {
        final float[][] even = new float[4][];
        final float[][] odd = new float[4][];
        final float[][] evenNext;
        final float[][] oddNext;
        final int shift;
        final float[] padded;
        final int width;
        /** Lane l of a band: the offset in {@code padded} of row of tiles l / tilesQ, tile l % tilesQ (spare: 0). */
        final int[] index = new int[V];

        Rows(Tiling t) {
            boolean banded = t.band() > 1;
            evenNext = banded ? new float[4][] : even;
            oddNext = banded ? new float[4][] : odd;
            shift = banded ? 0 : 1;
            for (int i = 0; i < 4; i++) {
                even[i] = new float[t.columns() + V];
                odd[i] = new float[t.columns() + V];
                if (banded) {
                    evenNext[i] = new float[V];
                    oddNext[i] = new float[V];
                }
            }
            width = 2 * t.tilesQ() + 2;
            padded = new float[banded ? (2 * t.bands() * t.band() + 2) * width : 0];
            if (banded) {
                for (int l = 0; l < t.band() * t.tilesQ(); l++) {
                    index[l] = 2 * (l / t.tilesQ()) * width + 2 * (l % t.tilesQ());
                }
            }
        }

        /** For a band of one row: rows 2 and 3 become rows 0 and 1 (the old rows 0 and 1 the scratch for the next). */
        void advance() {
            for (float[][] r : new float[][][] {even, odd}) {
                float[] r0 = r[0], r1 = r[1];
                r[0] = r[2];
                r[1] = r[3];
                r[2] = r0;
                r[3] = r1;
            }
        }
    }

    /**
     * {@code V[ξ][c][tile] = (Bᵀ·d·B)[ξ]} for the tiles of bands {@code [band0, band1)} of image {@code n}, channel
     * {@code c}, with {@code Bᵀ = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]}; the patch of tile (ty, tx) is input rows
     * {@code 2ty - padH + [0, 4)} and columns {@code 2tx - padW + [0, 4)}, zero outside the input. Row of tiles
     * {@code ty} is row {@code ty % band} of band {@code ty / band}, its tiles at {@code [ty % band · tilesQ, +tilesQ)}
     * of the band's columns; band band0 of image {@code to.first()} starts at column 0 of {@code to}.
     */
    static void transformInput(ConvGeometry g, Tiling t, float[] x, int n, int c, int band0, int band1, Rows rows,
                               Planes to) {
        int src = (n * g.c() + c) * g.hw(), plane = to.plane(), tilesQ = t.tilesQ(), band = t.band();
        int bandColumns = t.columns(), bands = t.bands(), shift = rows.shift;
        float[] v = to.a();
        if (band > 1) {
            pad(g, x, src, rows.padded, rows.width);
        }
        for (int bb = band0; bb < band1; bb++) {
            if (band > 1) {
                // Patch row i of every tile in the band: its columns 0 to 3, one gather each.
                for (int i = 0; i < 4; i++) {
                    int at = (2 * bb * band + i) * rows.width;
                    FloatVector.fromArray(S, rows.padded, at, rows.index, 0).intoArray(rows.even[i], 0);
                    FloatVector.fromArray(S, rows.padded, at + 1, rows.index, 0).intoArray(rows.odd[i], 0);
                    FloatVector.fromArray(S, rows.padded, at + 2, rows.index, 0).intoArray(rows.evenNext[i], 0);
                    FloatVector.fromArray(S, rows.padded, at + 3, rows.index, 0).intoArray(rows.oddNext[i], 0);
                }
            } else {
                // Consecutive rows of tiles share two input rows: move those down and split only the two new ones.
                if (bb > band0) {
                    rows.advance();
                }
                for (int i = bb == band0 ? 0 : 2; i < 4; i++) {
                    split(x, src, g.h(), g.w(), 2 * bb + i - g.padH(), -g.padW(), tilesQ + 1, rows.even[i],
                            rows.odd[i], 0);
                }
            }
            int dst = c * to.ld() + ((n - to.first()) * bands + bb - band0) * bandColumns;
            float[] e0 = rows.even[0], e1 = rows.even[1], e2 = rows.even[2], e3 = rows.even[3];
            float[] o0 = rows.odd[0], o1 = rows.odd[1], o2 = rows.odd[2], o3 = rows.odd[3];
            float[] f0 = rows.evenNext[0], f1 = rows.evenNext[1], f2 = rows.evenNext[2], f3 = rows.evenNext[3];
            float[] p0 = rows.oddNext[0], p1 = rows.oddNext[1], p2 = rows.oddNext[2], p3 = rows.oddNext[3];
            for (int tx = 0; tx < bandColumns; tx += V) {
                // The tile's columns 2tx, 2tx+1, 2tx+2, 2tx+3 are even[tx], odd[tx], evenNext[tx], oddNext[tx]; Bᵀ·d
                // combines rows (r0 - r2, r1 + r2, r2 - r1, r1 - r3), then ·B those four columns the same way.
                int tn = tx + shift;
                FloatVector a0 = FloatVector.fromArray(S, e0, tx), a1 = FloatVector.fromArray(S, e1, tx);
                FloatVector a2 = FloatVector.fromArray(S, e2, tx), a3 = FloatVector.fromArray(S, e3, tx);
                FloatVector b0 = FloatVector.fromArray(S, o0, tx), b1 = FloatVector.fromArray(S, o1, tx);
                FloatVector b2 = FloatVector.fromArray(S, o2, tx), b3 = FloatVector.fromArray(S, o3, tx);
                FloatVector c0 = FloatVector.fromArray(S, f0, tn), c1 = FloatVector.fromArray(S, f1, tn);
                FloatVector c2 = FloatVector.fromArray(S, f2, tn), c3 = FloatVector.fromArray(S, f3, tn);
                FloatVector d0 = FloatVector.fromArray(S, p0, tn), d1 = FloatVector.fromArray(S, p1, tn);
                FloatVector d2 = FloatVector.fromArray(S, p2, tn), d3 = FloatVector.fromArray(S, p3, tn);
                // Spelled out: a helper taking vectors, if C2 declines to inline it, boxes every one of them; and
                // Bᵀ down the rows first into scratch, then along them through one array helper, was 1.04-1.15x
                // slower on the 128- and 256-channel layers (paired, two runs).
                int at = dst + tx;
                FloatVector t0 = a0.sub(a2), t1 = b0.sub(b2), t2 = c0.sub(c2), t3 = d0.sub(d2);
                t0.sub(t2).intoArray(v, at);
                t1.add(t2).intoArray(v, at + plane);
                t2.sub(t1).intoArray(v, at + 2 * plane);
                t1.sub(t3).intoArray(v, at + 3 * plane);
                t0 = a1.add(a2);
                t1 = b1.add(b2);
                t2 = c1.add(c2);
                t3 = d1.add(d2);
                t0.sub(t2).intoArray(v, at + 4 * plane);
                t1.add(t2).intoArray(v, at + 5 * plane);
                t2.sub(t1).intoArray(v, at + 6 * plane);
                t1.sub(t3).intoArray(v, at + 7 * plane);
                t0 = a2.sub(a1);
                t1 = b2.sub(b1);
                t2 = c2.sub(c1);
                t3 = d2.sub(d1);
                t0.sub(t2).intoArray(v, at + 8 * plane);
                t1.add(t2).intoArray(v, at + 9 * plane);
                t2.sub(t1).intoArray(v, at + 10 * plane);
                t1.sub(t3).intoArray(v, at + 11 * plane);
                t0 = a1.sub(a3);
                t1 = b1.sub(b3);
                t2 = c1.sub(c3);
                t3 = d1.sub(d3);
                t0.sub(t2).intoArray(v, at + 12 * plane);
                t1.add(t2).intoArray(v, at + 13 * plane);
                t2.sub(t1).intoArray(v, at + 14 * plane);
                t1.sub(t3).intoArray(v, at + 15 * plane);
            }
        }
    }

    /**
     * Copies plane {@code x[src]} of geometry {@code g} into {@code padded}, {@code width} wide: input pixel (ih, iw)
     * to row {@code ih + padH}, column {@code iw + padW}, as far as {@code padded} reaches. What lies outside the
     * plane is left as it is (zero in a scratch that only ever holds planes of one geometry).
     */
    static void pad(ConvGeometry g, float[] x, int src, float[] padded, int width) {
        int iw0 = Math.max(0, -g.padW()), iw1 = Math.min(g.w(), width - g.padW());
        int ih1 = Math.min(g.h(), padded.length / width - g.padH());
        for (int ih = Math.max(0, -g.padH()); ih < ih1 && iw0 < iw1; ih++) {
            System.arraycopy(x, src + ih * g.w() + iw0, padded, (ih + g.padH()) * width + iw0 + g.padW(), iw1 - iw0);
        }
    }

    /**
     * Input row {@code ih} of the {@code h × w} plane at {@code x[src]}, from column {@code offset} on, split:
     * {@code even[to + j] = row[offset + 2j]}, {@code odd[to + j] = row[offset + 2j + 1]} for {@code j < count}, zero
     * outside the plane.
     */
    static void split(float[] x, int src, int h, int w, int ih, int offset, int count, float[] even, float[] odd,
                      int to) {
        if (ih < 0 || ih >= h) {
            java.util.Arrays.fill(even, to, to + count, 0f);
            java.util.Arrays.fill(odd, to, to + count, 0f);
            return;
        }
        int row = src + ih * w;
        // [j0, j1): pairs inside the row (0 <= offset + 2j, offset + 2j + 1 < w), copied without checks; the last
        // such pair may be left to the checked loop, which is also right.
        int j0 = Math.clamp(Math.ceilDiv(-offset, 2), 0, count), j1 = Math.clamp((w - 1 - offset) / 2, j0, count);
        if (w - 1 - offset < 0) {
            j1 = j0;
        }
        for (int j = 0; j < count; j++) {
            if (j == j0) {
                for (int a = row + offset + 2 * j; j < j1; j++, a += 2) {
                    even[to + j] = x[a];
                    odd[to + j] = x[a + 1];
                }
                if (j == count) {
                    break;
                }
            }
            int c0 = offset + 2 * j, c1 = c0 + 1;
            even[to + j] = c0 >= 0 && c0 < w ? x[row + c0] : 0f;
            odd[to + j] = c1 >= 0 && c1 < w ? x[row + c1] : 0f;
        }
    }

    /**
     * {@code out[n,k] = Aᵀ·M·A + bias[k]} for every tile of image {@code n}, channel {@code k}, with
     * {@code Aᵀ = [1 1 1 0; 0 1 -1 -1]}; pixels past the output's edge (a last half tile) are dropped. {@code rows}
     * is the thread's scratch: a band's output rows 0 and 1, even and odd columns, before they are interleaved.
     */
    private static void transformOutput(ConvGeometry g, Tiling t, Planes from, int n, int k, float[] bias,
                                        float[][] rows, float[] out) {
        float[] m = from.a();
        int plane = from.plane(), p = g.p(), q = g.q(), dst = (n * g.k() + k) * g.pq(), tilesP = t.tilesP();
        int tilesQ = t.tilesQ(), band = t.band(), bands = t.bands(), bandColumns = t.columns();
        FloatVector b = FloatVector.broadcast(S, bias == null ? 0f : bias[k]);
        for (int bb = 0; bb < bands; bb++) {
            int src = k * from.ld() + ((n - from.first()) * bands + bb) * bandColumns;
            for (int tx = 0; tx < bandColumns; tx += V) {
                // Aᵀ·M: rows 0 and 1 of the output tile are m0 + m1 + m2 and m1 - m2 - m3 down each column of
                // the transformed tile; ·A then combines the four columns the same way.
                int at = src + tx;
                FloatVector m00 = FloatVector.fromArray(S, m, at);
                FloatVector m01 = FloatVector.fromArray(S, m, at + plane);
                FloatVector m02 = FloatVector.fromArray(S, m, at + 2 * plane);
                FloatVector m03 = FloatVector.fromArray(S, m, at + 3 * plane);
                FloatVector m10 = FloatVector.fromArray(S, m, at + 4 * plane);
                FloatVector m11 = FloatVector.fromArray(S, m, at + 5 * plane);
                FloatVector m12 = FloatVector.fromArray(S, m, at + 6 * plane);
                FloatVector m13 = FloatVector.fromArray(S, m, at + 7 * plane);
                FloatVector m20 = FloatVector.fromArray(S, m, at + 8 * plane);
                FloatVector m21 = FloatVector.fromArray(S, m, at + 9 * plane);
                FloatVector m22 = FloatVector.fromArray(S, m, at + 10 * plane);
                FloatVector m23 = FloatVector.fromArray(S, m, at + 11 * plane);
                FloatVector m30 = FloatVector.fromArray(S, m, at + 12 * plane);
                FloatVector m31 = FloatVector.fromArray(S, m, at + 13 * plane);
                FloatVector m32 = FloatVector.fromArray(S, m, at + 14 * plane);
                FloatVector m33 = FloatVector.fromArray(S, m, at + 15 * plane);
                FloatVector t0 = m00.add(m10).add(m20), t1 = m01.add(m11).add(m21);
                FloatVector t2 = m02.add(m12).add(m22), t3 = m03.add(m13).add(m23);
                FloatVector u0 = m10.sub(m20).sub(m30), u1 = m11.sub(m21).sub(m31);
                FloatVector u2 = m12.sub(m22).sub(m32), u3 = m13.sub(m23).sub(m33);
                t0.add(t1).add(t2).add(b).intoArray(rows[0], tx);
                t1.sub(t2).sub(t3).add(b).intoArray(rows[1], tx);
                u0.add(u1).add(u2).add(b).intoArray(rows[2], tx);
                u1.sub(u2).sub(u3).add(b).intoArray(rows[3], tx);
            }
            // Row of tiles ty of the band is at [ty·tilesQ, (ty + 1)·tilesQ) in it.
            for (int ty = 0; ty < band && bb * band + ty < tilesP; ty++) {
                for (int i = 0, y = 2 * (bb * band + ty); i < 2 && y + i < p; i++) {
                    int row = dst + (y + i) * q, from0 = ty * tilesQ;
                    float[] even = rows[2 * i], odd = rows[2 * i + 1];
                    int tx = 0;
                    for (int o = row; tx < q / 2; tx++, o += 2) {
                        out[o] = even[from0 + tx];
                        out[o + 1] = odd[from0 + tx];
                    }
                    if (tx < tilesQ) {
                        out[row + 2 * tx] = even[from0 + tx];
                    }
                }
            }
        }
    }
}
