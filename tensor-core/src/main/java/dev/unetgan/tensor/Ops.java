package dev.unetgan.tensor;

import java.util.Arrays;

/**
 * The array operations, checked and dispatched to the arrays' backend. Each method validates open-ness, device,
 * dtype and shapes (throwing {@link IllegalArgumentException} or {@link IllegalStateException} that names the op
 * and the shapes), allocates the result on the inputs' device, and calls one {@link Backend} primitive. All
 * backends implement every op here; F64 runs on the CPU only. Spatial ops (conv, pooling, batch norm) are in
 * {@link SpatialOps}.
 */
public final class Ops {
    private Ops() {
    }

    // ---- elementwise ----

    /** {@code op(x)} for ops without a parameter. */
    public static NDArray unary(UnaryOp op, NDArray x) {
        return unary(op, 0, x);
    }

    /** {@code op(x; param)}, same shape as {@code x}. */
    public static NDArray unary(UnaryOp op, double param, NDArray x) {
        Checks.floating(op.name().toLowerCase(), x);
        NDArray out = NDArray.empty(x.shape(), x.dtype(), x.device());
        x.backend().unary(op, param, x, out);
        return out;
    }

    /** {@code gradOut · op'(x; param)} given the forward output {@code y}; all the shape of {@code x}. */
    public static NDArray unaryBackward(UnaryOp op, double param, NDArray x, NDArray y, NDArray gradOut) {
        String name = op.name().toLowerCase() + "_backward";
        Checks.floating(name, x, y, gradOut);
        Checks.shape(name, "y", y, x.shape());
        Checks.shape(name, "gradOut", gradOut, x.shape());
        NDArray gradIn = NDArray.empty(x.shape(), x.dtype(), x.device());
        x.backend().unaryBackward(op, param, x, y, gradOut, gradIn);
        return gradIn;
    }

    /** {@code op(a, b)} with broadcasting. */
    public static NDArray binary(BinaryOp op, NDArray a, NDArray b) {
        String name = op.name().toLowerCase();
        Checks.floating(name, a, b);
        Shape shape = Shape.broadcast(name, a.shape(), b.shape());
        NDArray out = NDArray.empty(shape, a.dtype(), a.device());
        a.backend().binary(op, a, b, out);
        return out;
    }

    /** {@code a + b}, broadcasting. */
    public static NDArray add(NDArray a, NDArray b) {
        return binary(BinaryOp.ADD, a, b);
    }

    /** {@code a - b}, broadcasting. */
    public static NDArray sub(NDArray a, NDArray b) {
        return binary(BinaryOp.SUB, a, b);
    }

    /** {@code a · b}, broadcasting. */
    public static NDArray mul(NDArray a, NDArray b) {
        return binary(BinaryOp.MUL, a, b);
    }

    /** {@code a / b}, broadcasting. */
    public static NDArray div(NDArray a, NDArray b) {
        return binary(BinaryOp.DIV, a, b);
    }

    /**
     * The gradient of {@code op(a, b)} w.r.t. input {@code input} (0 or 1) in the broadcast shape; reduce it with
     * {@link #sumTo} to the input's shape.
     */
    public static NDArray binaryBackward(BinaryOp op, int input, NDArray a, NDArray b, NDArray gradOut) {
        String name = op.name().toLowerCase() + "_backward";
        Checks.floating(name, a, b, gradOut);
        Checks.shape(name, "gradOut", gradOut, Shape.broadcast(name, a.shape(), b.shape()));
        NDArray gradIn = NDArray.empty(gradOut.shape(), gradOut.dtype(), gradOut.device());
        a.backend().binaryBackward(op, input, a, b, gradOut, gradIn);
        return gradIn;
    }

    /** {@code op(x, a, b)} with broadcasting over all three. */
    public static NDArray ternary(TernaryOp op, NDArray x, NDArray a, NDArray b) {
        String name = op.name().toLowerCase();
        Checks.floating(name, x, a, b);
        Shape shape = Shape.broadcast(name, Shape.broadcast(name, x.shape(), a.shape()), b.shape());
        NDArray out = NDArray.empty(shape, x.dtype(), x.device());
        x.backend().ternary(op, x, a, b, out);
        return out;
    }

    /** As {@link #binaryBackward}, for input 0, 1 or 2 of a ternary op. */
    public static NDArray ternaryBackward(TernaryOp op, int input, NDArray x, NDArray a, NDArray b, NDArray gradOut) {
        String name = op.name().toLowerCase() + "_backward";
        Checks.floating(name, x, a, b, gradOut);
        Shape shape = Shape.broadcast(name, Shape.broadcast(name, x.shape(), a.shape()), b.shape());
        Checks.shape(name, "gradOut", gradOut, shape);
        NDArray gradIn = NDArray.empty(shape, x.dtype(), x.device());
        x.backend().ternaryBackward(op, input, x, a, b, gradOut, gradIn);
        return gradIn;
    }

    // ---- reductions ----

    /**
     * Reduces over {@code axes} (all axes when none are given). With {@code keepDims} the reduced dimensions stay
     * as 1; otherwise they are dropped.
     */
    public static NDArray reduce(ReduceOp op, NDArray x, boolean keepDims, int... axes) {
        String name = op.name().toLowerCase();
        Checks.floating(name, x);
        int[] ax = axes.length == 0 ? range(x.rank()) : Checks.normalizeAxes(name, x.shape(), axes);
        int[] kept = x.shape().dims();
        for (int a : ax) {
            kept[a] = 1;
        }
        if (x.rank() == 0) {
            NDArray out = NDArray.empty(x.shape(), x.dtype(), x.device());
            x.backend().copyAlongAxis(x.reshape(1), 0, out.reshape(1), 0, 0, 1);
            return out;
        }
        if (x.size() == 0 && (op == ReduceOp.MAX || op == ReduceOp.MIN)) {
            throw new IllegalArgumentException(name + ": empty array " + x.shape() + " has no " + name);
        }
        NDArray out = NDArray.empty(Shape.of(kept), x.dtype(), x.device());
        x.backend().reduce(op, x, ax, out);
        if (keepDims) {
            return out;
        }
        return squeezed(out, x.shape(), ax);
    }

    private static NDArray squeezed(NDArray out, Shape in, int[] axes) {
        int[] dims = new int[in.rank() - axes.length];
        for (int i = 0, j = 0, k = 0; i < in.rank(); i++) {
            if (k < axes.length && axes[k] == i) {
                k++;
            } else {
                dims[j++] = in.dim(i);
            }
        }
        NDArray view = out.reshape(dims);
        out.close();
        return view;
    }

    /** Sum over {@code axes} (all when none), dropping them. */
    public static NDArray sum(NDArray x, int... axes) {
        return reduce(ReduceOp.SUM, x, false, axes);
    }

    /** Mean over {@code axes} (all when none), dropping them. */
    public static NDArray mean(NDArray x, int... axes) {
        return reduce(ReduceOp.MEAN, x, false, axes);
    }

    /** Maximum over {@code axes} (all when none), dropping them. */
    public static NDArray max(NDArray x, int... axes) {
        return reduce(ReduceOp.MAX, x, false, axes);
    }

    /** Index of the maximum along {@code axis} (I32), with that axis dropped. */
    public static NDArray argmax(NDArray x, int axis) {
        Checks.floating("argmax", x);
        int a = x.shape().normalizeAxis(axis);
        if (x.dim(a) == 0) {
            throw new IllegalArgumentException("argmax: axis " + a + " of " + x.shape() + " is empty");
        }
        NDArray out = NDArray.empty(x.shape().with(a, 1), DType.I32, x.device());
        x.backend().argmax(x, a, out);
        return squeezed(out, x.shape(), new int[]{a});
    }

    /**
     * Undoes broadcasting: sums {@code x} down to {@code shape}, which must broadcast to {@code x.shape()}. Returns
     * a new array even when the shapes are equal.
     */
    public static NDArray sumTo(NDArray x, Shape shape) {
        if (!Shape.broadcast("sumTo", x.shape(), shape).equals(x.shape())) {
            throw new IllegalArgumentException("sumTo: " + x.shape() + " cannot be reduced to " + shape);
        }
        Shape padded = shape.padLeft(x.rank());
        int[] axes = java.util.stream.IntStream.range(0, x.rank())
                .filter(i -> padded.dim(i) == 1 && x.dim(i) != 1).toArray();
        if (axes.length == 0) {
            NDArray copy = copy(x);
            NDArray view = copy.reshape(shape);
            copy.close();
            return view;
        }
        NDArray reduced = reduce(ReduceOp.SUM, x, true, axes);
        NDArray view = reduced.reshape(shape);
        reduced.close();
        return view;
    }

    // ---- layout ----

    /** A copy of {@code x} on the same device. */
    public static NDArray copy(NDArray x) {
        x.checkOpen("copy");
        NDArray out = NDArray.empty(x.shape(), x.dtype(), x.device());
        if (x.size() > 0) {
            x.backend().copyAlongAxis(x.reshape(-1), 0, out.reshape(-1), 0, 0, (int) x.size());
        }
        return out;
    }

    /**
     * Overwrites the existing array {@code dst} with {@code src} (same shape, dtype and device). This is the one
     * in-place write of the engine: parameter updates and gradient accumulation use it, since every other op
     * allocates its result.
     */
    public static void copyInto(NDArray src, NDArray dst) {
        Checks.sameDeviceAndDType("copyInto", src, dst);
        Checks.shape("copyInto", "src", src, dst.shape());
        if (src.size() > 0) {
            try (NDArray s = src.reshape(-1); NDArray d = dst.reshape(-1)) {
                dst.backend().copyAlongAxis(s, 0, d, 0, 0, (int) src.size());
            }
        }
    }

    /** {@code x} converted to {@code dtype}. */
    public static NDArray cast(NDArray x, DType dtype) {
        x.checkOpen("cast");
        NDArray out = NDArray.empty(x.shape(), dtype, x.device());
        x.backend().cast(x, out);
        return out;
    }

    /** Materialized permutation of the axes: result dim {@code i} is {@code x.dim(perm[i])}. */
    public static NDArray permute(NDArray x, int... perm) {
        x.checkOpen("permute");
        if (perm.length != x.rank()) {
            throw new IllegalArgumentException("permute: " + Arrays.toString(perm) + " does not match shape " + x.shape());
        }
        boolean[] seen = new boolean[perm.length];
        int[] dims = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            int p = perm[i];
            if (p < 0 || p >= perm.length || seen[p]) {
                throw new IllegalArgumentException("permute: " + Arrays.toString(perm) + " is not a permutation for shape " + x.shape());
            }
            seen[p] = true;
            dims[i] = x.dim(p);
        }
        NDArray out = NDArray.empty(Shape.of(dims), x.dtype(), x.device());
        x.backend().permute(x, perm, out);
        return out;
    }

    /** The transpose of a 2-D array. */
    public static NDArray transpose(NDArray x) {
        Checks.rank("transpose", "x", x, 2);
        return permute(x, 1, 0);
    }

    /** {@code x[..., start:end, ...]} along {@code axis}, materialized. */
    public static NDArray slice(NDArray x, int axis, int start, int end) {
        x.checkOpen("slice");
        int a = x.shape().normalizeAxis(axis);
        if (start < 0 || end > x.dim(a) || start > end) {
            throw new IllegalArgumentException("slice: range [" + start + ", " + end + ") is out of bounds for axis "
                    + a + " of shape " + x.shape());
        }
        NDArray out = NDArray.empty(x.shape().with(a, end - start), x.dtype(), x.device());
        if (out.size() > 0) {
            x.backend().copyAlongAxis(x, start, out, 0, a, end - start);
        }
        return out;
    }

    /** Concatenation along {@code axis}; all other dimensions must agree. */
    public static NDArray concat(int axis, NDArray... parts) {
        if (parts.length == 0) {
            throw new IllegalArgumentException("concat: no arrays");
        }
        Checks.sameDeviceAndDType("concat", parts);
        NDArray first = parts[0];
        int a = first.shape().normalizeAxis(axis);
        int total = 0;
        for (NDArray p : parts) {
            if (p.rank() != first.rank() || !p.shape().with(a, 1).equals(first.shape().with(a, 1))) {
                throw new IllegalArgumentException("concat: shapes " + Checks.describe(parts) + " differ outside axis " + a);
            }
            total += p.dim(a);
        }
        NDArray out = NDArray.empty(first.shape().with(a, total), first.dtype(), first.device());
        int offset = 0;
        for (NDArray p : parts) {
            if (p.size() > 0) {
                first.backend().copyAlongAxis(p, 0, out, offset, a, p.dim(a));
            }
            offset += p.dim(a);
        }
        return out;
    }

    // ---- linear algebra ----

    /**
     * Matrix product with optional transposes. 2-D: {@code [M,K]·[K,N] -> [M,N]}. 3-D: {@code [B,M,K]·[B,K,N] ->
     * [B,M,N]}, where a batch of 1 on either side broadcasts, and a 2-D operand is treated as a batch of 1.
     */
    public static NDArray matmul(NDArray a, NDArray b, boolean transA, boolean transB) {
        Checks.floating("matmul", a, b);
        if (a.rank() < 2 || a.rank() > 3 || b.rank() < 2 || b.rank() > 3) {
            throw new IllegalArgumentException("matmul: needs 2-D or 3-D arrays, got " + a.shape() + " and " + b.shape());
        }
        int m = transA ? a.dim(-1) : a.dim(-2);
        int ka = transA ? a.dim(-2) : a.dim(-1);
        int kb = transB ? b.dim(-1) : b.dim(-2);
        int n = transB ? b.dim(-2) : b.dim(-1);
        int ba = a.rank() == 3 ? a.dim(0) : 1;
        int bb = b.rank() == 3 ? b.dim(0) : 1;
        if (ka != kb || (ba != bb && ba != 1 && bb != 1)) {
            throw new IllegalArgumentException("matmul: shapes " + a.shape() + (transA ? "ᵀ" : "") + " and "
                    + b.shape() + (transB ? "ᵀ" : "") + " do not match");
        }
        int batch = Math.max(ba, bb);
        boolean batched = a.rank() == 3 || b.rank() == 3;
        NDArray out = NDArray.empty(batched ? Shape.of(batch, m, n) : Shape.of(m, n), a.dtype(), a.device());
        try (NDArray a3 = a.reshape(ba, a.dim(-2), a.dim(-1));
             NDArray b3 = b.reshape(bb, b.dim(-2), b.dim(-1));
             NDArray o3 = out.reshape(batch, m, n)) {
            a.backend().matmul(a3, transA, b3, transB, o3);
        }
        return out;
    }

    /** {@code a · b}. */
    public static NDArray matmul(NDArray a, NDArray b) {
        return matmul(a, b, false, false);
    }

    // ---- softmax ----

    /** Softmax along {@code axis}. A line that is entirely {@code -inf} gives NaN, as in PyTorch. */
    public static NDArray softmax(NDArray x, int axis) {
        return softmax(x, axis, false);
    }

    /** Log-softmax along {@code axis}. */
    public static NDArray logSoftmax(NDArray x, int axis) {
        return softmax(x, axis, true);
    }

    private static NDArray softmax(NDArray x, int axis, boolean log) {
        String name = log ? "log_softmax" : "softmax";
        Checks.floating(name, x);
        int a = x.shape().normalizeAxis(axis);
        NDArray out = NDArray.empty(x.shape(), x.dtype(), x.device());
        x.backend().softmax(x, a, log, out);
        return out;
    }

    /** Gradient of softmax ({@code log} false) or log-softmax ({@code log} true), from its output {@code y}. */
    public static NDArray softmaxBackward(NDArray y, NDArray gradOut, int axis, boolean log) {
        String name = log ? "log_softmax_backward" : "softmax_backward";
        Checks.floating(name, y, gradOut);
        Checks.shape(name, "gradOut", gradOut, y.shape());
        int a = y.shape().normalizeAxis(axis);
        NDArray gradIn = NDArray.empty(y.shape(), y.dtype(), y.device());
        y.backend().softmaxBackward(y, gradOut, a, log, gradIn);
        return gradIn;
    }

    // ---- indexing ----

    /** Row gather: {@code table [V,D]}, {@code indices} I32 {@code [N]} in {@code [0,V)}, result {@code [N,D]}. */
    public static NDArray gather(NDArray table, NDArray indices) {
        Checks.floating("gather", table);
        checkIndices("gather", table, indices);
        NDArray out = NDArray.empty(Shape.of(indices.dim(0), table.dim(1)), table.dtype(), table.device());
        table.backend().gather(table, indices, out);
        return out;
    }

    /** Row scatter-add into {@code table} ({@code +=}): {@code table[indices[i]] += src[i]}. */
    public static void scatterAdd(NDArray src, NDArray indices, NDArray table) {
        Checks.floating("scatter_add", src, table);
        checkIndices("scatter_add", table, indices);
        Checks.shape("scatter_add", "src", src, Shape.of(indices.dim(0), table.dim(1)));
        table.backend().scatterAdd(src, indices, table);
    }

    private static void checkIndices(String op, NDArray table, NDArray indices) {
        Checks.rank(op, "table", table, 2);
        Checks.dtype(op, "indices", indices, DType.I32);
        Checks.rank(op, "indices", indices, 1);
        if (!indices.device().equals(table.device())) {
            throw new IllegalArgumentException(op + ": arrays on different devices: " + Checks.describe(table, indices));
        }
        for (int i : indices.toIntArray()) {
            if (i < 0 || i >= table.dim(0)) {
                throw new IllegalArgumentException(op + ": index " + i + " is out of range for table " + table.shape());
            }
        }
    }

    static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) r[i] = i;
        return r;
    }
}
