package dev.unetgan.tensor.cpu;

import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.GanLossKind;
import dev.unetgan.tensor.NDArray;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The fused GAN losses ({@link dev.unetgan.tensor.Backend#ganLoss}) and the CutMix consistency loss
 * ({@link dev.unetgan.tensor.Backend#cutmixConsistency}): each is one pass that writes the gradients and returns a
 * block partial of the loss.
 *
 * <p>Determinism: the elements are cut into consecutive blocks of {@link #BLOCK}, whatever the thread count; each
 * block's partial is summed in a fixed order (F32 lanes in float, folded in lane order into double, as
 * {@link CpuReduce#foldLanes} does; the scalar path in double), stored by block index, and the partials are added
 * in block order. That is the two-stage reduction a CUDA kernel does with per-block partials and a final pass.
 *
 * <p>The F32 path computes exp with {@link CpuReduce#exp} and log1p with a fixed polynomial rather than the Vector
 * API's EXP and LOG1P, whose intrinsic and interpreted versions can differ in the last bit.
 */
final class CpuGanLoss {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Elements per partial sum; fixed, so results do not depend on the thread count. */
    static final int BLOCK = 4096;
    /** Blocks per parallel chunk, at least: about 32K elements, below which waking a worker costs more than it saves. */
    private static final int GRAIN_BLOCKS = 8;

    private CpuGanLoss() {
    }

    /** One block's partial loss sum over {@code [start, end)}, writing that range's gradients. */
    @FunctionalInterface
    private interface BlockKernel {
        double run(int start, int end, float[] lanes);
    }

    /** The fixed-block, fixed-order sum of {@code kernel} over {@code [0, n)}. */
    private static double blockSum(int n, BlockKernel kernel) {
        int blocks = (n + BLOCK - 1) / BLOCK;
        double[] partials = new double[blocks];
        CpuPool.parallelFor(blocks, GRAIN_BLOCKS, (b0, b1) -> {
            float[] lanes = new float[L];
            for (int b = b0; b < b1; b++) {
                int start = b * BLOCK;
                partials[b] = kernel.run(start, Math.min(n, start + BLOCK), lanes);
            }
        });
        double sum = 0;
        for (double p : partials) {
            sum += p;
        }
        return sum;
    }

    private static boolean vectorPath(NDArray a) {
        return a.dtype() == DType.F32 && !CpuOptions.scalar();
    }

    // ---- GAN loss ----

    /** See {@link dev.unetgan.tensor.Backend#ganLoss}; {@code target} and {@code grad} may be null. */
    static void ganLoss(GanLossKind kind, NDArray logits, NDArray target, double constant, double weight,
                        NDArray loss, NDArray grad) {
        int n = logits.shape().sizeAsInt();
        double scale = weight / n;
        BlockKernel kernel;
        if (vectorPath(logits)) {
            kernel = new LossF32(kind, CpuStorage.f32(logits), target == null ? null : CpuStorage.f32(target),
                    (float) constant, grad == null ? null : CpuStorage.f32(grad), (float) scale)::run;
        } else {
            CpuStorage ls = CpuStorage.of(logits);
            CpuStorage ts = target == null ? null : CpuStorage.of(target);
            CpuStorage gs = grad == null ? null : CpuStorage.of(grad);
            kernel = (start, end, lanes) -> {
                double acc = 0;
                for (int i = start; i < end; i++) {
                    double l = ls.get(i);
                    double t = ts == null ? constant : ts.get(i);
                    acc += kind.value(l, t);
                    if (gs != null) {
                        gs.set(i, scale * kind.derivative(l, t));
                    }
                }
                return acc;
            };
        }
        CpuStorage.of(loss).set(0, weight * blockSum(n, kernel) / n);
    }

    /** The F32 lanes of the GAN losses; one formula per kind, shared by full vectors and the masked tail. */
    private record LossF32(GanLossKind kind, float[] l, float[] t, float constant, float[] g, float scale) {
        double run(int start, int end, float[] lanes) {
            FloatVector acc = FloatVector.zero(S);
            int i = start;
            for (; i + L <= end; i += L) {
                FloatVector lv = FloatVector.fromArray(S, l, i);
                FloatVector tv = t == null ? FloatVector.broadcast(S, constant) : FloatVector.fromArray(S, t, i);
                acc = acc.add(element(lv, tv, i, S.maskAll(true)));
            }
            if (i < end) {
                VectorMask<Float> m = S.indexInRange(i, end);
                FloatVector lv = FloatVector.fromArray(S, l, i, m);
                FloatVector tv = t == null ? FloatVector.broadcast(S, constant) : FloatVector.fromArray(S, t, i, m);
                acc = acc.add(FloatVector.zero(S).blend(element(lv, tv, i, m), m));
            }
            return CpuReduce.foldLanes(acc, lanes);
        }

        /** The loss of lanes {@code m} at {@code i}; stores their gradient. */
        private FloatVector element(FloatVector lv, FloatVector tv, int i, VectorMask<Float> m) {
            FloatVector value;
            FloatVector d;
            switch (kind) {
                case BCE -> {
                    FloatVector e = CpuReduce.exp(lv.abs().neg());
                    value = lv.max(0f).sub(tv.mul(lv)).add(log1pUnit(e));
                    FloatVector num = e.blend(1f, lv.compare(VectorOperators.GE, 0f));
                    d = num.div(e.add(1f)).sub(tv);
                }
                case HINGE -> {
                    // Real lanes: relu(1 - l), slope -1 where 1 - l > 0; fake lanes: relu(1 + l), slope +1.
                    VectorMask<Float> real = tv.compare(VectorOperators.GE, 0.5f);
                    FloatVector sign = FloatVector.broadcast(S, 1f).blend(-1f, real);
                    FloatVector margin = lv.mul(sign).add(1f);
                    value = margin.max(0f);
                    d = FloatVector.zero(S).blend(sign, margin.compare(VectorOperators.GT, 0f));
                }
                case HINGE_GENERATOR -> {
                    value = lv.neg();
                    d = FloatVector.broadcast(S, -1f);
                }
                default -> throw new IllegalStateException(kind.name());
            }
            if (g != null) {
                d.mul(scale).intoArray(g, i, m);
            }
            return value;
        }
    }

    /**
     * {@code log(1 + e)} for {@code e} in {@code [0, 1]}, to about an ulp: {@code 2·atanh(s)} with
     * {@code s = e/(2+e) <= 1/3}, whose odd series converges by a factor of 9 per term; the terms after
     * {@code s^13/13} are below 2^-26 relative. Exact for {@code e = 0} and keeps full relative accuracy for tiny e.
     */
    static FloatVector log1pUnit(FloatVector e) {
        FloatVector s = e.div(e.add(2f));
        FloatVector s2 = s.mul(s);
        FloatVector p = s2.fma(1f / 13, 1f / 11)
                .fma(s2, FloatVector.broadcast(S, 1f / 9))
                .fma(s2, FloatVector.broadcast(S, 1f / 7))
                .fma(s2, FloatVector.broadcast(S, 1f / 5))
                .fma(s2, FloatVector.broadcast(S, 1f / 3))
                .fma(s2, FloatVector.broadcast(S, 1f));
        return s.add(s).mul(p);
    }

    // ---- consistency ----

    /** See {@link dev.unetgan.tensor.Backend#cutmixConsistency}; each gradient may be null. */
    static void consistency(NDArray mixed, NDArray real, NDArray fake, NDArray mask, double weight, NDArray loss,
                            NDArray gradMixed, NDArray gradReal, NDArray gradFake) {
        int n = mixed.shape().sizeAsInt();
        double scale = 2 * weight / n;
        BlockKernel kernel;
        if (vectorPath(mixed)) {
            kernel = new ConsistencyF32(CpuStorage.f32(mixed), CpuStorage.f32(real), CpuStorage.f32(fake),
                    CpuStorage.f32(mask), f32OrNull(gradMixed), f32OrNull(gradReal), f32OrNull(gradFake),
                    (float) scale)::run;
        } else {
            CpuStorage xm = CpuStorage.of(mixed), xr = CpuStorage.of(real), xf = CpuStorage.of(fake);
            CpuStorage ms = CpuStorage.of(mask);
            CpuStorage gm = ofOrNull(gradMixed), gr = ofOrNull(gradReal), gf = ofOrNull(gradFake);
            kernel = (start, end, lanes) -> {
                double acc = 0;
                for (int i = start; i < end; i++) {
                    double m = ms.get(i);
                    double d = xm.get(i) - (m * xr.get(i) + (1 - m) * xf.get(i));
                    acc += d * d;
                    double g = scale * d;
                    if (gm != null) gm.set(i, g);
                    if (gr != null) gr.set(i, -m * g);
                    if (gf != null) gf.set(i, -(1 - m) * g);
                }
                return acc;
            };
        }
        CpuStorage.of(loss).set(0, weight * blockSum(n, kernel) / n);
    }

    private static float[] f32OrNull(NDArray a) {
        return a == null ? null : CpuStorage.f32(a);
    }

    private static CpuStorage ofOrNull(NDArray a) {
        return a == null ? null : CpuStorage.of(a);
    }

    /** The F32 lanes of the consistency loss; one formula shared by full vectors and the masked tail. */
    private record ConsistencyF32(float[] xm, float[] xr, float[] xf, float[] mk, float[] gm, float[] gr,
                                  float[] gf, float scale) {
        double run(int start, int end, float[] lanes) {
            FloatVector acc = FloatVector.zero(S);
            int i = start;
            for (; i + L <= end; i += L) {
                acc = acc.add(element(i, S.maskAll(true)));
            }
            if (i < end) {
                // Masked loads read 0 in the idle lanes, so their d is 0 and they add nothing.
                acc = acc.add(element(i, S.indexInRange(i, end)));
            }
            return CpuReduce.foldLanes(acc, lanes);
        }

        /** {@code d²} of lanes {@code k} at {@code i}; stores their gradients. */
        private FloatVector element(int i, VectorMask<Float> k) {
            FloatVector m = FloatVector.fromArray(S, mk, i, k);
            FloatVector oneMinusM = m.neg().add(1f);
            // m·real + (1-m)·fake: with m in {0, 1} this is exactly one of the two, unlike fake + m·(real - fake).
            FloatVector target = FloatVector.fromArray(S, xr, i, k)
                    .fma(m, FloatVector.fromArray(S, xf, i, k).mul(oneMinusM));
            FloatVector d = FloatVector.fromArray(S, xm, i, k).sub(target);
            FloatVector g = d.mul(scale);
            if (gm != null) g.intoArray(gm, i, k);
            if (gr != null) g.mul(m).neg().intoArray(gr, i, k);
            if (gf != null) g.mul(oneMinusM).neg().intoArray(gf, i, k);
            return d.mul(d);
        }
    }
}
