package dev.unetgan.tensor.cpu;

import java.util.Arrays;

/**
 * conv2d forward (F32) as one implicit GEMM over the whole batch: {@code out[K, N·PQ] = W[K, CRS]·col[CRS, N·PQ]
 * + bias}, the columns of every image side by side, so a B sliver may span two images and no sliver is wasted on
 * the end of a small image. Backward-data at stride 1 runs through here too, as the forward conv of the output
 * gradient ({@link ConvGeometry#stride1Adjoint()}).
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
    private final float[] bias;
    private final float[] out;
    /** The padded input, {@code [N, C, plane]}, each plane {@code hp × wp} with row stride wp. */
    private final float[] xPad;
    private final ConvGeometry padded;
    private final int plane;
    private final int columns;

    private ForwardConv(ConvGeometry g, float[] x, float[] w, float[] bias, float[] out, float[] xPad, int plane) {
        super(g.k(), g.crs(), Math.ceilDiv(g.n() * g.pq(), ConvGemm.NR));
        this.g = g;
        this.x = x;
        this.w = w;
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
        ConvGeometry padded = paddedGeometry(g);
        int plane = planeStride(padded);
        float[] xPad = BufferPool.takeFloats(Math.max(1, g.n() * g.c() * plane));
        try {
            ConvGemm.run(new ForwardConv(g, x, w, bias, out, xPad, plane));
        } finally {
            BufferPool.give(xPad);
        }
    }

    /** The same conv on the input with its padding written out: padding 0, input {@code (H+2·padH) × (W+2·padW)}. */
    private static ConvGeometry paddedGeometry(ConvGeometry g) {
        return new ConvGeometry(g.n(), g.c(), g.h() + 2 * g.padH(), g.w() + 2 * g.padW(), g.k(), g.r(), g.s(),
                g.p(), g.q(), g.strideH(), g.strideW(), 0, 0, g.dilH(), g.dilW());
    }

    /** {@code hp·wp}, plus one 64-byte line when that is a multiple of 1 KiB (see the class comment). */
    private static int planeStride(ConvGeometry padded) {
        int hw = padded.hw();
        return hw % 256 == 0 ? hw + 16 : hw;
    }

    @Override
    int prepUnits() {
        return g.n();
    }

    /** Copies image {@code ni} into {@code xPad}: input row {@code ih} lands at padded row {@code ih + padH}. */
    @Override
    void prep(int ni) {
        int hp = padded.h(), wp = padded.w();
        int iw0 = Math.max(0, -g.padW()), iw1 = Math.min(g.w(), wp - g.padW());
        for (int ci = 0; ci < g.c(); ci++) {
            int dstPlane = (ni * g.c() + ci) * plane, srcPlane = (ni * g.c() + ci) * g.hw();
            for (int i = 0; i < hp; i++) {
                int ih = i - g.padH(), dst = dstPlane + i * wp;
                if (ih < 0 || ih >= g.h() || iw1 <= iw0) {
                    Arrays.fill(xPad, dst, dst + wp, 0f);
                    continue;
                }
                Arrays.fill(xPad, dst, dst + iw0 + g.padW(), 0f);
                System.arraycopy(x, srcPlane + ih * g.w() + iw0, xPad, dst + iw0 + g.padW(), iw1 - iw0);
                Arrays.fill(xPad, dst + iw1 + g.padW(), dst + wp, 0f);
            }
        }
    }

    @Override
    void packA(int row0, int rows, int d0, int kc, float[] pa, int dst) {
        GemmPacked.packRows(w, row0 * g.crs() + d0, g.crs(), rows, kc, pa, dst);
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
