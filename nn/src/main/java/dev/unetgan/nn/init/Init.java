package dev.unetgan.nn.init;

import dev.unetgan.autograd.Tensor;
import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.Device;
import dev.unetgan.tensor.Generator;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Ops;
import dev.unetgan.tensor.Scope;
import dev.unetgan.tensor.Shape;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Weight initialization schemes, as {@code torch.nn.init}. Each overwrites an existing array in place (the
 * {@code Tensor} overloads write the parameter's value) and draws from a {@link Generator}, so runs reproduce.
 * Fans follow PyTorch: for a weight {@code [out, in, k...]}, {@code fanIn = in·Πk} and {@code fanOut = out·Πk}.
 */
public final class Init {
    private Init() {
    }

    /** Fills {@code a} with {@code N(mean, std²)} samples. */
    public static void normal(NDArray a, double mean, double std, Generator gen) {
        try (Scope scope = Scope.open()) {
            Ops.copyInto(gen.normal(a.shape(), a.dtype(), a.device(), mean, std), a);
        }
    }

    /** Fills {@code a} with samples uniform on {@code [low, high)}. */
    public static void uniform(NDArray a, double low, double high, Generator gen) {
        try (Scope scope = Scope.open()) {
            Ops.copyInto(gen.uniform(a.shape(), a.dtype(), a.device(), low, high), a);
        }
    }

    /** Fills {@code a} with {@code value}. */
    public static void constant(NDArray a, double value) {
        try (Scope scope = Scope.open()) {
            Ops.copyInto(NDArray.full(a.shape(), a.dtype(), a.device(), value), a);
        }
    }

    /** Glorot/Xavier uniform: {@code U(-b, b)} with {@code b = gain·sqrt(6 / (fanIn + fanOut))}; rank ≥ 2. */
    public static void xavierUniform(NDArray a, double gain, Generator gen) {
        double bound = gain * Math.sqrt(6.0 / (fanIn(a.shape()) + fanOut(a.shape())));
        uniform(a, -bound, bound, gen);
    }

    /**
     * He/Kaiming uniform for a leaky-ReLU slope {@code a} (fan-in mode): {@code U(-b, b)} with
     * {@code b = sqrt(3)·sqrt(2/(1+a²))/sqrt(fanIn)}.
     */
    public static void kaimingUniform(NDArray w, double a, Generator gen) {
        double gain = Math.sqrt(2.0 / (1 + a * a));
        double bound = Math.sqrt(3.0) * gain / Math.sqrt(fanIn(w.shape()));
        uniform(w, -bound, bound, gen);
    }

    /**
     * PyTorch's default init of {@code nn.Linear} and {@code nn.Conv2d}: {@code kaimingUniform(weight, sqrt(5))},
     * which is {@code U(-1/sqrt(fanIn), 1/sqrt(fanIn))}, and the bias (if not null) uniform with the same bound.
     */
    public static void defaultLayerInit(NDArray weight, NDArray bias, Generator gen) {
        kaimingUniform(weight, Math.sqrt(5), gen);
        if (bias != null) {
            long fanIn = fanIn(weight.shape());
            double bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
            uniform(bias, -bound, bound, gen);
        }
    }

    /**
     * As {@code torch.nn.init.orthogonal_}: views {@code a} as {@code [rows, cols]} ({@code rows = dim 0}), draws a
     * standard normal matrix of that shape, transposes it if {@code rows < cols}, takes its QR decomposition
     * (Householder, in double precision on the host), multiplies each column of Q by the sign of R's diagonal
     * (which makes the result unique: it is the Q whose R has a positive diagonal), transposes back and scales by
     * {@code gain}. The rows (if {@code rows <= cols}) or the columns are then orthonormal, times {@code gain}.
     */
    public static void orthogonal(NDArray a, double gain, Generator gen) {
        if (a.rank() < 2) {
            throw new IllegalArgumentException("orthogonal: needs at least 2 dimensions, got " + a.shape());
        }
        int rows = a.dim(0);
        int cols = (int) (a.size() / rows);
        double[] drawn;
        // Drawn in F64 on the CPU so that the numbers do not depend on the target's dtype or device.
        try (NDArray normal = gen.normal(Shape.of(rows, cols), DType.F64, Device.CPU, 0, 1)) {
            drawn = normal.toDoubleArray();
        }
        double[] q = orthogonalize(drawn, rows, cols);
        for (int i = 0; i < q.length; i++) {
            q[i] *= gain;
        }
        try (Scope scope = Scope.open()) {
            // Cast on the host: F64 exists only on the CPU backend.
            NDArray host = Ops.cast(NDArray.of(q, Shape.of(rows, cols), Device.CPU), a.dtype());
            Ops.copyInto(host.reshape(a.shape()).to(a.device()), a);
        }
    }

    /**
     * The orthogonal factor of {@code m [rows, cols]} (row-major) with torch's conventions: the Q of
     * {@code m} (or of {@code mᵀ} when {@code rows < cols}, transposed back), with columns signed so that R's
     * diagonal is positive. Result {@code [rows, cols]}, row-major.
     */
    static double[] orthogonalize(double[] m, int rows, int cols) {
        boolean wide = rows < cols;
        int tall = Math.max(rows, cols);
        int narrow = Math.min(rows, cols);
        // The [tall, narrow] matrix is held as its columns, each contiguous, so that every Householder dot product
        // and update streams through memory (a row-major walk down columns made a 512x4608 init take 35 s).
        double[][] columns = new double[narrow][];
        for (int j = 0; j < narrow; j++) {
            if (wide) {
                columns[j] = Arrays.copyOfRange(m, j * cols, (j + 1) * cols);   // row j of m
            } else {
                double[] c = new double[tall];
                for (int i = 0; i < tall; i++) c[i] = m[i * cols + j];
                columns[j] = c;
            }
        }
        double[][] q = householderQ(columns, tall, narrow);
        double[] out = new double[rows * cols];
        for (int j = 0; j < narrow; j++) {
            if (wide) {
                System.arraycopy(q[j], 0, out, j * cols, cols);
            } else {
                for (int i = 0; i < tall; i++) out[i * cols + j] = q[j][i];
            }
        }
        return out;
    }

    /**
     * Householder QR of {@code a}, given as its {@code n} columns of length {@code m} ({@code m >= n}; overwritten
     * with R). Returns the reduced Q as its {@code n} columns, each multiplied by {@code sign(R[j][j])}.
     */
    private static double[][] householderQ(double[][] a, int m, int n) {
        double[][] vs = new double[n][];
        double[] rDiag = new double[n];
        for (int j = 0; j < n; j++) {
            double[] aj = a[j];
            double norm = Math.sqrt(dot(aj, j, aj, j, m - j));
            // Reflect column j onto -sign(a_jj)·|x|·e_j, the choice that avoids cancellation (as LAPACK does).
            double alpha = aj[j] >= 0 ? -norm : norm;
            double[] v = Arrays.copyOfRange(aj, j, m);
            v[0] -= alpha;
            double vv = dot(v, 0, v, 0, v.length);
            if (vv > 0) {
                reflectColumns(v, vv, a, j, j, n);
            }
            vs[j] = vv > 0 ? v : null;
            rDiag[j] = aj[j];
        }
        // Q = H_0 H_1 ... H_{n-1} applied to the first n columns of the identity, last reflector first. Reflector j
        // leaves e_c for c < j untouched (it is zero from row j on), so only columns j.. are updated.
        double[][] q = new double[n][m];
        for (int j = 0; j < n; j++) q[j][j] = 1;
        for (int j = n - 1; j >= 0; j--) {
            if (vs[j] != null) {
                reflectColumns(vs[j], dot(vs[j], 0, vs[j], 0, vs[j].length), q, j, j, n);
            }
        }
        for (int j = 0; j < n; j++) {
            double sign = Math.signum(rDiag[j]);
            for (int i = 0; i < m; i++) q[j][i] *= sign;
        }
        return q;
    }

    /** {@code x[c][row0:] -= 2·v·(vᵀ·x[c][row0:]) / (vᵀv)} for columns {@code c} in {@code [c0, n)}, in parallel. */
    private static void reflectColumns(double[] v, double vv, double[][] x, int row0, int c0, int n) {
        IntStream.range(c0, n).parallel().forEach(c -> {
            double f = 2 * dot(v, 0, x[c], row0, v.length) / vv;
            axpy(-f, v, x[c], row0, v.length);
        });
    }

    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;

    /** {@code Σ a[ao+i]·b[bo+i]} for {@code i < len}. */
    private static double dot(double[] a, int ao, double[] b, int bo, int len) {
        var acc = DoubleVector.zero(D);
        int i = 0;
        for (; i <= len - D.length(); i += D.length()) {
            acc = DoubleVector.fromArray(D, a, ao + i)
                    .fma(DoubleVector.fromArray(D, b, bo + i), acc);
        }
        double[] lanes = acc.toArray();
        double s = 0;
        for (double l : lanes) s += l;   // lane order fixed: the init must be reproducible
        for (; i < len; i++) s += a[ao + i] * b[bo + i];
        return s;
    }

    /** {@code y[yo+i] += alpha·x[i]} for {@code i < len}. */
    private static void axpy(double alpha, double[] x, double[] y, int yo, int len) {
        int i = 0;
        for (; i <= len - D.length(); i += D.length()) {
            DoubleVector.fromArray(D, x, i)
                    .fma(DoubleVector.broadcast(D, alpha), DoubleVector.fromArray(D, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < len; i++) y[yo + i] += alpha * x[i];
    }

    /** {@code in·Πk} of a weight {@code [out, in, k...]}. */
    public static long fanIn(Shape s) {
        requireFans(s);
        return s.dim(1) * receptiveField(s);
    }

    /** {@code out·Πk} of a weight {@code [out, in, k...]}. */
    public static long fanOut(Shape s) {
        requireFans(s);
        return s.dim(0) * receptiveField(s);
    }

    private static long receptiveField(Shape s) {
        return s.sizeOf(2, s.rank());
    }

    private static void requireFans(Shape s) {
        if (s.rank() < 2) {
            throw new IllegalArgumentException("fan in/out: needs at least 2 dimensions, got " + s);
        }
    }

    // ---- Tensor overloads (write the parameter's value) ----

    /** {@link #normal(NDArray, double, double, Generator)} on a parameter's value. */
    public static void normal(Tensor t, double mean, double std, Generator gen) {
        normal(t.value(), mean, std, gen);
    }

    /** {@link #uniform(NDArray, double, double, Generator)} on a parameter's value. */
    public static void uniform(Tensor t, double low, double high, Generator gen) {
        uniform(t.value(), low, high, gen);
    }

    /** {@link #xavierUniform(NDArray, double, Generator)} on a parameter's value. */
    public static void xavierUniform(Tensor t, double gain, Generator gen) {
        xavierUniform(t.value(), gain, gen);
    }

    /** {@link #orthogonal(NDArray, double, Generator)} on a parameter's value. */
    public static void orthogonal(Tensor t, double gain, Generator gen) {
        orthogonal(t.value(), gain, gen);
    }

    /** {@link #constant(NDArray, double)} on a parameter's value. */
    public static void constant(Tensor t, double value) {
        constant(t.value(), value);
    }
}
