package dev.unetgan.tensor.cpu;

import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.ReduceOp;
import dev.unetgan.tensor.Shape;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * CPU reductions, argmax and softmax.
 *
 * <p>Accuracy: F32 reductions (SUM, MEAN) widen each float to double and accumulate in double vectors, so a sum
 * of millions of elements is as good as a double sum rounded once (a float accumulator drifts by ~1e-4 relative at
 * that length, and even float blocks folded into double keep ~1e-6 of systematic error). Widening costs little,
 * since long reductions are memory-bound. MAX and MIN are exact in float. The softmax sums (of values in
 * {@code [0, 1]}, along one axis) run in float vectors over blocks of {@link #RUN_BLOCK} elements, each folded
 * into a double. The scalar path (F64, and F32 when {@link CpuOptions#scalar()}) accumulates in double.
 *
 * <p>Determinism: the split into blocks, work items and segments depends on the shape only, never on the thread
 * count or timing; partial results are combined in a fixed order; lane sums are stored and added in lane order
 * rather than with {@code reduceLanes(ADD)}, whose order the JIT may change (MAX/MIN use {@code reduceLanes}, being
 * exact in any order); and exp is a fixed polynomial of IEEE add/mul/fma, rather than the Vector API's EXP, whose
 * intrinsic and interpreted fallback can differ in the last bit.
 */
final class CpuReduce {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final int DL = D.length();
    /**
     * The first {@link #DL} lanes of a float vector: the floats that widen to one double vector. Widening loads them
     * with this mask rather than through a half-width float species, because a second FloatVector shape pollutes the
     * type profiles of the Vector API methods every kernel shares; C2 then sometimes failed to intrinsify the vector
     * loads of the conv B packers, which boxed every vector (about 10 GB of garbage per GAN iteration).
     */
    private static final VectorMask<Float> WIDEN_LANES = S.indexInRange(0, DL);
    /** Columns per work item in column mode: the float and double accumulator tiles stay in L1. */
    private static final int TILE = 1024;
    /** Elements of a softmax line summed in float vectors before the lanes are folded into double. */
    private static final int RUN_BLOCK = 4096;
    /** Elements per segment when a reduction with few outputs is split along the reduced rows. */
    private static final int SEGMENT = 1 << 15;
    /** Elements of work per parallel chunk, at least. */
    private static final int GRAIN = 1 << 14;

    private static final int SUM = 0;
    private static final int MAX = 1;
    private static final int MIN = 2;

    private CpuReduce() {
    }

    // ---- reduce ----

    /**
     * Reduces {@code x} over the sorted, distinct {@code axes} into {@code out}, whose shape is {@code x}'s with each
     * reduced axis set to 1. An empty reduction gives 0 for SUM and NaN for MEAN.
     */
    static void reduce(ReduceOp op, NDArray x, int[] axes, NDArray out) {
        CpuStorage ys = CpuStorage.of(out);
        if (x.size() == 0) {
            for (int o = 0; o < out.size(); o++) {
                ys.set(o, op == ReduceOp.MEAN ? Double.NaN : 0);
            }
            return;
        }
        ReducePlan plan = ReducePlan.of(x.shape(), axes);
        if (x.dtype() == DType.F32 && !CpuOptions.scalar()) {
            reduceVector(op, CpuStorage.f32(x), plan, CpuStorage.f32(out));
        } else {
            reduceScalar(op, CpuStorage.of(x), plan, ys);
        }
    }

    private static int kind(ReduceOp op) {
        return op == ReduceOp.MAX ? MAX : op == ReduceOp.MIN ? MIN : SUM;
    }

    private static double identity(int kind) {
        return kind == MAX ? Double.NEGATIVE_INFINITY : kind == MIN ? Double.POSITIVE_INFINITY : 0;
    }

    private static double combine(int kind, double a, double b) {
        return kind == SUM ? a + b : kind == MAX ? Math.max(a, b) : Math.min(a, b);
    }

    private static FloatVector combine(int kind, FloatVector a, FloatVector b) {
        return kind == SUM ? a.add(b) : kind == MAX ? a.max(b) : a.min(b);
    }

    private static double finish(ReduceOp op, double acc, long count) {
        return op == ReduceOp.MEAN ? acc / count : acc;
    }

    /** Reference path: one output at a time, in double, walking the plan's rows in order. */
    private static void reduceScalar(ReduceOp op, CpuStorage xs, ReducePlan p, CpuStorage ys) {
        int kind = kind(op);
        int inner = p.inner();
        int outSize = p.keptOff().length * inner;
        int grain = (int) Math.max(1, GRAIN / p.count());
        CpuPool.parallelFor(outSize, grain, (start, end) -> {
            for (int o = start; o < end; o++) {
                int base = p.keptOff()[o / inner] + o % inner;
                double acc = identity(kind);
                for (int q : p.redOff()) {
                    for (int i = 0; i < p.r(); i++) {
                        acc = combine(kind, acc, xs.get(base + q + i * inner));
                    }
                }
                ys.set(o, finish(op, acc, p.count()));
            }
        });
    }

    /**
     * Vector path. Work items are (kept prefix position, column tile, row segment). Rows are split into segments
     * only when there are too few outputs to keep the threads busy; segment partials then go to a double buffer and
     * are combined in segment order. The split depends on the shape alone, so the result does not depend on timing.
     */
    private static void reduceVector(ReduceOp op, float[] x, ReducePlan p, float[] y) {
        int kind = kind(op);
        int inner = p.inner();
        int rows = p.redOff().length * p.r();
        int tiles = (inner + TILE - 1) / TILE;
        int width = Math.min(inner, TILE);
        int outputs = p.keptOff().length * tiles;
        int outSize = p.keptOff().length * inner;
        int segRows = rows;
        if (outputs < 16 && (long) rows * inner * p.keptOff().length >= 4L * SEGMENT) {
            segRows = Math.max(1, SEGMENT / width);
        }
        int segLen = segRows;
        int segments = (rows + segRows - 1) / segRows;
        double[] partial = segments > 1 ? new double[segments * outSize] : null;
        int grain = (int) Math.max(1, GRAIN / ((long) segRows * width));
        CpuPool.parallelFor(outputs * segments, grain, (start, end) -> {
            float[] facc = new float[width];
            double[] dacc = new double[width];
            double[] lanes = new double[DL];
            for (int item = start; item < end; item++) {
                int seg = item % segments;
                int tile = item / segments % tiles;
                int k = item / segments / tiles;
                int c0 = tile * TILE;
                int w = Math.min(TILE, inner - c0);
                int t0 = seg * segLen;
                int t1 = Math.min(rows, t0 + segLen);
                if (inner == 1) {
                    dacc[0] = reduceRuns(kind, x, p, k, t0, t1, lanes);
                } else {
                    reduceColumns(kind, x, p, k, c0, w, t0, t1, facc, dacc);
                }
                int o = k * inner + c0;
                if (partial == null) {
                    for (int j = 0; j < w; j++) {
                        y[o + j] = (float) finish(op, dacc[j], p.count());
                    }
                } else {
                    System.arraycopy(dacc, 0, partial, seg * outSize + o, w);
                }
            }
        });
        if (partial != null) {
            for (int o = 0; o < outSize; o++) {
                double acc = partial[o];
                for (int s = 1; s < segments; s++) {
                    acc = combine(kind, acc, partial[s * outSize + o]);
                }
                y[o] = (float) finish(op, acc, p.count());
            }
        }
    }

    /**
     * {@code inner == 1}: rows {@code [t0, t1)} of output {@code k} form contiguous runs of up to {@code r}
     * elements. {@code lanes} is scratch of {@link #DL} elements.
     */
    private static double reduceRuns(int kind, float[] x, ReducePlan p, int k, int t0, int t1, double[] lanes) {
        double acc = identity(kind);
        int r = p.r();
        for (int t = t0; t < t1; ) {
            int q = t / r;
            int i = t - q * r;
            int len = Math.min(r - i, t1 - t);
            int off = p.keptOff()[k] + p.redOff()[q] + i;
            acc = kind == SUM ? acc + sumRun(x, off, len, lanes) : combine(kind, acc, extremeRun(kind, x, off, len));
            t += len;
        }
        return acc;
    }

    /** Sum of the contiguous {@code x[off, off+len)}: four double vector accumulators, lanes added in order. */
    private static double sumRun(float[] x, int off, int len, double[] lanes) {
        DoubleVector a0 = DoubleVector.zero(D);
        DoubleVector a1 = a0;
        DoubleVector a2 = a0;
        DoubleVector a3 = a0;
        int i = 0;
        for (; i + 4 * DL <= len; i += 4 * DL) {
            a0 = a0.add(widen(x, off + i));
            a1 = a1.add(widen(x, off + i + DL));
            a2 = a2.add(widen(x, off + i + 2 * DL));
            a3 = a3.add(widen(x, off + i + 3 * DL));
        }
        for (; i + DL <= len; i += DL) {
            a0 = a0.add(widen(x, off + i));
        }
        a0.add(a1).add(a2.add(a3)).intoArray(lanes, 0);
        double acc = 0;
        for (int l = 0; l < DL; l++) {
            acc += lanes[l];
        }
        for (; i < len; i++) {
            acc += x[off + i];
        }
        return acc;
    }

    /** {@link #DL} floats from {@code x[off]}, widened to doubles. */
    private static DoubleVector widen(float[] x, int off) {
        return (DoubleVector) FloatVector.fromArray(S, x, off, WIDEN_LANES).convertShape(VectorOperators.F2D, D, 0);
    }

    /** MAX or MIN of the contiguous {@code x[off, off+len)} (exact in float), with four vector accumulators. */
    private static float extremeRun(int kind, float[] x, int off, int len) {
        float id = (float) identity(kind);
        FloatVector a0 = FloatVector.broadcast(S, id);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        int i = 0;
        for (; i + 4 * L <= len; i += 4 * L) {
            a0 = extreme(kind, a0, FloatVector.fromArray(S, x, off + i));
            a1 = extreme(kind, a1, FloatVector.fromArray(S, x, off + i + L));
            a2 = extreme(kind, a2, FloatVector.fromArray(S, x, off + i + 2 * L));
            a3 = extreme(kind, a3, FloatVector.fromArray(S, x, off + i + 3 * L));
        }
        for (; i + L <= len; i += L) {
            a0 = extreme(kind, a0, FloatVector.fromArray(S, x, off + i));
        }
        // MAX and MIN are exact and commutative, so the JIT's lane order cannot change the result.
        FloatVector a = extreme(kind, extreme(kind, a0, a1), extreme(kind, a2, a3));
        float acc = a.reduceLanes(kind == MAX ? VectorOperators.MAX : VectorOperators.MIN);
        for (; i < len; i++) {
            acc = (float) combine(kind, acc, x[off + i]);
        }
        return acc;
    }

    private static FloatVector extreme(int kind, FloatVector a, FloatVector b) {
        return kind == MAX ? a.max(b) : a.min(b);
    }

    /**
     * {@code inner > 1}: reduces rows {@code [t0, t1)} of columns {@code [c0, c0+w)} of output {@code k} into
     * {@code dacc}. Sums widen each row into double accumulators; MAX/MIN stay in float ({@code facc}), being exact.
     * Rows go four at a time, so the accumulator tile is loaded and stored once per four rows.
     */
    private static void reduceColumns(int kind, float[] x, ReducePlan p, int k, int c0, int w, int t0, int t1,
                                      float[] facc, double[] dacc) {
        Arrays.fill(dacc, 0, w, 0);
        Arrays.fill(facc, 0, w, (float) identity(kind));
        int base = p.keptOff()[k] + c0;
        int t = t0;
        for (; t + 4 <= t1; t += 4) {
            int o0 = rowOffset(p, base, t);
            int o1 = rowOffset(p, base, t + 1);
            int o2 = rowOffset(p, base, t + 2);
            int o3 = rowOffset(p, base, t + 3);
            if (kind == SUM) {
                sumRows(x, o0, o1, o2, o3, dacc, w);
            } else {
                extremeRows(kind, x, o0, o1, o2, o3, facc, w);
            }
        }
        for (; t < t1; t++) {
            // Leftover rows one at a time; MAX/MIN of a row with itself is the row, so it can fill all four slots.
            int o = rowOffset(p, base, t);
            if (kind == SUM) {
                for (int j = 0; j < w; j++) {
                    dacc[j] += x[o + j];
                }
            } else {
                extremeRows(kind, x, o, o, o, o, facc, w);
            }
        }
        if (kind != SUM) {
            for (int j = 0; j < w; j++) {
                dacc[j] = facc[j];
            }
        }
    }

    private static int rowOffset(ReducePlan p, int base, int t) {
        int q = t / p.r();
        return base + p.redOff()[q] + (t - q * p.r()) * p.inner();
    }

    /** {@code acc[j] += (x[o0+j] + x[o1+j]) + (x[o2+j] + x[o3+j])} in double, for {@code j < w}. */
    private static void sumRows(float[] x, int o0, int o1, int o2, int o3, double[] acc, int w) {
        int j = 0;
        for (; j + DL <= w; j += DL) {
            DoubleVector rows = widen(x, o0 + j).add(widen(x, o1 + j)).add(widen(x, o2 + j).add(widen(x, o3 + j)));
            DoubleVector.fromArray(D, acc, j).add(rows).intoArray(acc, j);
        }
        for (; j < w; j++) {
            acc[j] += ((double) x[o0 + j] + x[o1 + j]) + ((double) x[o2 + j] + x[o3 + j]);
        }
    }

    /** {@code acc[j] = max (or min) of acc[j] and the four rows at j}, for {@code j < w}. */
    private static void extremeRows(int kind, float[] x, int o0, int o1, int o2, int o3, float[] acc, int w) {
        int j = 0;
        for (; j + L <= w; j += L) {
            FloatVector rows = extreme(kind,
                    extreme(kind, FloatVector.fromArray(S, x, o0 + j), FloatVector.fromArray(S, x, o1 + j)),
                    extreme(kind, FloatVector.fromArray(S, x, o2 + j), FloatVector.fromArray(S, x, o3 + j)));
            extreme(kind, FloatVector.fromArray(S, acc, j), rows).intoArray(acc, j);
        }
        for (; j < w; j++) {
            double rows = combine(kind, combine(kind, x[o0 + j], x[o1 + j]), combine(kind, x[o2 + j], x[o3 + j]));
            acc[j] = (float) combine(kind, acc[j], rows);
        }
    }

    // ---- argmax ----

    /**
     * Index of the maximum of {@code x} along {@code axis} into the I32 {@code out} (the keepdims shape). The first
     * index wins ties; a NaN counts as the maximum (the first NaN wins).
     */
    static void argmax(NDArray x, int axis, NDArray out) {
        Shape s = x.shape();
        int outer = (int) s.sizeOf(0, axis);
        int n = s.dim(axis);
        int inner = (int) s.sizeOf(axis + 1, s.rank());
        if (out.size() == 0) {
            return;
        }
        if (n == 0) {
            throw new IllegalArgumentException("argmax: empty axis " + axis + " of " + s);
        }
        CpuStorage xs = CpuStorage.of(x);
        int[] idx = CpuStorage.i32(out);
        float[] f = xs.f32;
        boolean vector = f != null && inner == 1 && !CpuOptions.scalar();
        int grain = Math.max(1, GRAIN / (n * inner));
        CpuPool.parallelFor(outer, grain, (start, end) -> {
            double[] best = new double[inner];
            for (int o = start; o < end; o++) {
                int base = o * n * inner;
                if (vector) {
                    idx[o] = firstIndexOf(f, base, n, extremeRun(MAX, f, base, n));
                    continue;
                }
                for (int j = 0; j < inner; j++) {
                    best[j] = xs.get(base + j);
                    idx[o * inner + j] = 0;
                }
                for (int i = 1; i < n; i++) {
                    for (int j = 0; j < inner; j++) {
                        double v = xs.get(base + i * inner + j);
                        if (v > best[j] || (Double.isNaN(v) && !Double.isNaN(best[j]))) {
                            best[j] = v;
                            idx[o * inner + j] = i;
                        }
                    }
                }
            }
        });
    }

    /** First {@code i} with {@code x[off+i]} equal to {@code m} (or NaN, when {@code m} is). */
    private static int firstIndexOf(float[] x, int off, int n, float m) {
        boolean nan = Float.isNaN(m);
        for (int i = 0; i < n; i++) {
            float v = x[off + i];
            if (v == m || (nan && Float.isNaN(v))) {
                return i;
            }
        }
        throw new IllegalStateException("argmax: maximum not found");
    }

    // ---- softmax ----

    /**
     * Softmax (or log-softmax) of {@code x} along {@code axis} into {@code out}, same shape, computed as
     * {@code exp(x - max) / sum} (or {@code (x - max) - log(sum)}) so that no exponent overflows.
     */
    static void softmax(NDArray x, int axis, boolean log, NDArray out) {
        forEachLine(x, x, out, axis, log, false);
    }

    /**
     * Gradient of {@link #softmax} from its output {@code y} and {@code gradOut} (same shape):
     * softmax {@code gradIn = y·(g − Σ g·y)}, log-softmax {@code gradIn = g − exp(y)·Σ g}, the sums along {@code axis}.
     */
    static void softmaxBackward(NDArray y, NDArray gradOut, int axis, boolean log, NDArray gradIn) {
        forEachLine(y, gradOut, gradIn, axis, log, true);
    }

    /**
     * Runs softmax forward ({@code backward} false: {@code a = x}) or backward ({@code a = y, b = gradOut}) over
     * every line along {@code axis}, viewed as {@code [outer, n, inner]}; {@code dst} receives the result.
     */
    private static void forEachLine(NDArray a, NDArray b, NDArray dst, int axis, boolean log, boolean backward) {
        Shape s = a.shape();
        int outer = (int) s.sizeOf(0, axis);
        int n = s.dim(axis);
        int inner = (int) s.sizeOf(axis + 1, s.rank());
        if (a.size() == 0) {
            return;
        }
        boolean vector = a.dtype() == DType.F32 && !CpuOptions.scalar();
        int tiles = inner == 1 ? 1 : (inner + TILE - 1) / TILE;
        int grain = (int) Math.max(1, GRAIN / ((long) n * Math.min(inner, TILE)));
        float[] av = vector ? CpuStorage.f32(a) : null;
        float[] bv = vector ? CpuStorage.f32(b) : null;
        float[] dv = vector ? CpuStorage.f32(dst) : null;
        CpuPool.parallelFor(outer * tiles, grain, (start, end) -> {
            float[] t0 = new float[Math.min(inner, TILE)];
            float[] t1 = new float[Math.min(inner, TILE)];
            float[] lanes = new float[L];
            for (int item = start; item < end; item++) {
                int o = item / tiles;
                int c0 = item % tiles * TILE;
                int off = o * n * inner + c0;
                int w = Math.min(TILE, inner - c0);
                if (!vector) {
                    lineScalar(CpuStorage.of(a), CpuStorage.of(b), CpuStorage.of(dst), off, n, inner, w, log, backward);
                } else if (inner == 1 && backward) {
                    backwardRow(av, bv, dv, off, n, log, lanes);
                } else if (inner == 1) {
                    forwardRow(av, dv, off, n, log, lanes);
                } else if (backward) {
                    backwardColumns(av, bv, dv, off, n, inner, w, log, t0);
                } else {
                    forwardColumns(av, dv, off, n, inner, w, log, t0, t1);
                }
            }
        });
    }

    /** Reference softmax forward/backward in double, one column {@code j < w} of the line at a time. */
    private static void lineScalar(CpuStorage a, CpuStorage b, CpuStorage dst, int off, int n, int inner, int w,
                                   boolean log, boolean backward) {
        for (int j = off; j < off + w; j++) {
            if (backward) {
                double sum = 0;
                for (int i = 0; i < n; i++) {
                    sum += log ? b.get(j + i * inner) : b.get(j + i * inner) * a.get(j + i * inner);
                }
                for (int i = 0; i < n; i++) {
                    int e = j + i * inner;
                    dst.set(e, log ? b.get(e) - Math.exp(a.get(e)) * sum : a.get(e) * (b.get(e) - sum));
                }
            } else {
                double max = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < n; i++) {
                    max = Math.max(max, a.get(j + i * inner));
                }
                double sum = 0;
                for (int i = 0; i < n; i++) {
                    sum += Math.exp(a.get(j + i * inner) - max);
                }
                double logSum = Math.log(sum);
                for (int i = 0; i < n; i++) {
                    double shifted = a.get(j + i * inner) - max;
                    dst.set(j + i * inner, log ? shifted - logSum : Math.exp(shifted) / sum);
                }
            }
        }
    }

    /** Softmax of the contiguous line {@code x[off, off+n)}. */
    private static void forwardRow(float[] x, float[] y, int off, int n, boolean log, float[] lanes) {
        FloatVector max = FloatVector.broadcast(S, extremeRun(MAX, x, off, n));
        double sum = 0;
        FloatVector acc = FloatVector.zero(S);
        for (int i = 0; i < n; i += L) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector e = exp(FloatVector.fromArray(S, x, off + i, m).sub(max));
            if (!log) {
                e.intoArray(y, off + i, m);
            }
            acc = acc.add(e, m);
            if ((i / L + 1) % (RUN_BLOCK / L) == 0) {
                sum += foldLanes(acc, lanes);
                acc = FloatVector.zero(S);
            }
        }
        sum += foldLanes(acc, lanes);
        FloatVector scale = FloatVector.broadcast(S, log ? (float) Math.log(sum) : (float) sum);
        for (int i = 0; i < n; i += L) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector r = log
                    ? FloatVector.fromArray(S, x, off + i, m).sub(max).sub(scale)
                    : FloatVector.fromArray(S, y, off + i, m).div(scale);
            r.intoArray(y, off + i, m);
        }
    }

    /**
     * Softmax along the strided axis of {@code w} adjacent columns: {@code x[off + i·inner + j]}, {@code i < n}.
     * {@code max} and {@code sum} are per-column scratch tiles; sums stay in float as the line is the (short) axis.
     */
    private static void forwardColumns(float[] x, float[] y, int off, int n, int inner, int w, boolean log,
                                       float[] max, float[] sum) {
        System.arraycopy(x, off, max, 0, w);
        Arrays.fill(sum, 0, w, 0f);
        for (int i = 1; i < n; i++) {
            for (int j = 0; j < w; j += L) {
                VectorMask<Float> m = S.indexInRange(j, w);
                FloatVector.fromArray(S, max, j, m).max(FloatVector.fromArray(S, x, off + i * inner + j, m))
                        .intoArray(max, j, m);
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < w; j += L) {
                VectorMask<Float> m = S.indexInRange(j, w);
                FloatVector e = exp(FloatVector.fromArray(S, x, off + i * inner + j, m).sub(FloatVector.fromArray(S, max, j, m)));
                if (!log) {
                    e.intoArray(y, off + i * inner + j, m);
                }
                FloatVector.fromArray(S, sum, j, m).add(e).intoArray(sum, j, m);
            }
        }
        if (log) {
            for (int j = 0; j < w; j++) {
                sum[j] = (float) Math.log(sum[j]);
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < w; j += L) {
                VectorMask<Float> m = S.indexInRange(j, w);
                int e = off + i * inner + j;
                FloatVector s = FloatVector.fromArray(S, sum, j, m);
                FloatVector r = log
                        ? FloatVector.fromArray(S, x, e, m).sub(FloatVector.fromArray(S, max, j, m)).sub(s)
                        : FloatVector.fromArray(S, y, e, m).div(s);
                r.intoArray(y, e, m);
            }
        }
    }

    /** Softmax backward along the contiguous line {@code [off, off+n)}. */
    private static void backwardRow(float[] y, float[] g, float[] gi, int off, int n, boolean log, float[] lanes) {
        double sum = 0;
        FloatVector acc = FloatVector.zero(S);
        for (int i = 0; i < n; i += L) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector gv = FloatVector.fromArray(S, g, off + i, m);
            acc = log ? acc.add(gv) : gv.fma(FloatVector.fromArray(S, y, off + i, m), acc);
            if ((i / L + 1) % (RUN_BLOCK / L) == 0) {
                sum += foldLanes(acc, lanes);
                acc = FloatVector.zero(S);
            }
        }
        sum += foldLanes(acc, lanes);
        FloatVector s = FloatVector.broadcast(S, (float) sum);
        for (int i = 0; i < n; i += L) {
            VectorMask<Float> m = S.indexInRange(i, n);
            backwardElement(FloatVector.fromArray(S, y, off + i, m), FloatVector.fromArray(S, g, off + i, m), s, log)
                    .intoArray(gi, off + i, m);
        }
    }

    /** Softmax backward along the strided axis of {@code w} adjacent columns; {@code sum} is a per-column scratch tile. */
    private static void backwardColumns(float[] y, float[] g, float[] gi, int off, int n, int inner, int w,
                                        boolean log, float[] sum) {
        Arrays.fill(sum, 0, w, 0f);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < w; j += L) {
                VectorMask<Float> m = S.indexInRange(j, w);
                FloatVector gv = FloatVector.fromArray(S, g, off + i * inner + j, m);
                FloatVector acc = FloatVector.fromArray(S, sum, j, m);
                (log ? acc.add(gv) : gv.fma(FloatVector.fromArray(S, y, off + i * inner + j, m), acc)).intoArray(sum, j, m);
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < w; j += L) {
                VectorMask<Float> m = S.indexInRange(j, w);
                int e = off + i * inner + j;
                backwardElement(FloatVector.fromArray(S, y, e, m), FloatVector.fromArray(S, g, e, m),
                        FloatVector.fromArray(S, sum, j, m), log).intoArray(gi, e, m);
            }
        }
    }

    private static FloatVector backwardElement(FloatVector y, FloatVector g, FloatVector sum, boolean log) {
        return log ? g.sub(exp(y).mul(sum)) : y.mul(g.sub(sum));
    }

    /**
     * Adds the lanes of {@code v} in lane order, in double; {@code lanes} is scratch of the vector's length. Every
     * floating-point lane sum goes through here, because {@code reduceLanes(ADD)} may add in a different order
     * before and after JIT compilation, which would make runs irreproducible.
     */
    static double foldLanes(FloatVector v, float[] lanes) {
        v.intoArray(lanes, 0);
        double s = 0;
        for (float f : lanes) {
            s += f;
        }
        return s;
    }

    // ---- exp ----

    private static final float LOG2E = 1.44269504f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** 1.5·2^23: adding it rounds a float of magnitude below 2^22 to an integer held in the low mantissa bits. */
    private static final float ROUND = 12582912f;
    private static final int ROUND_BITS = Float.floatToRawIntBits(ROUND);
    private static final float EXP_MIN = -87.3f;
    private static final float EXP_MAX = 88.3f;

    /**
     * {@code e^x} to about 1 ulp for {@code x <= 88.3} (larger inputs saturate near 2^127; inputs below -87.3,
     * including -inf, give 0; NaN stays NaN): {@code x = k·ln2 + r} with {@code |r| <= ln2/2}, then the degree-7
     * Taylor polynomial of {@code e^r} scaled by {@code 2^k} through the exponent bits.
     */
    static FloatVector exp(FloatVector x) {
        VectorMask<Float> under = x.lt(EXP_MIN);
        FloatVector xc = x.max(EXP_MIN).min(EXP_MAX);
        FloatVector shifted = xc.fma(LOG2E, ROUND);
        FloatVector k = shifted.sub(ROUND);
        // k·LN2_HI is exact (LN2_HI has 9 significant bits), so r loses nothing before the low part is applied.
        FloatVector r = k.fma(FloatVector.broadcast(S, -LN2_LO), xc.sub(k.mul(LN2_HI)));
        FloatVector p = r.fma(1f / 5040, 1f / 720)
                .fma(r, FloatVector.broadcast(S, 1f / 120))
                .fma(r, FloatVector.broadcast(S, 1f / 24))
                .fma(r, FloatVector.broadcast(S, 1f / 6))
                .fma(r, FloatVector.broadcast(S, 0.5f))
                .fma(r, FloatVector.broadcast(S, 1f))
                .fma(r, FloatVector.broadcast(S, 1f));
        IntVector bits = shifted.reinterpretAsInts();
        FloatVector scale = bits.sub(ROUND_BITS - 127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(scale).blend(0f, under);
    }
}
