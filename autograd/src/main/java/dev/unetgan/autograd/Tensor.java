package dev.unetgan.autograd;

import dev.unetgan.autograd.functions.BatchNorm;
import dev.unetgan.autograd.functions.Binary;
import dev.unetgan.autograd.functions.Concat;
import dev.unetgan.autograd.functions.Conv2d;
import dev.unetgan.autograd.functions.Gather;
import dev.unetgan.autograd.functions.MatMul;
import dev.unetgan.autograd.functions.Permute;
import dev.unetgan.autograd.functions.Pool2d;
import dev.unetgan.autograd.functions.Reduce;
import dev.unetgan.autograd.functions.Reshape;
import dev.unetgan.autograd.functions.Slice;
import dev.unetgan.autograd.functions.Softmax;
import dev.unetgan.autograd.functions.Ternary;
import dev.unetgan.autograd.functions.Unary;
import dev.unetgan.autograd.functions.UpsampleNearest2d;
import dev.unetgan.tensor.BinaryOp;
import dev.unetgan.tensor.Conv2dSpec;
import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.Device;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Ops;
import dev.unetgan.tensor.Pool2dSpec;
import dev.unetgan.tensor.PoolMode;
import dev.unetgan.tensor.ReduceOp;
import dev.unetgan.tensor.Scope;
import dev.unetgan.tensor.Shape;
import dev.unetgan.tensor.TernaryOp;
import dev.unetgan.tensor.UnaryOp;

import java.util.function.BiConsumer;

/**
 * A differentiable array: an {@link NDArray} value, and, for tensors that require grad, either the graph
 * {@link Node} that made it (results of ops) or an accumulated gradient (leaves, i.e. parameters). Ops are instance
 * methods; each runs one {@link Function} and records a node when grad mode is on ({@link NoGrad}) and an input
 * requires grad. {@link #backward()} differentiates a one-element result and adds ({@code +=}) into the gradients
 * of the leaves it reaches, until {@link #zeroGrad()}.
 *
 * <h2>Memory</h2>
 * Tensors own nothing by themselves; their arrays follow tensor-core's {@link Scope} rules:
 * <ul>
 * <li>Every array an op makes (the result value, arrays saved for backward, the gradients flowing through
 *     backward) is made on the current thread and so belongs to the innermost open {@code Scope}. Run the forward
 *     <em>and</em> the backward of a training step inside one scope: the backward needs the saved arrays, and
 *     everything is freed when the step's scope closes. Saved arrays and intermediate gradients are also closed
 *     eagerly, as soon as backward has used them.</li>
 * <li>A leaf that requires grad ({@link #parameter}) gets its gradient array when it is made, next to its value,
 *     and in the same scope (normally none: parameters are made outside any step). Backward copies or adds into
 *     that array in place and never replaces it, so gradients survive the step's scope and live exactly as long as
 *     the parameter. {@link #close()} frees both. To take a leaf out of a scope, use {@link #keepIn(Scope)}.</li>
 * <li>{@link #detach()} and {@link #of} share the given array; they do not copy.</li>
 * </ul>
 *
 * <p>Shapes in the Javadoc use {@code [N,C,H,W]} for images. Every op runs on any backend that implements the
 * underlying {@link Ops}/{@code SpatialOps} primitive (all of them do); wrong shapes, dtypes or devices and closed
 * arrays throw {@link IllegalArgumentException} / {@link IllegalStateException} naming the op and the shapes.
 */
public final class Tensor implements AutoCloseable {
    private final NDArray value;
    private final Node node;
    private boolean requiresGrad;
    private final NDArray grad;
    private boolean gradDefined;

    private Tensor(NDArray value, Node node, boolean requiresGrad, NDArray grad) {
        this.value = value;
        this.node = node;
        this.requiresGrad = requiresGrad;
        this.grad = grad;
    }

    // ---- construction ----

    /** A constant (no gradient) wrapping {@code value}, which is shared, not copied. */
    public static Tensor of(NDArray value) {
        value.checkOpen("Tensor.of");
        return new Tensor(value, null, false, null);
    }

    /**
     * A leaf that requires grad (a parameter), wrapping {@code value}. Its gradient array (same shape, dtype and
     * device) is allocated now, in the current scope, and filled by backward.
     */
    public static Tensor parameter(NDArray value) {
        value.checkOpen("Tensor.parameter");
        if (!value.dtype().isFloating()) {
            throw new IllegalArgumentException("Tensor.parameter: needs a floating dtype, got " + value.dtype()
                    + " " + value.shape());
        }
        return new Tensor(value, null, true, NDArray.empty(value.shape(), value.dtype(), value.device()));
    }

    static Tensor ofNode(NDArray value, Node node) {
        return new Tensor(value, node, true, null);
    }

    // ---- accessors ----

    /** The value. */
    public NDArray value() {
        return value;
    }

    public Shape shape() {
        return value.shape();
    }

    public DType dtype() {
        return value.dtype();
    }

    public Device device() {
        return value.device();
    }

    /** Dimension {@code axis} (negative counts from the end). */
    public int dim(int axis) {
        return value.dim(axis);
    }

    public int rank() {
        return value.rank();
    }

    /**
     * Whether gradients flow into this tensor: a parameter that is not frozen, or the result of an op on one (with
     * grad mode on).
     */
    public boolean requiresGrad() {
        return requiresGrad;
    }

    /**
     * Freezes ({@code false}) or unfreezes a parameter, as torch's {@code requires_grad_}: ops on a frozen parameter
     * record no edge to it, so backward skips its gradient (a conv's filter gradient, say) while still flowing into
     * the other inputs. A GAN's G step freezes D this way. Graphs recorded earlier keep the setting they saw.
     *
     * @throws IllegalStateException for a tensor that is not a parameter (use {@link #detach()} there)
     */
    public Tensor requiresGrad(boolean on) {
        if (!isParameter()) {
            throw new IllegalStateException("requiresGrad(" + on + "): " + this + " is not a parameter; only a"
                    + " parameter can be frozen (detach() cuts any other tensor off the graph)");
        }
        requiresGrad = on;
        return this;
    }

    /** Whether this is a parameter: a leaf made by {@link #parameter}, with a gradient array, frozen or not. */
    public boolean isParameter() {
        return grad != null;
    }

    /** Whether this tensor was made directly rather than by a recorded op. */
    public boolean isLeaf() {
        return node == null;
    }

    /** The node that made this tensor, or null for leaves. */
    public Node node() {
        return node;
    }

    /**
     * The accumulated gradient of a leaf, the shape of {@link #value()}; null when no backward has reached it
     * since it was made or since {@link #zeroGrad()}, and always null for non-leaves. The array is owned by
     * this tensor and updated in place by later backward passes.
     */
    public NDArray grad() {
        return gradDefined ? grad : null;
    }

    /** Forgets the accumulated gradient; the next backward writes it afresh. */
    public void zeroGrad() {
        gradDefined = false;
    }

    /** The single element of a one-element tensor. */
    public double item() {
        return value.item();
    }

    /** A constant sharing this tensor's value, cut off from the graph. */
    public Tensor detach() {
        return of(value);
    }

    /** Moves this tensor's value and gradient out of {@code scope} to its enclosing scope (or to the caller). */
    public Tensor keepIn(Scope scope) {
        scope.keep(value);
        if (grad != null) {
            scope.keep(grad);
        }
        return this;
    }

    /** Closes the value and, for a parameter, the gradient. */
    @Override
    public void close() {
        value.close();
        if (grad != null) {
            grad.close();
        }
    }

    // ---- backward ----

    /** Back-propagates from this one-element tensor (the loss), seeding its gradient with 1. */
    public void backward() {
        requireGrad();
        if (value.size() != 1) {
            throw new IllegalArgumentException("backward: implicit gradient needs a one-element tensor, got "
                    + value.shape() + "; pass gradOut");
        }
        try (NDArray seed = NDArray.full(value.shape(), value.dtype(), value.device(), 1)) {
            Backward.run(this, seed);
        }
    }

    /** Back-propagates {@code gradOut} (the shape of this tensor, same dtype and device) through the graph. */
    public void backward(NDArray gradOut) {
        gradOut.checkOpen("backward");
        requireGrad();
        if (!gradOut.shape().equals(value.shape()) || gradOut.dtype() != value.dtype()
                || !gradOut.device().equals(value.device())) {
            throw new IllegalArgumentException("backward: gradOut " + gradOut.shape() + " " + gradOut.dtype() + " on "
                    + gradOut.device() + " does not match tensor " + value.shape() + " " + value.dtype() + " on "
                    + value.device());
        }
        Backward.run(this, gradOut);
    }

    private void requireGrad() {
        if (!requiresGrad) {
            throw new IllegalStateException("backward: tensor " + value.shape() + " does not require grad (no "
                    + "parameter reaches it, or it was computed under NoGrad)");
        }
    }

    /** {@code grad += g} for a leaf; copies on the first accumulation. */
    void accumulateGrad(NDArray g) {
        if (grad == null) {
            return;
        }
        grad.checkOpen("accumulate gradient");
        if (!gradDefined) {
            Ops.copyInto(g, grad);
            gradDefined = true;
        } else {
            try (NDArray sum = Ops.add(grad, g)) {
                Ops.copyInto(sum, grad);
            }
        }
    }

    // ---- elementwise ----

    /** {@code op(this; param)}, elementwise, same shape. */
    public Tensor unary(UnaryOp op, double param) {
        return new Unary(op, param).apply(this);
    }

    /** {@code op(this, other)} with NumPy broadcasting; the result has the broadcast shape. */
    public Tensor binary(BinaryOp op, Tensor other) {
        return new Binary(op).apply(this, other);
    }

    /** {@code op(x, a, b)} with broadcasting over all three; the result has the broadcast shape. */
    public static Tensor ternary(TernaryOp op, Tensor x, Tensor a, Tensor b) {
        return new Ternary(op).apply(x, a, b);
    }

    /** {@code this + other}, broadcasting. */
    public Tensor add(Tensor other) {
        return binary(BinaryOp.ADD, other);
    }

    /** {@code this - other}, broadcasting. */
    public Tensor sub(Tensor other) {
        return binary(BinaryOp.SUB, other);
    }

    /** {@code this · other}, elementwise, broadcasting. */
    public Tensor mul(Tensor other) {
        return binary(BinaryOp.MUL, other);
    }

    /** {@code this / other}, broadcasting. */
    public Tensor div(Tensor other) {
        return binary(BinaryOp.DIV, other);
    }

    /** {@code this ^ exponent}, broadcasting; needs {@code this > 0} for the exponent's gradient. */
    public Tensor pow(Tensor exponent) {
        return binary(BinaryOp.POW, exponent);
    }

    /** Elementwise maximum, broadcasting; ties split the gradient equally. */
    public Tensor maximum(Tensor other) {
        return binary(BinaryOp.MAX, other);
    }

    /** Elementwise minimum, broadcasting; ties split the gradient equally. */
    public Tensor minimum(Tensor other) {
        return binary(BinaryOp.MIN, other);
    }

    /** {@code 1} where {@code this > other}, else 0; no gradient. */
    public Tensor gt(Tensor other) {
        return binary(BinaryOp.GT, other);
    }

    /** {@code 1} where {@code this < other}, else 0; no gradient. */
    public Tensor lt(Tensor other) {
        return binary(BinaryOp.LT, other);
    }

    /** {@code 1} where {@code this == other}, else 0; no gradient. */
    public Tensor eq(Tensor other) {
        return binary(BinaryOp.EQ, other);
    }

    /** {@code this + c}. */
    public Tensor add(double c) {
        return unary(UnaryOp.ADD_SCALAR, c);
    }

    /** {@code this - c}. */
    public Tensor sub(double c) {
        return unary(UnaryOp.ADD_SCALAR, -c);
    }

    /** {@code this · c}. */
    public Tensor mul(double c) {
        return unary(UnaryOp.MUL_SCALAR, c);
    }

    /** {@code this / c}. */
    public Tensor div(double c) {
        return unary(UnaryOp.MUL_SCALAR, 1 / c);
    }

    /** {@code this ^ p}. */
    public Tensor pow(double p) {
        return unary(UnaryOp.POW_SCALAR, p);
    }

    public Tensor neg() {
        return unary(UnaryOp.NEG, 0);
    }

    public Tensor abs() {
        return unary(UnaryOp.ABS, 0);
    }

    /** Sign of each element; zero gradient. */
    public Tensor sign() {
        return unary(UnaryOp.SIGN, 0);
    }

    public Tensor square() {
        return unary(UnaryOp.SQUARE, 0);
    }

    public Tensor sqrt() {
        return unary(UnaryOp.SQRT, 0);
    }

    /** {@code 1/sqrt(this)}. */
    public Tensor rsqrt() {
        return unary(UnaryOp.RSQRT, 0);
    }

    public Tensor reciprocal() {
        return unary(UnaryOp.RECIPROCAL, 0);
    }

    public Tensor exp() {
        return unary(UnaryOp.EXP, 0);
    }

    public Tensor log() {
        return unary(UnaryOp.LOG, 0);
    }

    /** {@code max(x, 0)}; {@code relu'(0) = 0}. */
    public Tensor relu() {
        return unary(UnaryOp.RELU, 0);
    }

    /** {@code x > 0 ? x : slope·x}; the derivative at 0 is {@code slope}. */
    public Tensor leakyRelu(double slope) {
        return unary(UnaryOp.LEAKY_RELU, slope);
    }

    public Tensor tanh() {
        return unary(UnaryOp.TANH, 0);
    }

    public Tensor sigmoid() {
        return unary(UnaryOp.SIGMOID, 0);
    }

    /** {@code log(1 + e^x)}. */
    public Tensor softplus() {
        return unary(UnaryOp.SOFTPLUS, 0);
    }

    /** {@code cond != 0 ? a : b}, broadcasting; no gradient flows to {@code cond}. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        return ternary(TernaryOp.WHERE, cond, a, b);
    }

    /** {@code mask·a + (1-mask)·b}, broadcasting (the CutMix blend). */
    public static Tensor blend(Tensor mask, Tensor a, Tensor b) {
        return ternary(TernaryOp.BLEND, mask, a, b);
    }

    /** {@code this·a + b}, broadcasting, in one pass. */
    public Tensor mulAdd(Tensor a, Tensor b) {
        return ternary(TernaryOp.MUL_ADD, this, a, b);
    }

    // ---- reductions ----

    /** Reduces over {@code axes} (all when none); with {@code keepDims} the reduced dimensions stay as 1. */
    public Tensor reduce(ReduceOp op, boolean keepDims, int... axes) {
        return new Reduce(op, keepDims, axes).apply(this);
    }

    /** Sum over {@code axes} (all when none), dropping them. */
    public Tensor sum(int... axes) {
        return reduce(ReduceOp.SUM, false, axes);
    }

    /** Mean over {@code axes} (all when none), dropping them. */
    public Tensor mean(int... axes) {
        return reduce(ReduceOp.MEAN, false, axes);
    }

    /** Maximum over {@code axes} (all when none), dropping them; tied maxima share the gradient equally. */
    public Tensor max(int... axes) {
        return reduce(ReduceOp.MAX, false, axes);
    }

    /** Minimum over {@code axes} (all when none), dropping them; tied minima share the gradient equally. */
    public Tensor min(int... axes) {
        return reduce(ReduceOp.MIN, false, axes);
    }

    // ---- layout ----

    /** The same elements in another shape of equal size (one dimension may be -1); shares storage. */
    public Tensor reshape(int... dims) {
        return new Reshape(dims).apply(this);
    }

    /** Permutation of the axes, materialized: result dim {@code i} is {@code this.dim(perm[i])}. */
    public Tensor permute(int... perm) {
        return new Permute(perm).apply(this);
    }

    /** The transpose of a 2-D tensor. */
    public Tensor transpose() {
        if (rank() != 2) {
            throw new IllegalArgumentException("transpose: needs a 2-D tensor, got " + shape());
        }
        return permute(1, 0);
    }

    /** {@code this[..., start:end, ...]} along {@code axis}, materialized. */
    public Tensor slice(int axis, int start, int end) {
        return new Slice(axis, start, end).apply(this);
    }

    /** Concatenation along {@code axis}; all other dimensions must agree. */
    public static Tensor concat(int axis, Tensor... parts) {
        return new Concat(axis).apply(parts);
    }

    // ---- linear algebra, images ----

    /** {@code this · other}: {@code [M,K]·[K,N] -> [M,N]}, or batched {@code [B,M,K]·[B,K,N] -> [B,M,N]}. */
    public Tensor matmul(Tensor other) {
        return matmul(other, false, false);
    }

    /**
     * Matrix product with optional transposes of the last two dimensions of either operand; 2-D or 3-D, and a
     * batch of 1 (or a 2-D operand) broadcasts over the other's batch.
     */
    public Tensor matmul(Tensor other, boolean transA, boolean transB) {
        return new MatMul(transA, transB).apply(this, other);
    }

    /**
     * 2-D convolution (cross-correlation): {@code this [N,C,H,W]}, {@code weight [K,C,R,S]}, {@code bias [K]} or
     * null; result {@code [N,K,P,Q]} as given by {@code spec}.
     */
    public Tensor conv2d(Tensor weight, Tensor bias, Conv2dSpec spec) {
        Conv2d f = new Conv2d(spec, bias != null);
        return bias == null ? f.apply(this, weight) : f.apply(this, weight, bias);
    }

    /** Average pooling {@code [N,C,H,W] -> [N,C,P,Q]}; padding counts as zeros. */
    public Tensor avgPool2d(Pool2dSpec spec) {
        return new Pool2d(PoolMode.AVG, spec).apply(this);
    }

    /** Max pooling {@code [N,C,H,W] -> [N,C,P,Q]}; the gradient goes to the (first) maximum of each window. */
    public Tensor maxPool2d(Pool2dSpec spec) {
        return new Pool2d(PoolMode.MAX, spec).apply(this);
    }

    /** Nearest upsampling {@code [N,C,H,W] -> [N,C,H·f,W·f]}. */
    public Tensor upsampleNearest2d(int factor) {
        return new UpsampleNearest2d(factor).apply(this);
    }

    /**
     * Training-mode batch norm of {@code this [N,C,H,W]} with the batch's own statistics:
     * {@code (x - mean) / sqrt(var + eps) · gamma + beta}, {@code gamma}/{@code beta} {@code [C]} or null.
     *
     * @param batchStats if not null, receives the batch {@code mean [C]} and biased {@code var [C]} during the
     *                   call (to update running statistics); the arrays are valid only during the callback
     */
    public Tensor batchNorm(Tensor gamma, Tensor beta, double eps, BiConsumer<NDArray, NDArray> batchStats) {
        BatchNorm f = new BatchNorm(eps, gamma != null, beta != null, batchStats);
        if (gamma != null && beta != null) return f.apply(this, gamma, beta);
        if (gamma != null) return f.apply(this, gamma);
        if (beta != null) return f.apply(this, beta);
        return f.apply(this);
    }

    /**
     * Eval-mode batch norm of {@code this [N,C,H,W]} with given statistics {@code mean [C]}, {@code var [C]}; a
     * plain composite of elementwise ops, so gradients reach {@code this}, {@code gamma} and {@code beta}.
     */
    public Tensor batchNormEval(NDArray mean, NDArray var, Tensor gamma, Tensor beta, double eps) {
        if (rank() != 4) {
            throw new IllegalArgumentException("batch_norm: x must have rank 4, got " + shape());
        }
        int c = dim(1);
        Tensor scale = of(var).add(eps).rsqrt();
        if (gamma != null) {
            scale = scale.mul(gamma);
        }
        Tensor shift = of(mean).neg().mul(scale);
        if (beta != null) {
            shift = shift.add(beta);
        }
        return mulAdd(scale.reshape(1, c, 1, 1), shift.reshape(1, c, 1, 1));
    }

    /** Softmax along {@code axis}. */
    public Tensor softmax(int axis) {
        return new Softmax(axis, false).apply(this);
    }

    /** Log-softmax along {@code axis}. */
    public Tensor logSoftmax(int axis) {
        return new Softmax(axis, true).apply(this);
    }

    /**
     * Embedding lookup: rows of this table {@code [V,D]} at {@code indices} (I32 {@code [N]}), giving {@code [N,D]}.
     * Repeated indices add their gradients.
     */
    public Tensor gather(NDArray indices) {
        return new Gather(indices).apply(this);
    }

    @Override
    public String toString() {
        return "Tensor" + value.shape() + " " + value.dtype() + (node != null ? " <- " + node.name()
                : isParameter() ? requiresGrad ? " (parameter)" : " (frozen parameter)" : "");
    }
}
