package dev.unetgan.tensor.cpu;

import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.NDArray;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The spectral-norm pair ({@link dev.unetgan.tensor.Backend#spectralNormPowerIteration},
 * {@link dev.unetgan.tensor.Backend#spectralNormScale}). The F32 path computes both matrix-vector products with the
 * Vector API, accumulating each output element in float in an order fixed by the matrix alone (column strips for
 * {@code u·W}, whole rows for {@code W·v}), so the result does not depend on the thread count. The scalar reference
 * path (F64, and F32 under {@link CpuOptions#scalar()}) accumulates everything in double. Both take the norms and σ
 * in double.
 */
final class CpuSpectralNorm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Columns per strip of {@code u·W}: four vector accumulators stay in registers across all rows. */
    private static final int STRIP = 4 * L;
    /**
     * Multiply-adds per thread at least. A 1024 x 9216 weight (the largest, ch 64) is 9.4M, about 4 ms per product
     * on one core, worth splitting; a 64 x 576 one (40K) takes about 20 us and is not.
     */
    private static final int MIN_WORK = 256 * 1024;
    /** Elements per thread at least for the memory-bound scaling (as {@link CpuAdam}'s grain). */
    private static final int SCALE_GRAIN = 64 * 1024;

    private CpuSpectralNorm() {
    }

    /** One power iteration; shapes and semantics as in the Backend method. */
    static void powerIteration(NDArray weight, NDArray u, NDArray sv, double eps, boolean update,
                               NDArray sigma, NDArray v, NDArray uOut) {
        int rows = weight.dim(0);
        int cols = (int) (weight.size() / rows);
        if (weight.dtype() == DType.F32 && !CpuOptions.scalar()) {
            float[] w = CpuStorage.f32(weight);
            float[] vv = CpuStorage.f32(v);
            float[] uo = CpuStorage.f32(uOut);
            uTimesW(w, CpuStorage.f32(u), rows, cols, vv);
            scaleInPlace(vv, cols, 1 / Math.max(Math.sqrt(sumSquares(vv, cols)), eps));
            wTimesV(w, vv, rows, cols, uo);
            double ss = sumSquares(uo, rows);
            double norm = Math.max(Math.sqrt(ss), eps);
            scaleInPlace(uo, rows, 1 / norm);
            finish(ss / norm, u, sv, update, sigma, uOut, rows);
        } else {
            reference(weight, u, eps, rows, cols, sigma, v, uOut);
            finish(CpuStorage.of(sigma).get(0), u, sv, update, sigma, uOut, rows);
        }
    }

    /** Writes σ, and the state when training. */
    private static void finish(double s, NDArray u, NDArray sv, boolean update, NDArray sigma, NDArray uOut, int rows) {
        CpuStorage sg = CpuStorage.of(sigma);
        sg.set(0, s);
        if (update) {
            CpuStorage src = CpuStorage.of(uOut);
            CpuStorage dst = CpuStorage.of(u);
            for (int i = 0; i < rows; i++) {
                dst.set(i, src.get(i));
            }
            if (sv != null) {
                CpuStorage.of(sv).set(0, sg.get(0));
            }
        }
    }

    /** The definition in double, any floating dtype; v is rounded to the dtype before the second product. */
    private static void reference(NDArray weight, NDArray u, double eps, int rows, int cols,
                                  NDArray sigma, NDArray v, NDArray uOut) {
        CpuStorage w = CpuStorage.of(weight);
        CpuStorage us = CpuStorage.of(u);
        CpuStorage vs = CpuStorage.of(v);
        CpuStorage uo = CpuStorage.of(uOut);
        double[] acc = new double[cols];
        for (int i = 0; i < rows; i++) {
            double ui = us.get(i);
            for (int j = 0; j < cols; j++) {
                acc[j] += ui * w.get(i * cols + j);
            }
        }
        double vNorm = Math.max(Math.sqrt(sumSquares(acc, cols)), eps);
        for (int j = 0; j < cols; j++) {
            vs.set(j, acc[j] / vNorm);
        }
        double[] wv = new double[rows];
        for (int i = 0; i < rows; i++) {
            double s = 0;
            for (int j = 0; j < cols; j++) {
                s += w.get(i * cols + j) * vs.get(j);
            }
            wv[i] = s;
        }
        double ss = sumSquares(wv, rows);
        double uNorm = Math.max(Math.sqrt(ss), eps);
        for (int i = 0; i < rows; i++) {
            uo.set(i, wv[i] / uNorm);
        }
        CpuStorage.of(sigma).set(0, ss / uNorm);
    }

    /** {@code out[j] = Σ_i u[i]·w[i,j]}, by strips of columns, each summed over the rows in order. */
    private static void uTimesW(float[] w, float[] u, int rows, int cols, float[] out) {
        int strips = (cols + STRIP - 1) / STRIP;
        int grain = Math.max(1, MIN_WORK / (rows * STRIP));
        CpuPool.parallelFor(strips, grain, (s0, s1) -> {
            int end = Math.min(s1 * STRIP, cols);
            int j = s0 * STRIP;
            for (; j + STRIP <= end; j += STRIP) {
                FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
                for (int i = 0, base = j; i < rows; i++, base += cols) {
                    FloatVector ui = FloatVector.broadcast(S, u[i]);
                    a0 = FloatVector.fromArray(S, w, base).fma(ui, a0);
                    a1 = FloatVector.fromArray(S, w, base + L).fma(ui, a1);
                    a2 = FloatVector.fromArray(S, w, base + 2 * L).fma(ui, a2);
                    a3 = FloatVector.fromArray(S, w, base + 3 * L).fma(ui, a3);
                }
                a0.intoArray(out, j);
                a1.intoArray(out, j + L);
                a2.intoArray(out, j + 2 * L);
                a3.intoArray(out, j + 3 * L);
            }
            // The last, partial strip: one (possibly masked) vector at a time.
            for (; j < end; j += L) {
                VectorMask<Float> m = S.indexInRange(j, end);
                FloatVector a = FloatVector.zero(S);
                for (int i = 0, base = j; i < rows; i++, base += cols) {
                    a = FloatVector.fromArray(S, w, base, m).fma(FloatVector.broadcast(S, u[i]), a);
                }
                a.intoArray(out, j, m);
            }
        });
    }

    /** {@code out[i] = Σ_j w[i,j]·v[j]}, one row per dot product. */
    private static void wTimesV(float[] w, float[] v, int rows, int cols, float[] out) {
        int grain = Math.max(1, MIN_WORK / cols);
        CpuPool.parallelFor(rows, grain, (r0, r1) -> {
            for (int i = r0; i < r1; i++) {
                out[i] = dot(w, i * cols, v, cols);
            }
        });
    }

    /** {@code Σ_j w[off + j]·v[j]} over {@code n} elements, in four independent float accumulators. */
    private static float dot(float[] w, int off, float[] v, int n) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        int j = 0;
        for (; j + 4 * L <= n; j += 4 * L) {
            a0 = FloatVector.fromArray(S, w, off + j).fma(FloatVector.fromArray(S, v, j), a0);
            a1 = FloatVector.fromArray(S, w, off + j + L).fma(FloatVector.fromArray(S, v, j + L), a1);
            a2 = FloatVector.fromArray(S, w, off + j + 2 * L).fma(FloatVector.fromArray(S, v, j + 2 * L), a2);
            a3 = FloatVector.fromArray(S, w, off + j + 3 * L).fma(FloatVector.fromArray(S, v, j + 3 * L), a3);
        }
        for (; j < n; j += L) {
            VectorMask<Float> m = S.indexInRange(j, n);
            a0 = FloatVector.fromArray(S, w, off + j, m).fma(FloatVector.fromArray(S, v, j, m), a0);
        }
        // Not reduceLanes(ADD): its order changes with JIT compilation, and runs must reproduce (CpuReduce.foldLanes).
        return (float) CpuReduce.foldLanes(a0.add(a1).add(a2.add(a3)), new float[L]);
    }

    /** {@code Σ a[i]²} over the first {@code n} elements, in double. */
    private static double sumSquares(float[] a, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += (double) a[i] * a[i];
        }
        return s;
    }

    private static double sumSquares(double[] a, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += a[i] * a[i];
        }
        return s;
    }

    /** {@code a[i] = (float) (a[i]·factor)}, the product taken in double. */
    private static void scaleInPlace(float[] a, int n, double factor) {
        for (int i = 0; i < n; i++) {
            a[i] = (float) (a[i] * factor);
        }
    }

    /** {@code out = weight · r}, {@code r = 1/σ} rounded to the dtype; shapes as in the Backend method. */
    static void scale(NDArray weight, NDArray sigma, NDArray out) {
        int n = weight.shape().sizeAsInt();
        if (weight.dtype() == DType.F32 && !CpuOptions.scalar()) {
            float[] w = CpuStorage.f32(weight);
            float[] o = CpuStorage.f32(out);
            float r = 1f / CpuStorage.f32(sigma)[0];
            CpuPool.parallelFor(n, SCALE_GRAIN, (start, end) -> {
                FloatVector rv = FloatVector.broadcast(S, r);
                int i = start;
                for (; i + L <= end; i += L) {
                    FloatVector.fromArray(S, w, i).mul(rv).intoArray(o, i);
                }
                if (i < end) {
                    VectorMask<Float> m = S.indexInRange(i, end);
                    FloatVector.fromArray(S, w, i, m).mul(rv).intoArray(o, i, m);
                }
            });
        } else {
            CpuStorage w = CpuStorage.of(weight);
            CpuStorage o = CpuStorage.of(out);
            // Rounding r to the dtype first makes F32 here bit-identical to the Vector path: a float product is
            // exact in double before its one rounding.
            double r = weight.dtype() == DType.F32 ? 1f / (float) CpuStorage.of(sigma).get(0) : 1 / CpuStorage.of(sigma).get(0);
            CpuPool.parallelFor(n, SCALE_GRAIN, (start, end) -> {
                for (int i = start; i < end; i++) {
                    o.set(i, w.get(i) * r);
                }
            });
        }
    }
}
