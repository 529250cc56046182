package dev.unetgan.tensor.cpu;

import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.AdamStep;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The fused Adam update ({@link dev.unetgan.tensor.Backend#adamUpdate}): one pass over param, grad, m and v. The
 * F32 Vector API path computes in float, as PyTorch does for float tensors; the scalar reference path (F64, and F32
 * under {@link CpuOptions#scalar()}) computes each element in double and rounds once when storing.
 */
final class CpuAdam {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /**
     * Elements per thread at least. One thread updates about 2.4 G elements/s from cache (100K elements in about
     * 40 us), and the pass is memory-bound (7 streams: 4 loads, 3 stores), so a smaller chunk costs more in waking a
     * worker than it saves; measured on this 2-core machine, a split at 16K elements made a 100K update 30x slower
     * under load.
     */
    private static final int GRAIN = 64 * 1024;

    private CpuAdam() {
    }

    /** Updates {@code param}, {@code m} and {@code v} in place from {@code grad}; all four of one shape and dtype. */
    static void update(NDArray param, NDArray grad, NDArray m, NDArray v, AdamStep hp) {
        int n = param.shape().sizeAsInt();
        if (param.dtype() == DType.F32 && !CpuOptions.scalar()) {
            F32 kernel = new F32(CpuStorage.f32(param), CpuStorage.f32(grad), CpuStorage.f32(m), CpuStorage.f32(v), hp);
            CpuPool.parallelFor(n, GRAIN, kernel::run);
        } else {
            Reference kernel = new Reference(CpuStorage.of(param), CpuStorage.of(grad), CpuStorage.of(m),
                    CpuStorage.of(v), hp);
            CpuPool.parallelFor(n, GRAIN, kernel::run);
        }
    }

    /** The definition, element by element in double; any floating dtype. */
    private record Reference(CpuStorage p, CpuStorage g, CpuStorage m, CpuStorage v, AdamStep hp) {
        void run(int start, int end) {
            double b1 = hp.beta1();
            double b2 = hp.beta2();
            double wd = hp.weightDecay();
            double eps = hp.eps();
            double sqrtBc2 = Math.sqrt(hp.biasCorrection2());
            double stepSize = hp.stepSize();
            for (int i = start; i < end; i++) {
                double pi = p.get(i);
                double gi = wd != 0 ? g.get(i) + wd * pi : g.get(i);
                double mi = b1 * m.get(i) + (1 - b1) * gi;
                double vi = b2 * v.get(i) + (1 - b2) * gi * gi;
                double denom = Math.sqrt(vi) / sqrtBc2 + eps;
                m.set(i, mi);
                v.set(i, vi);
                p.set(i, pi - stepSize * mi / denom);
            }
        }
    }

    /**
     * The F32 lanes. The derived scalars are rounded to float once, here, as PyTorch rounds the Python floats it
     * passes to its float kernels, and each formula keeps the operation order (and the fused multiply-adds) of
     * PyTorch's vectorized CPU kernels, so results agree with it to about an ulp. Each formula is one small method
     * shared by the full vectors and the masked tail.
     */
    private static final class F32 {
        final float[] p, g, m, v;
        final boolean decay;
        final float wd, b1, oneMinusB1, b2, oneMinusB2, sqrtBc2, eps, negStepSize;

        F32(float[] p, float[] g, float[] m, float[] v, AdamStep hp) {
            this.p = p;
            this.g = g;
            this.m = m;
            this.v = v;
            this.decay = hp.weightDecay() != 0;
            this.wd = (float) hp.weightDecay();
            this.b1 = (float) hp.beta1();
            this.oneMinusB1 = (float) (1 - hp.beta1());
            this.b2 = (float) hp.beta2();
            this.oneMinusB2 = (float) (1 - hp.beta2());
            this.sqrtBc2 = (float) Math.sqrt(hp.biasCorrection2());
            this.eps = (float) hp.eps();
            this.negStepSize = (float) -hp.stepSize();
        }

        void run(int start, int end) {
            int i = start;
            for (; i + L <= end; i += L) {
                FloatVector pv = FloatVector.fromArray(S, p, i);
                FloatVector gv = decayed(FloatVector.fromArray(S, g, i), pv);
                FloatVector mv = firstMoment(FloatVector.fromArray(S, m, i), gv);
                FloatVector vv = secondMoment(FloatVector.fromArray(S, v, i), gv);
                mv.intoArray(m, i);
                vv.intoArray(v, i);
                stepped(pv, mv, vv).intoArray(p, i);
            }
            if (i < end) {
                VectorMask<Float> k = S.indexInRange(i, end);
                FloatVector pv = FloatVector.fromArray(S, p, i, k);
                FloatVector gv = decayed(FloatVector.fromArray(S, g, i, k), pv);
                FloatVector mv = firstMoment(FloatVector.fromArray(S, m, i, k), gv);
                FloatVector vv = secondMoment(FloatVector.fromArray(S, v, i, k), gv);
                mv.intoArray(m, i, k);
                vv.intoArray(v, i, k);
                stepped(pv, mv, vv).intoArray(p, i, k);
            }
        }

        /** {@code g + wd·p}, or {@code g} when there is no weight decay (so an infinite p cannot make 0·inf). */
        private FloatVector decayed(FloatVector gv, FloatVector pv) {
            return decay ? pv.fma(FloatVector.broadcast(S, wd), gv) : gv;
        }

        /** {@code b1·m + (1-b1)·g}. */
        private FloatVector firstMoment(FloatVector mv, FloatVector gv) {
            return gv.fma(FloatVector.broadcast(S, oneMinusB1), mv.mul(b1));
        }

        /** {@code b2·v + (1-b2)·g·g}. */
        private FloatVector secondMoment(FloatVector vv, FloatVector gv) {
            return vv.mul(b2).add(gv.mul(oneMinusB2).mul(gv));
        }

        /** {@code p + (-stepSize·m) / (sqrt(v)/sqrt(bc2) + eps)}. */
        private FloatVector stepped(FloatVector pv, FloatVector mv, FloatVector vv) {
            FloatVector denom = vv.sqrt().div(sqrtBc2).add(eps);
            return pv.add(mv.mul(negStepSize).div(denom));
        }
    }
}
