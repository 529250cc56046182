package dev.unetgan.nn.layers;

import dev.unetgan.autograd.Tensor;
import dev.unetgan.nn.F;
import dev.unetgan.nn.Layer;
import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Ops;
import dev.unetgan.tensor.Scope;
import dev.unetgan.tensor.Shape;
import dev.unetgan.tensor.UnaryOp;

/**
 * Batch normalization over {@code [N,C,H,W]} with PyTorch's {@code nn.BatchNorm2d} semantics. In training mode it
 * normalizes with the batch's statistics and updates the running ones ({@link F#batchNorm}: momentum 0.1 by
 * default, unbiased running variance); in eval mode it normalizes with the running statistics. Optional affine
 * {@code weight [C]} (ones) and {@code bias [C]} (zeros). Buffers, named as in PyTorch: {@code running_mean [C]}
 * (zeros), {@code running_var [C]} (ones) and {@code num_batches_tracked} (I32 scalar; int64 in PyTorch).
 */
public final class BatchNorm2d extends Layer {
    private final int channels;
    private final double eps;
    private final double momentum;
    private final boolean cumulative;
    private final Tensor weight;
    private final Tensor bias;
    private final NDArray runningMean;
    private final NDArray runningVar;
    private final NDArray numBatchesTracked;

    /** Affine, momentum 0.1, eps 1e-5, F32 on the CPU. */
    public BatchNorm2d(int channels) {
        this(builder(channels));
    }

    private BatchNorm2d(Builder b) {
        channels = b.channels;
        eps = b.eps;
        momentum = b.momentum;
        cumulative = b.cumulative;
        Shape c = Shape.of(channels);
        weight = b.affine ? registerParameter("weight", NDArray.full(c, b.dtype, b.device, 1)) : null;
        bias = b.affine ? registerParameter("bias", NDArray.zeros(c, b.dtype, b.device)) : null;
        runningMean = registerBuffer("running_mean", NDArray.zeros(c, b.dtype, b.device));
        runningVar = registerBuffer("running_var", NDArray.full(c, b.dtype, b.device, 1));
        numBatchesTracked = registerBuffer("num_batches_tracked", NDArray.zeros(Shape.scalar(), DType.I32, b.device));
    }

    public static Builder builder(int channels) {
        return new Builder(channels);
    }

    /** Gamma {@code [C]}, or null when not affine. */
    public Tensor weight() {
        return weight;
    }

    /** Beta {@code [C]}, or null when not affine. */
    public Tensor bias() {
        return bias;
    }

    /** {@code [C]}, updated in place in training mode. */
    public NDArray runningMean() {
        return runningMean;
    }

    /** {@code [C]}, the unbiased running variance, updated in place in training mode. */
    public NDArray runningVar() {
        return runningVar;
    }

    /** I32 scalar: training-mode forwards so far. */
    public NDArray numBatchesTracked() {
        return numBatchesTracked;
    }

    /** {@code x [N,C,H,W] -> [N,C,H,W]}. */
    @Override
    public Tensor forward(Tensor x) {
        if (!isTraining()) {
            return F.batchNorm(x, runningMean, runningVar, weight, bias, false, momentum, eps);
        }
        double factor = momentum;
        try (Scope scope = Scope.open()) {
            // Counted on the device (via F32, exact to 2^24 batches) so that training steps need no host round trip.
            NDArray next = Ops.cast(Ops.unary(UnaryOp.ADD_SCALAR, 1, Ops.cast(numBatchesTracked, DType.F32)), DType.I32);
            Ops.copyInto(next, numBatchesTracked);
        }
        if (cumulative) {
            factor = 1 / numBatchesTracked.item();
        }
        return F.batchNorm(x, runningMean, runningVar, weight, bias, true, factor, eps);
    }

    @Override
    protected String describe() {
        return channels + ", eps=" + eps + ", momentum=" + (cumulative ? "cumulative" : momentum) + ", affine="
                + (weight != null);
    }

    /** Options of {@link BatchNorm2d}. */
    public static final class Builder extends LayerBuilder<Builder> {
        private final int channels;
        private double eps = 1e-5;
        private double momentum = 0.1;
        private boolean cumulative;
        private boolean affine = true;

        private Builder(int channels) {
            requirePositive("BatchNorm2d", "channel count", channels);
            this.channels = channels;
        }

        /** Added to the variance (default 1e-5). */
        public Builder eps(double eps) {
            this.eps = eps;
            return this;
        }

        /** The running-statistics factor (default 0.1): {@code running = (1-m)·running + m·batch}. */
        public Builder momentum(double momentum) {
            if (!(momentum >= 0 && momentum <= 1)) {
                throw new IllegalArgumentException("BatchNorm2d: momentum must be in [0,1], got " + momentum);
            }
            this.momentum = momentum;
            this.cumulative = false;
            return this;
        }

        /** Running statistics as the plain average over all batches ({@code momentum=None} in PyTorch). */
        public Builder cumulativeAverage() {
            this.cumulative = true;
            return this;
        }

        /** Whether to learn {@code weight} and {@code bias} (default true). */
        public Builder affine(boolean affine) {
            this.affine = affine;
            return this;
        }

        public BatchNorm2d build() {
            return new BatchNorm2d(this);
        }
    }
}
