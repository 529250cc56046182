package dev.unetgan.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The transforms of Winograd's F(4×4, 3×3), which {@link Winograd} runs where its 4-pixel tiles fill the vectors, a row
 * of tiles or a band of several: each 4×4 block of output pixels from the 6×6 input patch under it. The GEMMs'
 * multiply-adds are 36 per tile and channel pair instead of 144 (4x fewer; F(2×2, 3×3): 2.25x), and the transformed
 * planes hold 2.25 values per output pixel instead of 4. The matrices are Lavin and Gray's, at the points 0, ±1, ±2 and
 * ∞:
 * <pre>
 *   Bᵀ = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
 *   G  = [¼ 0 0; -⅙ -⅙ -⅙; -⅙ ⅙ -⅙; 1/24 1/12 ⅙; 1/24 -1/12 ⅙; 0 0 1]
 *   Aᵀ = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]
 * </pre>
 * Element ξ = 6·i + j of a transformed tile is its row i, column j. The transforms run vectorised along the tiles of
 * a band, each vector's patches gathered from a zero-padded copy of the input plane, and the 6×6 transforms in two
 * passes through a small scratch (36 vectors live at once would spill). The larger constants round more: a review
 * measured the largest error relative to {@code 1 + |result|} at 12-17 times a plain float direct sum's (2.6e-4 at
 * 32-80 channels, 7.6e-4 at 512 with unit weights), 10-25 times F(2×2, 3×3)'s, and the RMS error at about 4 times
 * the direct sum's at the discriminator's layer sizes.
 */
final class Winograd4 {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int V = S.length();
    /** Elements of a transformed tile. */
    static final int XI = 36;

    private Winograd4() {
    }

    /**
     * {@code u[at + ξ·plane] = (G·g·Gᵀ)[ξ]} for the 3×3 filter g whose tap t is {@code w[from + step·t]}: first
     * {@code g·Gᵀ} into rows 0-2 of the tile, then G down each of its columns, in place.
     */
    static void transformFilter(float[] w, int from, int step, float[] u, int at, int plane) {
        for (int i = 0; i < 3; i++) {
            int tap = from + 3 * i * step;
            times(w[tap], w[tap + step], w[tap + 2 * step], u, at + 6 * i * plane, plane);
        }
        for (int j = 0; j < 6; j++) {
            times(u[at + j * plane], u[at + (6 + j) * plane], u[at + (12 + j) * plane], u, at + j * plane, 6 * plane);
        }
    }

    /**
     * {@code G·(a, b, c)}, in double, rounded to float: six values, stored {@code step} apart from {@code to[at]}.
     * Multiplied by the reciprocals: C2 keeps a division by 6 a division, and the divisions took 30% of this
     * transform's time.
     */
    private static void times(double a, double b, double c, float[] to, int at, int step) {
        double ac = a + c, outer = a * (1.0 / 24) + c * (1.0 / 6), middle = b * (1.0 / 12);
        to[at] = (float) (a * 0.25);
        to[at + step] = (float) ((ac + b) * (-1.0 / 6));
        to[at + 2 * step] = (float) ((b - ac) * (1.0 / 6));
        to[at + 3 * step] = (float) (outer + middle);
        to[at + 4 * step] = (float) (outer - middle);
        to[at + 5 * step] = (float) c;
    }

    /**
     * One thread's scratch for {@link #transformInput}: the input plane with its padding, {@code width} wide (what
     * lies outside the plane stays zero from the start); the gather map, lane l's patch offset from its vector's
     * first; one column of a vector of patches, {@code column[r·V + lane]}; and {@code Bᵀ·d} of them,
     * {@code bd[(6·i + j)·V + lane]}.
     */
    static final class Patches {
        final float[] padded;
        final int width;
        final int[] index = new int[V];
        final float[] column = new float[6 * V];
        final float[] bd = new float[XI * V];

        Patches(Winograd.Tiling t) {
            // A band of one row of tiles: lane l is the vector's tile l, and the width holds its whole columns, spare
            // ones too. A band of several rows: lane l is row of tiles l / tilesQ, tile l % tilesQ (spare lanes: 0).
            boolean banded = t.band() > 1;
            width = 4 * (banded ? t.tilesQ() : t.columns()) + 2;
            padded = new float[(4 * t.bands() * t.band() + 2) * width];
            for (int l = 0; l < (banded ? t.band() * t.tilesQ() : V); l++) {
                index[l] = banded ? 4 * (l / t.tilesQ()) * width + 4 * (l % t.tilesQ()) : 4 * l;
            }
        }
    }

    /**
     * {@code V[ξ][c][tile] = (Bᵀ·d·B)[ξ]} for every tile of image {@code n}, channel {@code c}; the patch of tile
     * (ty, tx) is input rows {@code 4ty - padH + [0, 6)} and columns {@code 4tx - padW + [0, 6)}, zero outside the
     * input, and lies in the GEMM columns as {@link Winograd.Tiling} says.
     */
    static void transformInput(ConvGeometry g, Winograd.Tiling t, float[] x, int n, int c, Patches p,
                               Winograd.Planes to) {
        int plane = to.plane(), band = t.band(), bands = t.bands(), columns = t.columns(), width = p.width;
        Winograd.pad(g, x, (n * g.c() + c) * g.hw(), p.padded, width);
        for (int bb = 0; bb < bands; bb++) {
            int dst = c * to.ld() + ((n - to.first()) * bands + bb) * columns;
            for (int tx = 0; tx < columns; tx += V) {
                int at = 4 * (bb * band * width + tx);
                // Bᵀ down each column j of the patches (its six rows gathered first), then ·B along each row i.
                for (int j = 0; j < 6; j++) {
                    for (int r = 0; r < 6; r++) {
                        FloatVector.fromArray(S, p.padded, at + r * width + j, p.index, 0).intoArray(p.column, r * V);
                    }
                    inputPass(p.column, 0, V, p.bd, j * V, 6 * V);
                }
                for (int i = 0; i < 6; i++) {
                    inputPass(p.bd, 6 * i * V, V, to.a(), dst + tx + 6 * i * plane, plane);
                }
            }
        }
    }

    /**
     * One pass of the input transform over a vector of tiles: the six vectors {@code d_r} at {@code in[at + r·step]}
     * become the six of {@code Bᵀ·d}, stored {@code outStep} apart from {@code out[to]}. Both passes share this
     * arithmetic; no vector crosses the call, so nothing is boxed if C2 declines to inline it (it inlines a body this
     * size; with the gathers inside too, at 387 bytes, it did not).
     */
    private static void inputPass(float[] in, int at, int step, float[] out, int to, int outStep) {
        FloatVector d0 = FloatVector.fromArray(S, in, at);
        FloatVector d1 = FloatVector.fromArray(S, in, at + step);
        FloatVector d2 = FloatVector.fromArray(S, in, at + 2 * step);
        FloatVector d3 = FloatVector.fromArray(S, in, at + 3 * step);
        FloatVector d4 = FloatVector.fromArray(S, in, at + 4 * step);
        FloatVector d5 = FloatVector.fromArray(S, in, at + 5 * step);
        // Rows of Bᵀ: 4d0 - 5d2 + d4; (d4 - 4d2) ± (d3 - 4d1); (d4 - d2) ± 2(d3 - d1); 4d1 - 5d3 + d5.
        FloatVector four = FloatVector.broadcast(S, 4f), minusFour = FloatVector.broadcast(S, -4f);
        FloatVector minusFive = FloatVector.broadcast(S, -5f), two = FloatVector.broadcast(S, 2f);
        FloatVector e = d2.fma(minusFour, d4), f = d1.fma(minusFour, d3), h = d4.sub(d2), k = d3.sub(d1);
        d2.fma(minusFive, d0.fma(four, d4)).intoArray(out, to);
        e.add(f).intoArray(out, to + outStep);
        e.sub(f).intoArray(out, to + 2 * outStep);
        k.fma(two, h).intoArray(out, to + 3 * outStep);
        h.sub(k.add(k)).intoArray(out, to + 4 * outStep);
        d3.fma(minusFive, d1.fma(four, d5)).intoArray(out, to + 5 * outStep);
    }

    /**
     * One thread's scratch for {@link #transformOutput}: {@code Aᵀ·M} of one vector of tiles,
     * {@code am[(6·i + j)·V + lane]}, and a band's output rows, {@code rows[(4·i + j)·columns + tile]} holding column
     * j of row i of every tile before they are interleaved.
     */
    static final class Outputs {
        final float[] am = new float[24 * V];
        final float[] rows;

        Outputs(Winograd.Tiling t) {
            rows = new float[16 * t.columns()];
        }
    }

    /**
     * {@code out[n,k] = Aᵀ·M·A + bias[k]} for every tile of image {@code n}, channel {@code k}; pixels past the
     * output's edge (the last tiles' spare rows and columns) are dropped.
     */
    static void transformOutput(ConvGeometry g, Winograd.Tiling t, Winograd.Planes from, int n, int k, float[] bias,
                                Outputs o, float[] out) {
        float[] rows = o.rows;
        int plane = from.plane(), p = g.p(), q = g.q(), dst = (n * g.k() + k) * g.pq(), tilesP = t.tilesP();
        int tilesQ = t.tilesQ(), band = t.band(), bands = t.bands(), columns = t.columns();
        float b = bias == null ? 0f : bias[k];
        for (int bb = 0; bb < bands; bb++) {
            int src = k * from.ld() + ((n - from.first()) * bands + bb) * columns;
            for (int tx = 0; tx < columns; tx += V) {
                // Aᵀ down each column j of M, then ·A along each row i of that, plus the bias.
                for (int j = 0; j < 6; j++) {
                    outputPass(from.a(), src + tx + j * plane, 6 * plane, 0f, o.am, j * V, 6 * V);
                }
                for (int i = 0; i < 4; i++) {
                    outputPass(o.am, 6 * i * V, V, b, rows, 4 * i * columns + tx, columns);
                }
            }
            // Row of tiles ty of the band is at [ty·tilesQ, (ty + 1)·tilesQ) in it.
            for (int ty = 0; ty < band && bb * band + ty < tilesP; ty++) {
                for (int i = 0, y = 4 * (bb * band + ty); i < 4 && y + i < p; i++) {
                    int row = dst + (y + i) * q, c0 = 4 * i * columns + ty * tilesQ, tx = 0;
                    int c1 = c0 + columns, c2 = c1 + columns, c3 = c2 + columns;
                    for (int at = row; tx < q / 4; tx++, at += 4) {
                        out[at] = rows[c0 + tx];
                        out[at + 1] = rows[c1 + tx];
                        out[at + 2] = rows[c2 + tx];
                        out[at + 3] = rows[c3 + tx];
                    }
                    for (int j = 0; 4 * tx + j < q; j++) {
                        out[row + 4 * tx + j] = rows[c0 + j * columns + tx];
                    }
                }
            }
        }
    }

    /**
     * One pass of the output transform over a vector of tiles: the six vectors {@code m_r} at {@code in[at + r·step]}
     * become the four of {@code Aᵀ·m}, plus {@code bias}, stored {@code outStep} apart from {@code out[to]}. Like
     * {@link #inputPass}, it serves both passes and takes no vectors.
     */
    private static void outputPass(float[] in, int at, int step, float bias, float[] out, int to, int outStep) {
        FloatVector m0 = FloatVector.fromArray(S, in, at);
        FloatVector m1 = FloatVector.fromArray(S, in, at + step);
        FloatVector m2 = FloatVector.fromArray(S, in, at + 2 * step);
        FloatVector m3 = FloatVector.fromArray(S, in, at + 3 * step);
        FloatVector m4 = FloatVector.fromArray(S, in, at + 4 * step);
        FloatVector m5 = FloatVector.fromArray(S, in, at + 5 * step);
        // Rows of Aᵀ: m0 + (m1 + m2) + (m3 + m4), (m1 - m2) + 2(m3 - m4), (m1 + m2) + 4(m3 + m4), (m1 - m2) +
        // 8(m3 - m4) + m5.
        FloatVector two = FloatVector.broadcast(S, 2f), four = FloatVector.broadcast(S, 4f);
        FloatVector eight = FloatVector.broadcast(S, 8f);
        FloatVector sum = m1.add(m2), diff = m1.sub(m2), sum2 = m3.add(m4), diff2 = m3.sub(m4);
        m0.add(sum).add(sum2).add(bias).intoArray(out, to);
        diff2.fma(two, diff).add(bias).intoArray(out, to + outStep);
        sum2.fma(four, sum).add(bias).intoArray(out, to + 2 * outStep);
        diff2.fma(eight, diff).add(m5).add(bias).intoArray(out, to + 3 * outStep);
    }
}
