package dev.unetgan.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * conv2d backward-filter (F32) for the convs that {@link Winograd} runs forward, by the same F(2×2, 3×3). The
 * forward tile is {@code Y = Aᵀ·[Σ_c U[k,c] ⊙ V[c]]·A} with {@code U = G·g·Gᵀ}, linear in the filter g, so its
 * gradient is {@code Gᵀ·[Σ_tiles (A·dY·Aᵀ) ⊙ V]·G}: the sums over every tile of every image are 16 GEMMs, one per
 * element ξ of the 4×4 transformed tile, with 2.25x fewer multiply-adds than the direct sum over pixels.
 * <pre>
 *   V[ξ] [C × tiles]    = (Bᵀ·d[n,c,tile]·B)[ξ]       input patches, as the forward's ({@link Winograd#transformInput})
 *   D[ξ] [K × tiles]    = (A·dY[n,k,tile]·Aᵀ)[ξ]      output gradient, 2×2 per tile, zero past the output's edge
 *   dU[ξ] [K × C]      += D[ξ]·V[ξ]ᵀ                  group of images after group of images
 *   gW[k,c]             = Gᵀ·dU[·][k,c]·G
 * </pre>
 * The tiles lie in the GEMM columns as in the forward ({@link Winograd.Tiling}); a spare column's D is zero, so its V
 * adds nothing. Each sum runs in a fixed order (the GEMM's depth, groups in order), so the result is deterministic
 * and does not depend on the thread count. Unlike the forward's, it depends on how the batch is grouped: the sums
 * run across the groups, which change their rounding. The error, relative to {@code 1 + |result|}, grows with the
 * tiles summed about as the direct sum's does (a review measured 1.1-1.8x that of {@link FilterGradient}).
 */
final class WinogradFilterGradient {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int V = S.length();
    private static final int XI = 16;

    private WinogradFilterGradient() {
    }

    /** {@code gW [K,C,3,3]} from {@code x [N,C,H,W]} and {@code gOut [N,K,P,Q]}. Requires {@code Winograd.suits(g)}. */
    static void compute(ConvGeometry g, float[] x, float[] gOut, float[] gW) {
        run(g, x, gOut, gW, Winograd.PLANES_MAX);
    }

    /**
     * {@link #compute}, in groups of images whose transformed input and output gradient take at most
     * {@code planesMax} floats each (at least one image).
     */
    static void run(ConvGeometry g, float[] x, float[] gOut, float[] gW, int planesMax) {
        int k = g.k(), c = g.c();
        Winograd.Tiling t = Winograd.Tiling.of(g);
        int imageColumns = t.imageColumns(), group = Math.clamp(planesMax / Winograd.imagePlanes(g), 1, g.n());
        int tiles = group * imageColumns;
        int uPlane = ForwardConv.planeStride(k * c), vPlane = ForwardConv.planeStride(c * tiles);
        int dPlane = ForwardConv.planeStride(k * tiles);
        float[] u = BufferPool.takeFloats(XI * uPlane);
        float[] v = BufferPool.takeFloats(XI * vPlane);
        float[] d = BufferPool.takeFloats(XI * dPlane);
        try {
            for (int first = 0; first < g.n(); first += group) {
                int images = Math.min(group, g.n() - first), columns = images * imageColumns;
                Winograd.Planes vs = new Winograd.Planes(v, vPlane, tiles, first);
                Winograd.Planes ds = new Winograd.Planes(d, dPlane, tiles, first);
                Winograd.eachClaimed(images * c, (i, rows) -> Winograd.transformInput(g, t, x, vs.first() + i / c,
                        i % c, rows, vs), () -> new Winograd.Rows(t));
                // Spare columns must stay zero: the scratch is fresh per thread and only a band's tiles are written.
                Winograd.eachClaimed(images * k, (i, rows) -> transformGradient(g, t, gOut, ds.first() + i / k,
                        i % k, rows, ds), () -> new float[4][t.columns()]);
                float beta = first == 0 ? 0f : 1f;
                // One GEMM per claim, on the claiming thread: 16 deep GEMMs even out across the threads.
                Winograd.eachClaimed(XI, (xi, none) -> GemmPacked.sgemm(false, true, k, c, columns, 1f, d,
                        xi * dPlane, tiles, v, xi * vPlane, tiles, beta, u, xi * uPlane, c), () -> null);
            }
            Winograd.eachClaimed(k, (kk, e) -> transformBack(u, uPlane, kk, c, e, gW), () -> new float[12]);
        } finally {
            BufferPool.give(d);
            BufferPool.give(v);
            BufferPool.give(u);
        }
    }

    /**
     * {@code D[ξ][k][tile] = (A·dY·Aᵀ)[ξ]} for every tile of image {@code n}, output channel {@code k}, with
     * {@code Aᵀ = [1 1 1 0; 0 1 -1 -1]} and dY the tile's 2×2 output gradient, zero past the output's edge (a half
     * tile, or a half last band's missing rows of tiles). {@code rows} is the thread's scratch: a band's gradient rows
     * 0 and 1, even and odd columns, zero in the spare columns.
     */
    private static void transformGradient(ConvGeometry g, Winograd.Tiling t, float[] gOut, int n, int k,
                                          float[][] rows, Winograd.Planes to) {
        int src = (n * g.k() + k) * g.pq(), plane = to.plane(), tilesQ = t.tilesQ(), band = t.band();
        int bands = t.bands(), bandColumns = t.columns();
        float[] dm = to.a();
        float[] e0 = rows[0], o0 = rows[1], e1 = rows[2], o1 = rows[3];
        for (int bb = 0; bb < bands; bb++) {
            for (int ty = 0; ty < band; ty++) {
                int y = 2 * (bb * band + ty);
                Winograd.split(gOut, src, g.p(), g.q(), y, 0, tilesQ, e0, o0, ty * tilesQ);
                Winograd.split(gOut, src, g.p(), g.q(), y + 1, 0, tilesQ, e1, o1, ty * tilesQ);
            }
            int dst = k * to.ld() + ((n - to.first()) * bands + bb) * bandColumns;
            for (int tx = 0; tx < bandColumns; tx += V) {
                // A·dY: rows y0, y0 + y1, y0 - y1 and -y1 of the tile; ·Aᵀ turns each row's two columns (a, b) into
                // a, a + b, a - b, -b the same way.
                int at = dst + tx;
                FloatVector a0 = FloatVector.fromArray(S, e0, tx), b0 = FloatVector.fromArray(S, o0, tx);
                FloatVector a1 = FloatVector.fromArray(S, e1, tx), b1 = FloatVector.fromArray(S, o1, tx);
                FloatVector s = a0.add(b0), r = a0.sub(b0), s1 = a1.add(b1), r1 = a1.sub(b1);
                a0.intoArray(dm, at);
                s.intoArray(dm, at + plane);
                r.intoArray(dm, at + 2 * plane);
                b0.neg().intoArray(dm, at + 3 * plane);
                a0.add(a1).intoArray(dm, at + 4 * plane);
                s.add(s1).intoArray(dm, at + 5 * plane);
                r.add(r1).intoArray(dm, at + 6 * plane);
                b0.add(b1).neg().intoArray(dm, at + 7 * plane);
                a0.sub(a1).intoArray(dm, at + 8 * plane);
                s.sub(s1).intoArray(dm, at + 9 * plane);
                r.sub(r1).intoArray(dm, at + 10 * plane);
                b1.sub(b0).intoArray(dm, at + 11 * plane);
                a1.neg().intoArray(dm, at + 12 * plane);
                s1.neg().intoArray(dm, at + 13 * plane);
                r1.neg().intoArray(dm, at + 14 * plane);
                b1.intoArray(dm, at + 15 * plane);
            }
        }
    }

    /**
     * {@code gW[k,c] = Gᵀ·dU[·][k,c]·G} for every input channel c of output channel {@code k}, with
     * {@code Gᵀ = [1 ½ ½ 0; 0 ½ -½ 0; 0 ½ ½ 1]}; {@code e} is 12 floats of scratch for {@code Gᵀ·dU}.
     */
    private static void transformBack(float[] u, int plane, int k, int cc, float[] e, float[] gW) {
        for (int c = 0; c < cc; c++) {
            int at = k * cc + c;
            for (int j = 0; j < 4; j++) {
                fold(u[at + j * plane], u[at + (4 + j) * plane], u[at + (8 + j) * plane], u[at + (12 + j) * plane], e,
                        j, 4);
            }
            for (int r = 0; r < 3; r++) {
                fold(e[4 * r], e[4 * r + 1], e[4 * r + 2], e[4 * r + 3], gW, at * 9 + 3 * r, 1);
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
