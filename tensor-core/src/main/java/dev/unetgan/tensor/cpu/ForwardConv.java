package dev.unetgan.tensor.cpu;

import java.util.Arrays;

/**
 * conv2d forward (F32) as one implicit GEMM over the whole batch: {@code out[K, N·PQ] = W[K, CRS]·col[CRS, N·PQ]
 * + bias}, the columns of every image side by side, so a B sliver may span two images and no sliver is wasted on
 * the end of a small image. Backward-data at stride 1 runs through here too, as the forward conv of the output
 * gradient ({@link ConvGeometry#stride1Adjoint()}) with the weight transposed and flipped; packing A reads the
 * weight that way, in the threads' shared packing, so no flipped copy is made (one thread making it took 16% of a
 * 512-channel backward-data call).
 *
 * <p>The input is first copied with its padding written out, one preparation unit per image, and with a channel
 * plane stride that is not a multiple of 1 KiB: B packing reads the same rows of many channels, and planes a power
 * of two apart (64×64 floats = 16 KiB) all fall in the same few cache sets and evict each other, which made packing
 * cost as much as a third of the FMAs. With the padding in memory, a vector of B is one unmasked load except where
 * it crosses an output row.
 */
final class ForwardConv extends ConvGemm.Problem {
    private final ConvGeometry g;
    private final float[] x;
    private final float[] w;
    /** True when {@code w} is the weight of the conv whose stride-1 adjoint {@code g} is: read transposed, flipped. */
    private final boolean adjoint;
    private final float[] bias;
    private final float[] out;
    /** The padded input, {@code [N, C, plane]}, each plane {@code hp × wp} with row stride wp. */
    private final float[] xPad;
    private final ConvGeometry padded;
    private final int plane;
    private final int columns;

    private ForwardConv(ConvGeometry g, float[] x, float[] w, boolean adjoint, float[] bias, float[] out,
                        float[] xPad, int plane) {
        super(g.k(), g.crs(), Math.ceilDiv(g.n() * g.pq(), ConvGemm.NR));
        this.g = g;
        this.x = x;
        this.w = w;
        this.adjoint = adjoint;
        this.bias = bias;
        this.out = out;
        this.xPad = xPad;
        this.plane = plane;
        this.padded = paddedGeometry(g);
        this.columns = g.n() * g.pq();
    }

    /**
     * {@code out [N,K,P,Q] = conv(x [N,C,H,W], w [K,C,R,S]) + bias [K]} ({@code bias} may be null) for geometry
     * {@code g}; its padding may be negative (it then crops the input).
     */
    static void compute(ConvGeometry g, float[] x, float[] w, float[] bias, float[] out) {
        run(g, x, w, false, bias, out);
    }

    /**
     * Backward-data of a stride-1 conv with geometry {@code g}: {@code gIn [N,C,H,W]} from {@code gOut [N,K,P,Q]}
     * and {@code w [K,C,R,S]}, as the forward conv of {@code gOut} under {@code g.stride1Adjoint()} with the weight
     * {@code w'[c, k, r, s] = w[k, c, R-1-r, S-1-s]}.
     */
    static void backwardData(ConvGeometry g, float[] gOut, float[] w, float[] gIn) {
        run(g.stride1Adjoint(), gOut, w, true, null, gIn);
    }

    private static void run(ConvGeometry g, float[] x, float[] w, boolean adjoint, float[] bias, float[] out) {
        ConvGeometry padded = paddedGeometry(g);
        int plane = planeStride(padded.hw());
        float[] xPad = BufferPool.takeFloats(Math.max(1, g.n() * g.c() * plane));
        try {
            ConvGemm.run(new ForwardConv(g, x, w, adjoint, bias, out, xPad, plane));
        } finally {
            BufferPool.give(xPad);
        }
    }

    /** The same conv on the input with its padding written out: padding 0, input {@code (H+2·padH) × (W+2·padW)}. */
    private static ConvGeometry paddedGeometry(ConvGeometry g) {
        return new ConvGeometry(g.n(), g.c(), g.h() + 2 * g.padH(), g.w() + 2 * g.padW(), g.k(), g.r(), g.s(),
                g.p(), g.q(), g.strideH(), g.strideW(), 0, 0, g.dilH(), g.dilW());
    }

    /**
     * A channel plane's stride for {@code floats} floats of it: one 64-byte line more when that is a multiple of 1 KiB
     * (see the class comment; {@link LaneFilterGradient}'s copies have the same problem).
     */
    static int planeStride(int floats) {
        return floats % 256 == 0 ? floats + 16 : floats;
    }

    @Override
    int prepUnits() {
        return g.n();
    }

    /** Copies image {@code ni} into its planes of {@code xPad}. */
    @Override
    void prep(int ni) {
        padImage(g, x, ni, xPad, ni * g.c() * plane, plane);
    }

    /**
     * Copies image {@code ni} of {@code x [N, C, H, W]} with its padding written out: channel c's
     * {@code (H+2·padH) × (W+2·padW)} plane at {@code dst[at + c·plane]}, input row {@code ih} at padded row
     * {@code ih + padH}.
     */
    static void padImage(ConvGeometry g, float[] x, int ni, float[] dst, int at, int plane) {
        int hp = g.h() + 2 * g.padH(), wp = g.w() + 2 * g.padW();
        for (int ci = 0; ci < g.c(); ci++) {
            int dstPlane = at + ci * plane, srcPlane = (ni * g.c() + ci) * g.hw();
            for (int i = 0; i < hp; i++) {
                windowRow(x, srcPlane, g.h(), g.w(), i - g.padH(), -g.padW(), dst, dstPlane + i * wp, wp);
            }
        }
    }

    /**
     * Writes {@code width} floats at {@code dst[at]}: element j is column {@code j + offset} of row {@code ih} of the
     * {@code h × w} plane at {@code x[src]}, or zero where that row or column lies outside the plane. One row of a
     * padded (or cropped, or shifted) copy of an input plane.
     */
    static void windowRow(float[] x, int src, int h, int w, int ih, int offset, float[] dst, int at, int width) {
        int j0 = Math.clamp(-offset, 0, width), j1 = Math.clamp((long) w - offset, j0, width);
        if (ih < 0 || ih >= h || j1 == j0) {
            // The source index of an empty copy may lie outside x, which System.arraycopy rejects.
            Arrays.fill(dst, at, at + width, 0f);
            return;
        }
        Arrays.fill(dst, at, at + j0, 0f);
        System.arraycopy(x, src + ih * w + j0 + offset, dst, at + j0, j1 - j0);
        Arrays.fill(dst, at + j1, at + width, 0f);
    }

    @Override
    void packA(int row0, int rows, int d0, int kc, float[] pa, int dst) {
        if (!adjoint) {
            GemmPacked.packRows(w, row0 * g.crs() + d0, g.crs(), rows, kc, pa, dst);
            return;
        }
        // Row k, depth (c, tap) of the adjoint's weight is w[c, k, R·S-1-tap]: runs of R·S floats backwards, one
        // per input channel c of this conv (an output channel of the original), g.k()·R·S floats apart.
        int rs = g.r() * g.s();
        for (int r = 0; r < rows; r++) {
            int tap = d0 % rs, last = (d0 / rs * g.k() + row0 + r) * rs + rs - 1;
            for (int q = 0; q < kc; q++) {
                pa[dst + q * ConvGemm.MR + r] = w[last - tap];
                if (++tap == rs) {
                    tap = 0;
                    last += g.k() * rs;
                }
            }
        }
        GemmPacked.zeroRows(rows, kc, pa, dst);
    }

    @Override
    ConvGemm.Columns columns() {
        return new PixelSlivers(padded, xPad, plane);
    }

    @Override
    void store(float[] tile, int from, int row0, int rows, int sliver) {
        int pq = g.pq(), col0 = sliver * ConvGemm.NR, end = Math.min(columns, col0 + ConvGemm.NR);
        for (int col = col0; col < end; ) {
            int ni = col / pq, pix = col % pq, width = Math.min(end - col, pq - pix);
            GemmPacked.storeTile(tile, from + col - col0, rows, width, 1f, 0f, out, (ni * g.k() + row0) * pq + pix, pq,
                    bias, row0);
            col += width;
        }
    }
}
