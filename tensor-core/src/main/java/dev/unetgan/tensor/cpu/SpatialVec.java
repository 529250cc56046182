package dev.unetgan.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The F32 Vector API inner loops of {@link CpuSpatial}. Each works on one contiguous run (a row or a plane) and
 * finishes the tail that does not fill a vector with scalar code.
 */
final class SpatialVec {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Lane indexes into the pair (v1, v2) of {@code selectFrom}: the even and the odd elements of 2L floats. */
    private static final FloatVector EVEN = laneIndexes(2, 0);
    private static final FloatVector ODD = laneIndexes(2, 1);
    /** Each of the first (second) L/2 lanes twice: widens half a vector to a full one, element by element. */
    private static final VectorShuffle<Float> DUP_LO = VectorShuffle.fromOp(S, i -> i / 2);
    private static final VectorShuffle<Float> DUP_HI = VectorShuffle.fromOp(S, i -> L / 2 + i / 2);
    /**
     * Float lanes accumulate at most this many elements each before the block total moves to a double, so the
     * rounding error stays that of a short float sum while the long sum runs in double.
     */
    private static final int BLOCK = 16 * L;

    private SpatialVec() {
    }

    private static FloatVector laneIndexes(int step, int first) {
        float[] idx = new float[L];
        for (int i = 0; i < L; i++) {
            idx[i] = first + step * i;
        }
        return FloatVector.fromArray(S, idx, 0);
    }

    /**
     * {@code dst[d+j] = scale·(src[r0+2j] + src[r0+2j+1] + src[r1+2j] + src[r1+2j+1])} for {@code j < q}: the 2x2
     * stride-2 window sum of rows {@code r0} and {@code r1}.
     */
    static void pairSum(float[] src, int r0, int r1, float[] dst, int d, int q, float scale) {
        int j = 0;
        for (; j + L <= q; j += L) {
            FloatVector lo = FloatVector.fromArray(S, src, r0 + 2 * j).add(FloatVector.fromArray(S, src, r1 + 2 * j));
            FloatVector hi = FloatVector.fromArray(S, src, r0 + 2 * j + L).add(FloatVector.fromArray(S, src, r1 + 2 * j + L));
            EVEN.selectFrom(lo, hi).add(ODD.selectFrom(lo, hi)).mul(scale).intoArray(dst, d + j);
        }
        for (; j < q; j++) {
            dst[d + j] = scale * (src[r0 + 2 * j] + src[r0 + 2 * j + 1] + src[r1 + 2 * j] + src[r1 + 2 * j + 1]);
        }
    }

    /** {@code dst[r+2j] = dst[r+2j+1] = scale·src[s+j]} for both rows {@code r = r0, r1} and {@code j < q}. */
    static void pairSpread(float[] src, int s, float[] dst, int r0, int r1, int q, float scale) {
        int j = 0;
        for (; j + L <= q; j += L) {
            FloatVector v = FloatVector.fromArray(S, src, s + j).mul(scale);
            FloatVector lo = v.rearrange(DUP_LO);
            FloatVector hi = v.rearrange(DUP_HI);
            lo.intoArray(dst, r0 + 2 * j);
            hi.intoArray(dst, r0 + 2 * j + L);
            lo.intoArray(dst, r1 + 2 * j);
            hi.intoArray(dst, r1 + 2 * j + L);
        }
        for (; j < q; j++) {
            float v = scale * src[s + j];
            dst[r0 + 2 * j] = v;
            dst[r0 + 2 * j + 1] = v;
            dst[r1 + 2 * j] = v;
            dst[r1 + 2 * j + 1] = v;
        }
    }

    /**
     * {@code Σ (a[i] - ma)·(b[i] - mb)} over {@code [off, off+n)}, or {@code Σ (a[i] - ma)} when {@code b} is null;
     * float lanes within blocks of {@link #BLOCK}, double across blocks.
     */
    static double centeredDot(float[] a, float ma, float[] b, float mb, int off, int n) {
        double total = 0;
        int end = off + n;
        int i = off;
        float[] lanes = new float[L];
        for (; i + L <= end; ) {
            int blockEnd = Math.min(end, i + BLOCK);
            FloatVector acc = FloatVector.zero(S);
            if (b == null) {
                for (; i + L <= blockEnd; i += L) {
                    acc = acc.add(FloatVector.fromArray(S, a, i).sub(ma));
                }
            } else {
                for (; i + L <= blockEnd; i += L) {
                    FloatVector da = FloatVector.fromArray(S, a, i).sub(ma);
                    acc = da.fma(FloatVector.fromArray(S, b, i).sub(mb), acc);
                }
            }
            total += CpuReduce.foldLanes(acc, lanes);
        }
        for (; i < end; i++) {
            double d = a[i] - ma;
            total += b == null ? d : d * (b[i] - mb);
        }
        return total;
    }

    /** {@code out[i] = (x[i] - mu)·scale + shift} over {@code [off, off+n)}. */
    static void affineCentered(float[] x, float[] out, int off, int n, float mu, float scale, float shift) {
        int end = off + n;
        int i = off;
        for (; i + L <= end; i += L) {
            FloatVector.fromArray(S, x, i).sub(mu).fma(scale, shift).intoArray(out, i);
        }
        for (; i < end; i++) {
            out[i] = (x[i] - mu) * scale + shift;
        }
    }

    /** {@code gi[i] = k·(g[i] - a - (x[i] - mu)·b)} over {@code [off, off+n)}: the batch-norm input gradient. */
    static void bnBackwardRow(float[] g, float[] x, float[] gi, int off, int n, float mu, float k, float a, float b) {
        int end = off + n;
        int i = off;
        for (; i + L <= end; i += L) {
            FloatVector inner = FloatVector.fromArray(S, x, i).sub(mu)
                    .fma(FloatVector.broadcast(S, -b), FloatVector.fromArray(S, g, i)).sub(a);
            inner.mul(k).intoArray(gi, i);
        }
        for (; i < end; i++) {
            gi[i] = k * (g[i] - a - (x[i] - mu) * b);
        }
    }
}
