package dev.unetgan.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * B slivers of the forward im2col matrix of a whole batch, {@code col[C·R·S, N·P·Q]} (row {@code (c·R + r)·S + s},
 * column {@code (n·P + p)·Q + q}), packed from an input whose padding is written out (so the geometry has padding 0
 * and every tap is in bounds): sliver {@code j} is columns {@code [j·NR, j·NR + NR)}, which may span two images.
 * Each sliver is NR/V vectors of V pixels. A vector's offsets at tap (r, s) and channel c are its offsets at tap
 * (0, 0), channel 0, shifted by {@code c·plane + r·dilH·W + s·dilW}, so each vector is one {@link LaneLoads} plan
 * per sliver: at stride 1 the pixels of one output row read consecutive inputs, so a vector is one load (two for
 * 8-pixel rows).
 */
final class PixelSlivers implements ConvGemm.Columns {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int V = LaneLoads.V;
    private static final int NR = ConvGemm.NR;
    private static final int VECTORS = NR / V;
    /** Channels packed together, every tap of them before the next group, so the taps find the rows in L1. */
    private static final int CHANNEL_GROUP = 8;

    private final ConvGeometry g;
    private final float[] x;
    private final int plane;
    private final int columns;
    private final int rs;
    /** Offset of tap {@code (r, s)} (index {@code r·S + s}) from tap (0, 0) in a channel plane. */
    private final int[] tapOff;
    private final LaneLoads loads = new LaneLoads(VECTORS);
    /** Per vector of the planned sliver, {@link LaneLoads#plainBase}; {@code plain} when none is -1. */
    private final int[] plainBase = new int[VECTORS];
    private boolean plain;
    private final int[] offsets = new int[V];
    /** The sliver the loads are planned for (a sliver is packed once per depth block). */
    private int planned = -1;

    /**
     * Slivers for geometry {@code g} (padding 0) of input {@code x [N, C, plane]}, each channel's {@code h × w} at
     * the start of its plane.
     */
    PixelSlivers(ConvGeometry g, float[] x, int plane) {
        if (g.padH() != 0 || g.padW() != 0) {
            throw new IllegalArgumentException("conv2d: B slivers need the padding written out, got " + g);
        }
        this.g = g;
        this.x = x;
        this.plane = plane;
        this.columns = g.n() * g.pq();
        this.rs = g.r() * g.s();
        this.tapOff = new int[rs];
        for (int tap = 0; tap < rs; tap++) {
            tapOff[tap] = g.tapOffset(tap, g.w());
        }
    }

    @Override
    public void pack(int sliver, int d0, int kc, float[] pb) {
        if (sliver != planned) {
            plan(sliver * NR);
            planned = sliver;
        }
        if (plain) {
            // Every vector is one plain load: row by row, channel by channel, with no choice of load per copy. The
            // copies below, three channels long, made packing 14% of the RGB layer's forward (JFR).
            for (int q = 0, c = d0 / rs, tap = d0 % rs; q < kc; q++) {
                int src = c * plane + tapOff[tap];
                for (int h = 0; h < VECTORS; h++) {
                    FloatVector.fromArray(F, x, src + plainBase[h]).intoArray(pb, q * NR + h * V);
                }
                if (++tap == rs) {
                    tap = 0;
                    c++;
                }
            }
            return;
        }
        // A few channels at a time, every tap of them: the taps reuse the same input lines while they are in L1
        // (tap-major over all channels was 3x slower), and each (tap, vector) load is one strided copy over the group,
        // which amortises choosing the kind of load (one channel per call was twice as slow).
        int cEnd = Math.ceilDiv(d0 + kc, rs);
        for (int g0 = d0 / rs; g0 < cEnd; g0 += CHANNEL_GROUP) {
            for (int tap = 0; tap < rs; tap++) {
                int c0 = Math.max(g0, Math.ceilDiv(d0 - tap, rs));
                int c1 = Math.min(Math.min(g0 + CHANNEL_GROUP, cEnd), Math.ceilDiv(d0 + kc - tap, rs));
                for (int h = 0; h < VECTORS && c1 > c0; h++) {
                    loads.copy(h, x, c0 * plane + tapOff[tap], plane, c1 - c0, pb, (c0 * rs + tap - d0) * NR + h * V,
                            rs * NR);
                }
            }
        }
    }

    /** Plans the loads of the sliver starting at column {@code col0}: input offsets at channel 0, tap (0, 0). */
    private void plan(int col0) {
        // Column by column from the sliver's first, with no division per lane: the RGB layer's forward plans 2048
        // slivers of 27 rows a call, and planning had 8% of its JFR samples (2% now, with LaneLoads' common case).
        int ni = col0 / g.pq(), p = col0 % g.pq() / g.q(), q = col0 % g.q();
        plain = true;
        for (int h = 0; h < VECTORS; h++) {
            int count = Math.clamp(columns - col0 - h * V, 0, V);
            for (int l = 0; l < count; l++) {
                offsets[l] = ni * g.c() * plane + p * g.strideH() * g.w() + q * g.strideW();
                if (++q == g.q()) {
                    q = 0;
                    if (++p == g.p()) {
                        p = 0;
                        ni++;
                    }
                }
            }
            loads.plan(h, offsets, count == V ? -1L : (1L << count) - 1);
            plainBase[h] = loads.plainBase(h);
            plain &= plainBase[h] >= 0;
        }
    }
}
