package dev.unetgan.tensor;

/**
 * Image operations on NCHW arrays: convolution, pooling, nearest upsampling and batch normalization, with their
 * gradients. Checked and dispatched like {@link Ops}; every backend implements them all.
 */
public final class SpatialOps {
    private SpatialOps() {
    }

    /** Result of max pooling: the pooled values and the flat {@code h·W + w} position of each maximum (I32). */
    public record MaxPooled(NDArray out, NDArray indices) {
    }

    /** Batch statistics per channel: {@code mean [C]} and biased {@code var [C]}. */
    public record Moments(NDArray mean, NDArray var) {
    }

    /** Gradients of training-mode batch norm; {@code gradGamma} and {@code gradBeta} are null unless asked for. */
    public record BatchNormGrads(NDArray gradIn, NDArray gradGamma, NDArray gradBeta) {
    }

    /**
     * 2-D convolution: {@code x [N,C,H,W]}, {@code weight [K,C,R,S]}, {@code bias [K]} or null; result
     * {@code [N,K,P,Q]} with {@code P = spec.outH(H,R)}, {@code Q = spec.outW(W,S)}.
     */
    public static NDArray conv2d(NDArray x, NDArray weight, NDArray bias, Conv2dSpec spec) {
        String op = "conv2d";
        Checks.floating(op, x, weight, bias);
        Checks.rank(op, "x", x, 4);
        Checks.rank(op, "weight", weight, 4);
        if (weight.dim(1) != x.dim(1)) {
            throw new IllegalArgumentException(op + ": input " + x.shape() + " has " + x.dim(1)
                    + " channels but weight " + weight.shape() + " expects " + weight.dim(1));
        }
        if (bias != null) {
            Checks.shape(op, "bias", bias, Shape.of(weight.dim(0)));
        }
        int p = spec.outH(x.dim(2), weight.dim(2));
        int q = spec.outW(x.dim(3), weight.dim(3));
        if (p <= 0 || q <= 0) {
            throw new IllegalArgumentException(op + ": kernel " + weight.shape() + " with " + spec
                    + " does not fit input " + x.shape());
        }
        NDArray out = NDArray.empty(Shape.of(x.dim(0), weight.dim(0), p, q), x.dtype(), x.device());
        x.backend().conv2dForward(x, weight, bias, spec, out);
        return out;
    }

    /** Gradient of {@link #conv2d} w.r.t. its input, of shape {@code inputShape [N,C,H,W]}. */
    public static NDArray conv2dBackwardData(NDArray gradOut, NDArray weight, Conv2dSpec spec, Shape inputShape) {
        String op = "conv2d_backward_data";
        Checks.floating(op, gradOut, weight);
        checkConvGrad(op, gradOut, weight.shape(), spec, inputShape);
        NDArray gradIn = NDArray.empty(inputShape, gradOut.dtype(), gradOut.device());
        gradOut.backend().conv2dBackwardData(gradOut, weight, spec, gradIn);
        return gradIn;
    }

    /** Gradient of {@link #conv2d} w.r.t. its weight, of shape {@code weightShape [K,C,R,S]}. */
    public static NDArray conv2dBackwardFilter(NDArray x, NDArray gradOut, Conv2dSpec spec, Shape weightShape) {
        String op = "conv2d_backward_filter";
        Checks.floating(op, x, gradOut);
        checkConvGrad(op, gradOut, weightShape, spec, x.shape());
        NDArray gradWeight = NDArray.empty(weightShape, x.dtype(), x.device());
        x.backend().conv2dBackwardFilter(x, gradOut, spec, gradWeight);
        return gradWeight;
    }

    private static void checkConvGrad(String op, NDArray gradOut, Shape w, Conv2dSpec spec, Shape in) {
        if (in.rank() != 4 || w.rank() != 4 || gradOut.rank() != 4 || w.dim(1) != in.dim(1)) {
            throw new IllegalArgumentException(op + ": inconsistent shapes: input " + in + ", weight " + w
                    + ", gradOut " + gradOut.shape());
        }
        Shape expected = Shape.of(in.dim(0), w.dim(0), spec.outH(in.dim(2), w.dim(2)), spec.outW(in.dim(3), w.dim(3)));
        Checks.shape(op, "gradOut", gradOut, expected);
    }

    /** Average pooling: {@code x [N,C,H,W]} to {@code [N,C,P,Q]}. */
    public static NDArray avgPool2d(NDArray x, Pool2dSpec spec) {
        NDArray out = NDArray.empty(pooledShape("avg_pool2d", x, spec), x.dtype(), x.device());
        x.backend().pool2dForward(PoolMode.AVG, x, spec, out, null);
        return out;
    }

    /** Max pooling: {@code x [N,C,H,W]} to {@code [N,C,P,Q]}, with the positions of the maxima. */
    public static MaxPooled maxPool2d(NDArray x, Pool2dSpec spec) {
        Shape shape = pooledShape("max_pool2d", x, spec);
        NDArray out = NDArray.empty(shape, x.dtype(), x.device());
        NDArray indices = NDArray.empty(shape, DType.I32, x.device());
        x.backend().pool2dForward(PoolMode.MAX, x, spec, out, indices);
        return new MaxPooled(out, indices);
    }

    private static Shape pooledShape(String op, NDArray x, Pool2dSpec spec) {
        Checks.floating(op, x);
        Checks.rank(op, "x", x, 4);
        int p = spec.outH(x.dim(2));
        int q = spec.outW(x.dim(3));
        if (p <= 0 || q <= 0) {
            throw new IllegalArgumentException(op + ": window " + spec + " does not fit input " + x.shape());
        }
        return Shape.of(x.dim(0), x.dim(1), p, q);
    }

    /**
     * Gradient of pooling into an array of {@code inputShape}; {@code indices} is the max-pool result's (null for
     * AVG).
     */
    public static NDArray pool2dBackward(PoolMode mode, NDArray gradOut, NDArray indices, Pool2dSpec spec, Shape inputShape) {
        String op = mode.name().toLowerCase() + "_pool2d_backward";
        Checks.floating(op, gradOut);
        if (inputShape.rank() != 4) {
            throw new IllegalArgumentException(op + ": input shape must have rank 4, got " + inputShape);
        }
        Shape expected = Shape.of(inputShape.dim(0), inputShape.dim(1), spec.outH(inputShape.dim(2)), spec.outW(inputShape.dim(3)));
        Checks.shape(op, "gradOut", gradOut, expected);
        if (mode == PoolMode.MAX) {
            Checks.dtype(op, "indices", indices, DType.I32);
            Checks.shape(op, "indices", indices, expected);
        }
        NDArray gradIn = NDArray.empty(inputShape, gradOut.dtype(), gradOut.device());
        gradOut.backend().pool2dBackward(mode, gradOut, indices, spec, gradIn);
        return gradIn;
    }

    /** Nearest upsampling by {@code factor}: {@code [N,C,H,W]} to {@code [N,C,H·f,W·f]}. */
    public static NDArray upsampleNearest2d(NDArray x, int factor) {
        String op = "upsample_nearest2d";
        Checks.floating(op, x);
        Checks.rank(op, "x", x, 4);
        if (factor < 1) {
            throw new IllegalArgumentException(op + ": factor must be >= 1, got " + factor);
        }
        NDArray out = NDArray.empty(Shape.of(x.dim(0), x.dim(1), x.dim(2) * factor, x.dim(3) * factor), x.dtype(), x.device());
        x.backend().upsampleNearest2d(x, factor, out);
        return out;
    }

    /** Gradient of {@link #upsampleNearest2d}: {@code [N,C,H·f,W·f]} summed to {@code [N,C,H,W]}. */
    public static NDArray upsampleNearest2dBackward(NDArray gradOut, int factor) {
        String op = "upsample_nearest2d_backward";
        Checks.floating(op, gradOut);
        Checks.rank(op, "gradOut", gradOut, 4);
        if (factor < 1 || gradOut.dim(2) % factor != 0 || gradOut.dim(3) % factor != 0) {
            throw new IllegalArgumentException(op + ": gradOut " + gradOut.shape() + " is not a multiple of factor " + factor);
        }
        NDArray gradIn = NDArray.empty(Shape.of(gradOut.dim(0), gradOut.dim(1), gradOut.dim(2) / factor,
                gradOut.dim(3) / factor), gradOut.dtype(), gradOut.device());
        gradOut.backend().upsampleNearest2dBackward(gradOut, factor, gradIn);
        return gradIn;
    }

    /** Per-channel mean and biased variance of {@code x [N,C,H,W]}. */
    public static Moments batchNormStats(NDArray x) {
        Checks.floating("batch_norm_stats", x);
        Checks.rank("batch_norm_stats", "x", x, 4);
        Shape c = Shape.of(x.dim(1));
        NDArray mean = NDArray.empty(c, x.dtype(), x.device());
        NDArray var = NDArray.empty(c, x.dtype(), x.device());
        x.backend().batchNormStats(x, mean, var);
        return new Moments(mean, var);
    }

    /**
     * {@code (x - mean) / sqrt(var + eps) · gamma + beta}, per channel, for {@code x [N,C,H,W]}; {@code gamma} and
     * {@code beta} ({@code [C]}) may be null.
     */
    public static NDArray batchNormApply(NDArray x, NDArray mean, NDArray var, NDArray gamma, NDArray beta, double eps) {
        String op = "batch_norm";
        checkBatchNorm(op, x, mean, var, gamma, beta);
        NDArray out = NDArray.empty(x.shape(), x.dtype(), x.device());
        x.backend().batchNormApply(x, mean, var, gamma, beta, eps, out);
        return out;
    }

    /**
     * Backward of training-mode batch norm ({@code mean}, {@code var} are the batch statistics of {@code x}).
     * {@code gamma} may be null; the gamma and beta gradients are computed only when {@code affineGrads}.
     */
    public static BatchNormGrads batchNormBackward(NDArray x, NDArray mean, NDArray var, NDArray gamma, double eps,
                                                   NDArray gradOut, boolean affineGrads) {
        String op = "batch_norm_backward";
        checkBatchNorm(op, x, mean, var, gamma, null);
        Checks.floating(op, x, gradOut);
        Checks.shape(op, "gradOut", gradOut, x.shape());
        NDArray gradIn = NDArray.empty(x.shape(), x.dtype(), x.device());
        NDArray gradGamma = affineGrads ? NDArray.empty(mean.shape(), x.dtype(), x.device()) : null;
        NDArray gradBeta = affineGrads ? NDArray.empty(mean.shape(), x.dtype(), x.device()) : null;
        x.backend().batchNormBackward(x, mean, var, gamma, eps, gradOut, gradIn, gradGamma, gradBeta);
        return new BatchNormGrads(gradIn, gradGamma, gradBeta);
    }

    private static void checkBatchNorm(String op, NDArray x, NDArray mean, NDArray var, NDArray gamma, NDArray beta) {
        Checks.floating(op, x, mean, var, gamma, beta);
        Checks.rank(op, "x", x, 4);
        Shape c = Shape.of(x.dim(1));
        Checks.shape(op, "mean", mean, c);
        Checks.shape(op, "var", var, c);
        if (gamma != null) Checks.shape(op, "gamma", gamma, c);
        if (beta != null) Checks.shape(op, "beta", beta, c);
    }
}
