package dev.unetgan.nn;

import dev.unetgan.autograd.Tensor;
import dev.unetgan.tensor.Conv2dSpec;
import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Ops;
import dev.unetgan.tensor.Pool2dSpec;
import dev.unetgan.tensor.Scope;
import dev.unetgan.tensor.Shape;
import dev.unetgan.tensor.UnaryOp;

import java.util.function.BiConsumer;

/**
 * The functional forms of the layers (as {@code torch.nn.functional}), for composite modules that hold their own
 * parameters. Each layer class calls the function here, so there is one implementation of each computation. All
 * functions record autograd graphs like the {@link Tensor} ops they are made of, and run on every backend.
 */
public final class F {
    private F() {
    }

    /**
     * {@code y = x·Wᵀ + b}: {@code x [..., in]}, {@code weight [out, in]} (PyTorch's layout), {@code bias [out]} or
     * null; result {@code [..., out]}. Leading dimensions of {@code x} are flattened for one matrix product.
     */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        if (weight.rank() != 2 || x.rank() < 1 || x.dim(-1) != weight.dim(1)) {
            throw new IllegalArgumentException("linear: x " + x.shape() + " does not match weight " + weight.shape()
                    + " [out, in]");
        }
        int[] outDims = x.shape().dims();
        outDims[outDims.length - 1] = weight.dim(0);
        Tensor x2 = x.rank() == 2 ? x : x.reshape(-1, weight.dim(1));
        Tensor y = x2.matmul(weight, false, true);
        if (bias != null) {
            y = y.add(bias);
        }
        return x.rank() == 2 ? y : y.reshape(outDims);
    }

    /**
     * 2-D convolution (cross-correlation): {@code x [N,C,H,W]}, {@code weight [K,C,R,S]}, {@code bias [K]} or null,
     * result {@code [N,K,P,Q]} with {@code P = floor((H + 2·pad - dil·(R-1) - 1)/stride) + 1} (likewise Q).
     */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, Conv2dSpec spec) {
        return x.conv2d(weight, bias, spec);
    }

    /** {@link #conv2d(Tensor, Tensor, Tensor, Conv2dSpec)} with square stride, padding and dilation. */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int stride, int padding, int dilation) {
        return conv2d(x, weight, bias, Conv2dSpec.of(stride, padding, dilation));
    }

    /** {@code max(x, 0)}, any shape. */
    public static Tensor relu(Tensor x) {
        return x.relu();
    }

    /** {@code x > 0 ? x : slope·x}, any shape. */
    public static Tensor leakyRelu(Tensor x, double slope) {
        return x.leakyRelu(slope);
    }

    /** {@code tanh(x)}, any shape. */
    public static Tensor tanh(Tensor x) {
        return x.tanh();
    }

    /** {@code 1/(1+e^-x)}, any shape. */
    public static Tensor sigmoid(Tensor x) {
        return x.sigmoid();
    }

    /**
     * Batch norm of {@code x [N,C,H,W]} with PyTorch's semantics. In training, normalizes with the batch's mean and
     * biased variance and, when the running arrays are given, updates them in place:
     * {@code running_mean = (1-m)·running_mean + m·mean}, {@code running_var = (1-m)·running_var + m·var·n/(n-1)}
     * with {@code n = N·H·W} (the unbiased variance). In evaluation, normalizes with the running statistics.
     *
     * @param runningMean {@code [C]}, or null (then training statistics are always used)
     * @param runningVar  {@code [C]}, or null together with {@code runningMean}
     * @param weight      gamma {@code [C]} or null
     * @param bias        beta {@code [C]} or null
     * @param momentum    the factor {@code m} of the running update
     */
    public static Tensor batchNorm(Tensor x, NDArray runningMean, NDArray runningVar, Tensor weight, Tensor bias,
                                   boolean training, double momentum, double eps) {
        if ((runningMean == null) != (runningVar == null)) {
            throw new IllegalArgumentException("batch_norm: give both running mean and variance, or neither");
        }
        if (!training && runningMean != null) {
            return x.batchNormEval(runningMean, runningVar, weight, bias, eps);
        }
        if (x.rank() != 4) {
            throw new IllegalArgumentException("batch_norm: x must be [N,C,H,W], got " + x.shape());
        }
        long n = x.value().size() / x.dim(1);
        if (n <= 1) {
            throw new IllegalArgumentException("batch_norm: expected more than 1 value per channel when training, got "
                    + x.shape());
        }
        BiConsumer<NDArray, NDArray> update = runningMean == null ? null
                : (mean, var) -> updateRunningStats(runningMean, runningVar, mean, var, momentum, n);
        return x.batchNorm(weight, bias, eps, update);
    }

    private static void updateRunningStats(NDArray runningMean, NDArray runningVar, NDArray mean, NDArray var,
                                           double momentum, long n) {
        try (Scope scope = Scope.open()) {
            Ops.copyInto(Ops.add(Ops.unary(UnaryOp.MUL_SCALAR, 1 - momentum, runningMean),
                    Ops.unary(UnaryOp.MUL_SCALAR, momentum, mean)), runningMean);
            Ops.copyInto(Ops.add(Ops.unary(UnaryOp.MUL_SCALAR, 1 - momentum, runningVar),
                    Ops.unary(UnaryOp.MUL_SCALAR, momentum * n / (n - 1.0), var)), runningVar);
        }
    }

    /** Average pooling {@code [N,C,H,W] -> [N,C,P,Q]}; zero padding counts in the average (PyTorch's default). */
    public static Tensor avgPool2d(Tensor x, Pool2dSpec spec) {
        return x.avgPool2d(spec);
    }

    /** Max pooling {@code [N,C,H,W] -> [N,C,P,Q]}. */
    public static Tensor maxPool2d(Tensor x, Pool2dSpec spec) {
        return x.maxPool2d(spec);
    }

    /** Nearest upsampling by an integer factor: {@code [N,C,H,W] -> [N,C,H·f,W·f]}. */
    public static Tensor upsampleNearest(Tensor x, int factor) {
        return x.upsampleNearest2d(factor);
    }

    /** Rows of {@code weight [V,D]} at {@code indices} (I32 {@code [N]}, each in {@code [0,V)}): {@code [N,D]}. */
    public static Tensor embedding(Tensor weight, NDArray indices) {
        return weight.gather(indices);
    }

    /** {@code [N, d1, d2, ...] -> [N, d1·d2·...]}. */
    public static Tensor flatten(Tensor x) {
        if (x.rank() < 1) {
            throw new IllegalArgumentException("flatten: needs at least one dimension, got " + x.shape());
        }
        return x.reshape(x.dim(0), -1);
    }

    /**
     * Mean cross-entropy of {@code logits [B,K]} against class {@code labels} (I32 {@code [B]}, each in
     * {@code [0,K)}): {@code -mean_b log_softmax(logits)[b, labels[b]]}, a one-element tensor. The log-probabilities
     * are picked with a row gather on the flattened {@code [B·K, 1]} view, so the gradient is {@code softmax - onehot}
     * over {@code B}. The labels are read on the host to form the flat indices.
     */
    public static Tensor crossEntropy(Tensor logits, NDArray labels) {
        if (logits.rank() != 2 || labels.rank() != 1 || labels.dtype() != DType.I32 || labels.dim(0) != logits.dim(0)) {
            throw new IllegalArgumentException("cross_entropy: needs logits [B,K] and I32 labels [B], got "
                    + logits.shape() + " and " + labels.shape() + " " + labels.dtype());
        }
        int b = logits.dim(0);
        int k = logits.dim(1);
        int[] flat = labels.toIntArray();
        for (int i = 0; i < b; i++) {
            if (flat[i] < 0 || flat[i] >= k) {
                throw new IllegalArgumentException("cross_entropy: label " + flat[i] + " at " + i + " is not a class of "
                        + logits.shape());
            }
            flat[i] += i * k;
        }
        // The index array must outlive the backward (gather borrows it), so it belongs to the caller's scope.
        NDArray picks = NDArray.of(flat, Shape.of(b), logits.device());
        return logits.logSoftmax(1).reshape(b * k, 1).gather(picks).mean().neg();
    }
}
