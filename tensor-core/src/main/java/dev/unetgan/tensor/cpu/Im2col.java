package dev.unetgan.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * col2im for the strided backward-data convolution: the column matrix of one image is {@code [C·R·S, P·Q]} (row
 * {@code (c·R + r)·S + s}, column {@code p·Q + q}), the product {@code Wᵀ·gOut}. The transform works on a channel
 * range, so that callers can split one image across threads: channels own disjoint rows of the column matrix and
 * disjoint planes of the image.
 */
final class Im2col {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private Im2col() {
    }

    /**
     * Adds rows {@code [c0·R·S, c1·R·S)} of {@code col [C·R·S, P·Q]} into channels {@code [c0, c1)} of the image
     * {@code x [C, H, W]} at {@code xOff} (the adjoint of im2col); padding taps are dropped. The caller
     * clears the image first. Taps are added in a fixed order, so the result is deterministic.
     */
    static void col2im(ConvGeometry g, float[] col, int colOff, float[] x, int xOff, int c0, int c1) {
        int q = g.q();
        for (int ci = c0; ci < c1; ci++) {
            for (int ri = 0; ri < g.r(); ri++) {
                for (int si = 0; si < g.s(); si++) {
                    int row = colOff + ((ci * g.r() + ri) * g.s() + si) * g.pq();
                    int qLo = g.firstValidQ(si), qHi = g.endValidQ(si), iw0 = g.inCol0(si);
                    for (int pi = 0; pi < g.p(); pi++) {
                        int ih = g.inRow(pi, ri);
                        if (ih < 0 || ih >= g.h()) {
                            continue;
                        }
                        int src = row + pi * q, dst = xOff + (ci * g.h() + ih) * g.w() + iw0;
                        if (g.strideW() == 1) {
                            add(col, src + qLo, x, dst + qLo, qHi - qLo);
                        } else {
                            for (int qi = qLo; qi < qHi; qi++) {
                                x[dst + qi * g.strideW()] += col[src + qi];
                            }
                        }
                    }
                }
            }
        }
    }

    /** {@code dst[dstOff + i] += src[srcOff + i]} for {@code i < len}. */
    static void add(float[] src, int srcOff, float[] dst, int dstOff, int len) {
        int i = 0;
        for (int bound = F.loopBound(len); i < bound; i += F.length()) {
            FloatVector.fromArray(F, dst, dstOff + i).add(FloatVector.fromArray(F, src, srcOff + i))
                    .intoArray(dst, dstOff + i);
        }
        for (; i < len; i++) {
            dst[dstOff + i] += src[srcOff + i];
        }
    }
}
