package dev.unetgan.gan.model;

import dev.unetgan.autograd.Tensor;
import dev.unetgan.nn.F;
import dev.unetgan.nn.Module;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Shape;

/**
 * BigGAN's conditional batch norm ({@code ccbn}, UNETGAN.md §1): {@code x_hat·(1 + gain(s)) + bias(s)}, where
 * {@code x_hat} is batch norm without affine of its own, with PyTorch semantics (batch statistics in training,
 * running statistics {@code stored_mean}/{@code stored_var} in eval, momentum 0.1, eps 1e-5, unbiased running
 * variance). State: {@code gain.*}, {@code bias.*} ({@link Modulation}), {@code stored_mean [C]} (zeros),
 * {@code stored_var [C]} (ones).
 */
public final class ConditionalBatchNorm extends Module implements RunningStats {
    static final double EPS = 1e-5;

    private final int channels;
    private final Modulation gain;
    private final Modulation bias;
    private final NDArray storedMean;
    private final NDArray storedVar;
    private double momentum = DEFAULT_MOMENTUM;

    ConditionalBatchNorm(Layers layers, int channels) {
        ModelConfig cfg = layers.config();
        this.channels = channels;
        gain = registerModule("gain", Modulation.create(layers, channels));
        bias = registerModule("bias", Modulation.create(layers, channels));
        storedMean = registerBuffer("stored_mean", NDArray.zeros(Shape.of(channels), cfg.dtype(), cfg.device()));
        storedVar = registerBuffer("stored_var", NDArray.full(Shape.of(channels), cfg.dtype(), cfg.device(), 1));
    }

    /** {@code x [B,C,H,W]} and the condition of the same batch {@code -> [B,C,H,W]}. */
    public Tensor forward(Tensor x, Cond c) {
        int b = x.dim(0);
        Tensor xHat = F.batchNorm(x, storedMean, storedVar, null, null, isTraining(), momentum, EPS);
        Tensor g = gain.forward(c).add(1).reshape(b, channels, 1, 1);
        Tensor s = bias.forward(c).reshape(b, channels, 1, 1);
        return xHat.mulAdd(g, s);
    }

    @Override
    public void momentum(double m) {
        momentum = m;
    }

    /** {@code [C]}, updated in place in training mode. */
    public NDArray storedMean() {
        return storedMean;
    }

    /** {@code [C]}, the unbiased running variance. */
    public NDArray storedVar() {
        return storedVar;
    }

    @Override
    protected String describe() {
        return channels + ", " + gain.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
    }
}
