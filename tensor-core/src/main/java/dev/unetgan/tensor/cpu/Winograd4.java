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
     * first; and {@code Bᵀ·d} of one vector of patches, {@code bd[(6·i + j)·V + lane]}.
     */
    static final class Patches {
        final float[] padded;
        final int width;
        final int[] index = new int[V];
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
        float[] v = to.a(), padded = p.padded, bd = p.bd;
        int[] index = p.index;
        Winograd.pad(g, x, (n * g.c() + c) * g.hw(), padded, width);
        FloatVector four = FloatVector.broadcast(S, 4f), minusFour = FloatVector.broadcast(S, -4f);
        FloatVector minusFive = FloatVector.broadcast(S, -5f), two = FloatVector.broadcast(S, 2f);
        FloatVector minusTwo = FloatVector.broadcast(S, -2f);
        for (int bb = 0; bb < bands; bb++) {
            int dst = c * to.ld() + ((n - to.first()) * bands + bb) * columns;
            for (int tx = 0; tx < columns; tx += V) {
                int at = 4 * (bb * band * width + tx);
                // Bᵀ down column j of the patches: rows d0-d5 to the six of Bᵀ·d.
                for (int j = 0; j < 6; j++) {
                    FloatVector d0 = FloatVector.fromArray(S, padded, at + j, index, 0);
                    FloatVector d1 = FloatVector.fromArray(S, padded, at + width + j, index, 0);
                    FloatVector d2 = FloatVector.fromArray(S, padded, at + 2 * width + j, index, 0);
                    FloatVector d3 = FloatVector.fromArray(S, padded, at + 3 * width + j, index, 0);
                    FloatVector d4 = FloatVector.fromArray(S, padded, at + 4 * width + j, index, 0);
                    FloatVector d5 = FloatVector.fromArray(S, padded, at + 5 * width + j, index, 0);
                    FloatVector e = d2.fma(minusFour, d4), f = d1.fma(minusFour, d3);
                    FloatVector h = d4.sub(d2), k = d3.sub(d1);
                    d2.fma(minusFive, d0.fma(four, d4)).intoArray(bd, j * V);
                    e.add(f).intoArray(bd, (6 + j) * V);
                    e.sub(f).intoArray(bd, (12 + j) * V);
                    k.fma(two, h).intoArray(bd, (18 + j) * V);
                    k.fma(minusTwo, h).intoArray(bd, (24 + j) * V);
                    d3.fma(minusFive, d1.fma(four, d5)).intoArray(bd, (30 + j) * V);
                }
                // ·B along row i the same way.
                for (int i = 0; i < 6; i++) {
                    int row = 6 * i * V, out = dst + tx + 6 * i * plane;
                    FloatVector d0 = FloatVector.fromArray(S, bd, row);
                    FloatVector d1 = FloatVector.fromArray(S, bd, row + V);
                    FloatVector d2 = FloatVector.fromArray(S, bd, row + 2 * V);
                    FloatVector d3 = FloatVector.fromArray(S, bd, row + 3 * V);
                    FloatVector d4 = FloatVector.fromArray(S, bd, row + 4 * V);
                    FloatVector d5 = FloatVector.fromArray(S, bd, row + 5 * V);
                    FloatVector e = d2.fma(minusFour, d4), f = d1.fma(minusFour, d3);
                    FloatVector h = d4.sub(d2), k = d3.sub(d1);
                    d2.fma(minusFive, d0.fma(four, d4)).intoArray(v, out);
                    e.add(f).intoArray(v, out + plane);
                    e.sub(f).intoArray(v, out + 2 * plane);
                    k.fma(two, h).intoArray(v, out + 3 * plane);
                    k.fma(minusTwo, h).intoArray(v, out + 4 * plane);
                    d3.fma(minusFive, d1.fma(four, d5)).intoArray(v, out + 5 * plane);
                }
            }
        }
    }

    /**
     * One thread's scratch for {@link #transformOutput}: {@code Aᵀ·M} of one vector of tiles,
     * {@code am[(6·i + j)·V + lane]}, and a band's output rows, {@code rows[4·i + j]} holding column j of row i of
     * every tile before they are interleaved.
     */
    static final class Outputs {
        final float[] am = new float[24 * V];
        final float[][] rows;

        Outputs(Winograd.Tiling t) {
            rows = new float[16][t.columns()];
        }
    }

    /**
     * {@code out[n,k] = Aᵀ·M·A + bias[k]} for every tile of image {@code n}, channel {@code k}; pixels past the
     * output's edge (the last tiles' spare rows and columns) are dropped.
     */
    static void transformOutput(ConvGeometry g, Winograd.Tiling t, Winograd.Planes from, int n, int k, float[] bias,
                                Outputs o, float[] out) {
        float[] m = from.a(), am = o.am;
        int plane = from.plane(), p = g.p(), q = g.q(), dst = (n * g.k() + k) * g.pq(), tilesP = t.tilesP();
        int tilesQ = t.tilesQ(), band = t.band(), bands = t.bands(), columns = t.columns();
        FloatVector b = FloatVector.broadcast(S, bias == null ? 0f : bias[k]);
        FloatVector two = FloatVector.broadcast(S, 2f), four = FloatVector.broadcast(S, 4f);
        FloatVector eight = FloatVector.broadcast(S, 8f);
        for (int bb = 0; bb < bands; bb++) {
            int src = k * from.ld() + ((n - from.first()) * bands + bb) * columns;
            for (int tx = 0; tx < columns; tx += V) {
                // Aᵀ down column j: m0 + (m1 + m2) + (m3 + m4), (m1 - m2) + 2(m3 - m4), (m1 + m2) + 4(m3 + m4) and
                // (m1 - m2) + 8(m3 - m4) + m5.
                for (int j = 0; j < 6; j++) {
                    int at = src + tx + j * plane;
                    FloatVector m0 = FloatVector.fromArray(S, m, at);
                    FloatVector m1 = FloatVector.fromArray(S, m, at + 6 * plane);
                    FloatVector m2 = FloatVector.fromArray(S, m, at + 12 * plane);
                    FloatVector m3 = FloatVector.fromArray(S, m, at + 18 * plane);
                    FloatVector m4 = FloatVector.fromArray(S, m, at + 24 * plane);
                    FloatVector m5 = FloatVector.fromArray(S, m, at + 30 * plane);
                    FloatVector sum = m1.add(m2), diff = m1.sub(m2), sum2 = m3.add(m4), diff2 = m3.sub(m4);
                    m0.add(sum).add(sum2).intoArray(am, j * V);
                    diff2.fma(two, diff).intoArray(am, (6 + j) * V);
                    sum2.fma(four, sum).intoArray(am, (12 + j) * V);
                    diff2.fma(eight, diff).add(m5).intoArray(am, (18 + j) * V);
                }
                // ·A along row i the same way, plus the bias.
                for (int i = 0; i < 4; i++) {
                    int row = 6 * i * V;
                    FloatVector m0 = FloatVector.fromArray(S, am, row);
                    FloatVector m1 = FloatVector.fromArray(S, am, row + V);
                    FloatVector m2 = FloatVector.fromArray(S, am, row + 2 * V);
                    FloatVector m3 = FloatVector.fromArray(S, am, row + 3 * V);
                    FloatVector m4 = FloatVector.fromArray(S, am, row + 4 * V);
                    FloatVector m5 = FloatVector.fromArray(S, am, row + 5 * V);
                    FloatVector sum = m1.add(m2), diff = m1.sub(m2), sum2 = m3.add(m4), diff2 = m3.sub(m4);
                    m0.add(sum).add(sum2).add(b).intoArray(o.rows[4 * i], tx);
                    diff2.fma(two, diff).add(b).intoArray(o.rows[4 * i + 1], tx);
                    sum2.fma(four, sum).add(b).intoArray(o.rows[4 * i + 2], tx);
                    diff2.fma(eight, diff).add(m5).add(b).intoArray(o.rows[4 * i + 3], tx);
                }
            }
            // Row of tiles ty of the band is at [ty·tilesQ, (ty + 1)·tilesQ) in it.
            for (int ty = 0; ty < band && bb * band + ty < tilesP; ty++) {
                for (int i = 0, y = 4 * (bb * band + ty); i < 4 && y + i < p; i++) {
                    int row = dst + (y + i) * q, from0 = ty * tilesQ, tx = 0;
                    float[] c0 = o.rows[4 * i], c1 = o.rows[4 * i + 1], c2 = o.rows[4 * i + 2], c3 = o.rows[4 * i + 3];
                    for (int at = row; tx < q / 4; tx++, at += 4) {
                        out[at] = c0[from0 + tx];
                        out[at + 1] = c1[from0 + tx];
                        out[at + 2] = c2[from0 + tx];
                        out[at + 3] = c3[from0 + tx];
                    }
                    for (int j = 0; 4 * tx + j < q; j++) {
                        out[row + 4 * tx + j] = o.rows[4 * i + j][from0 + tx];
                    }
                }
            }
        }
    }
}
