package dev.unetgan.tensor.cpu;

import java.util.Arrays;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * conv2d backward-filter (F32) as one implicit GEMM over the whole batch:
 * {@code gW[K, (r,s,c)] = gOut[K, N·P·Q]·colᵀ[N·P·Q, (r,s,c)]}, the depth running over every output pixel of every
 * image, so the sum over images happens inside the register tiles, in a fixed order, with no partial sums to add.
 *
 * <p>The columns are ordered tap-major ({@code (r·S + s)·C + c}), not as the weight's {@code (c, r, s)}, because
 * then a B row is a run of consecutive channels of one input pixel. The input is first copied channels-last with
 * its padding written out ({@code [N, H+2·padH, W+2·padW, C]}, one preparation unit per image), so that a B sliver
 * row at output pixel (n, p, q) and tap (r, s) is a plain contiguous load at a fixed offset from the pixel: no
 * masks, any stride or dilation. Each finished C tile is scattered into {@code gW[K, C, R, S]}.
 */
final class FilterGradient extends ConvGemm.Problem {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int V = LaneLoads.V;
    private final ConvGeometry g;
    private final float[] x;
    private final float[] gOut;
    private final float[] gW;
    /** The input channels-last and padded: {@code [N, hp, wp, C]}. */
    private final float[] xT;
    private final int hp;
    private final int wp;
    private final int columns;
    /** Lane l reads channel l of a pixel: {@link #prep} transposes V channels at a time with it. */
    private final LaneLoads channelLoads = new LaneLoads(1);

    private FilterGradient(ConvGeometry g, float[] x, float[] gOut, float[] gW, float[] xT) {
        super(g.k(), g.n() * g.pq(), Math.ceilDiv(g.crs(), ConvGemm.NR));
        this.g = g;
        this.x = x;
        this.gOut = gOut;
        this.gW = gW;
        this.xT = xT;
        this.hp = g.h() + 2 * g.padH();
        this.wp = g.w() + 2 * g.padW();
        this.columns = g.crs();
        int[] channelOffsets = new int[V];
        for (int l = 0; l < V; l++) {
            channelOffsets[l] = l * g.hw();
        }
        channelLoads.plan(0, channelOffsets, -1L);
    }

    /** {@code gW [K,C,R,S] = Σ_n gOut_n [K,P·Q]·col_nᵀ}, for input {@code x [N,C,H,W]} and {@code gOut [N,K,P,Q]}. */
    static void compute(ConvGeometry g, float[] x, float[] gOut, float[] gW) {
        if (g.n() * g.pq() == 0) {
            Arrays.fill(gW, 0, g.k() * g.crs(), 0f);
            return;
        }
        int hp = g.h() + 2 * g.padH(), wp = g.w() + 2 * g.padW();
        float[] xT = BufferPool.takeFloats(g.n() * hp * wp * g.c());
        try {
            ConvGemm.run(new FilterGradient(g, x, gOut, gW, xT));
        } finally {
            BufferPool.give(xT);
        }
    }

    @Override
    int prepUnits() {
        return g.n();
    }

    /** Copies image {@code ni} channels-last into {@code xT}, writing the padding as zeros. */
    @Override
    void prep(int ni) {
        int c = g.c(), rowLen = wp * c, image = ni * hp * rowLen;
        Arrays.fill(xT, image, image + g.padH() * rowLen, 0f);
        Arrays.fill(xT, image + (g.padH() + g.h()) * rowLen, image + hp * rowLen, 0f);
        for (int ih = 0; ih < g.h(); ih++) {
            int row = image + (ih + g.padH()) * rowLen;
            Arrays.fill(xT, row, row + g.padW() * c, 0f);
            Arrays.fill(xT, row + (g.padW() + g.w()) * c, row + rowLen, 0f);
        }
        // V channels at a time, one gather per pixel: the destination is then written a whole line at a time,
        // where a channel-by-channel copy wrote one float into every line of the image per channel (7% of G's
        // forward+backward went to that). The channels left over go one by one.
        int hw = g.hw(), full = c - c % V;
        for (int ih = 0; ih < g.h(); ih++) {
            int src = ni * c * hw + ih * g.w(), dst = image + (ih + g.padH()) * rowLen + g.padW() * c;
            for (int c0 = 0; c0 < full; c0 += V) {
                channelLoads.copy(0, x, src + c0 * hw, 1, g.w(), xT, dst + c0, c);
            }
            for (int ci = full; ci < c; ci++) {
                for (int iw = 0; iw < g.w(); iw++) {
                    xT[dst + iw * c + ci] = x[src + ci * hw + iw];
                }
            }
        }
    }

    /** A rows are output channels, the depth is (image, pixel): each image contributes a contiguous run per row. */
    @Override
    void packA(int row0, int rows, int d0, int kc, float[] pa, int dst) {
        int pq = g.pq();
        for (int d = d0; d < d0 + kc; ) {
            int ni = d / pq, pix = d % pq, len = Math.min(d0 + kc - d, pq - pix);
            GemmPacked.packRows(gOut, (ni * g.k() + row0) * pq + pix, pq, rows, len, pa, dst + (d - d0) * ConvGemm.MR);
            d += len;
        }
    }

    @Override
    ConvGemm.Columns columns() {
        return new TapSlivers();
    }

    @Override
    void store(float[] tile, int from, int row0, int rows, int sliver) {
        int col0 = sliver * ConvGemm.NR, width = Math.min(ConvGemm.NR, columns - col0);
        // Column (tap, c) of C is element c·R·S + tap of a weight row.
        int rs = g.r() * g.s(), tap = col0 / g.c(), ci = col0 % g.c();
        for (int j = 0; j < width; j++) {
            int to = row0 * columns + ci * rs + tap;
            for (int r = 0; r < rows; r++) {
                gW[to + r * columns] = tile[from + r * ConvGemm.NR + j];
            }
            if (++ci == g.c()) {
                ci = 0;
                tap++;
            }
        }
    }

    /**
     * B slivers of {@code colᵀ[N·P·Q, (r,s,c)]} from the channels-last copy: the row of output pixel (n, p, q) starts
     * at {@code ((n·hp + p·strideH)·wp + q·strideW)·C}, and column (r, s, c) adds {@code (r·dilH·wp + s·dilW)·C + c}.
     * Along an output row the start moves by {@code strideW·C}, so each vector is one strided copy per output row.
     * A sliver whose NR columns are consecutive channels of one tap (every sliver when C is a multiple of NR) is one
     * run of NR floats per row instead, copied row by row: the loads then walk each pixel's channels in order, where a
     * copy per vector read every fourth line of the input per pass (this packing took a fifth of the 64-channel
     * layer's backward-filter; row by row made the layers from 64 channels up 3-7% faster, paired, with AVX-512).
     */
    private final class TapSlivers implements ConvGemm.Columns {
        private static final int VECTORS = ConvGemm.NR / V;
        private final LaneLoads loads = new LaneLoads(VECTORS);
        private final int[] offsets = new int[V];
        private int planned = -1;
        /** The planned sliver's offset from a row's start when it is one run of NR floats, else -1. */
        private int run = -1;

        @Override
        public void pack(int sliver, int d0, int kc, float[] pb) {
            if (sliver != planned) {
                plan(sliver * ConvGemm.NR);
                planned = sliver;
            }
            int pq = g.pq(), c = g.c(), step = g.strideW() * c;
            for (int d = d0; d < d0 + kc; ) {
                int ni = d / pq, pi = d % pq / g.q(), qi = d % g.q(), len = Math.min(d0 + kc - d, g.q() - qi);
                int shift = ((ni * hp + pi * g.strideH()) * wp + qi * g.strideW()) * c, dst = (d - d0) * ConvGemm.NR;
                if (run >= 0) {
                    copyRuns(shift + run, step, len, pb, dst);
                } else {
                    for (int h = 0; h < VECTORS; h++) {
                        loads.copy(h, xT, shift, step, len, pb, dst + h * V, ConvGemm.NR);
                    }
                }
                d += len;
            }
        }

        /** Copies {@code rows} runs of NR floats, run j from {@code xT[src + j·step]}, into consecutive sliver rows. */
        private void copyRuns(int src, int step, int rows, float[] pb, int dst) {
            for (int j = 0; j < rows; j++, src += step, dst += ConvGemm.NR) {
                for (int h = 0; h < ConvGemm.NR; h += V) {
                    FloatVector.fromArray(F, xT, src + h).intoArray(pb, dst + h);
                }
            }
        }

        private void plan(int col0) {
            int tap = col0 / g.c();
            boolean oneRun = col0 + ConvGemm.NR <= columns && (col0 + ConvGemm.NR - 1) / g.c() == tap;
            run = oneRun ? tapOffset(tap) + col0 % g.c() : -1;
            if (oneRun) {
                return;
            }
            for (int h = 0; h < VECTORS; h++) {
                long valid = 0;
                for (int l = 0; l < V; l++) {
                    int col = col0 + h * V + l;
                    if (col < columns) {
                        offsets[l] = tapOffset(col / g.c()) + col % g.c();
                        valid |= 1L << l;
                    }
                }
                loads.plan(h, offsets, valid);
            }
        }

        /** Offset of tap {@code tap} (= r·S + s) of a pixel's channel 0 from the pixel's own in the copy. */
        private int tapOffset(int tap) {
            return g.tapOffset(tap, wp) * g.c();
        }
    }
}
