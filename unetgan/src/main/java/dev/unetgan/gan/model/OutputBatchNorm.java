package dev.unetgan.gan.model;

import dev.unetgan.autograd.Tensor;
import dev.unetgan.nn.F;
import dev.unetgan.nn.Layer;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Shape;

/**
 * BigGAN's plain batch norm ({@code layers.bn}) before G's output conv: learnable {@code gain [C]} (ones) and
 * {@code bias [C]} (zeros) used directly, running statistics {@code stored_mean}/{@code stored_var}, momentum 0.1,
 * eps 1e-5, PyTorch semantics. Unlike {@code nn}'s BatchNorm2d it has these names and no batch counter.
 */
public final class OutputBatchNorm extends Layer implements RunningStats {
    private final int channels;
    private final Tensor gain;
    private final Tensor bias;
    private final NDArray storedMean;
    private final NDArray storedVar;
    private double momentum = DEFAULT_MOMENTUM;

    OutputBatchNorm(ModelConfig cfg, int channels) {
        this.channels = channels;
        Shape c = Shape.of(channels);
        gain = registerParameter("gain", NDArray.full(c, cfg.dtype(), cfg.device(), 1));
        bias = registerParameter("bias", NDArray.zeros(c, cfg.dtype(), cfg.device()));
        storedMean = registerBuffer("stored_mean", NDArray.zeros(c, cfg.dtype(), cfg.device()));
        storedVar = registerBuffer("stored_var", NDArray.full(c, cfg.dtype(), cfg.device(), 1));
    }

    /** {@code [B,C,H,W] -> [B,C,H,W]}. */
    @Override
    public Tensor forward(Tensor x) {
        return F.batchNorm(x, storedMean, storedVar, gain, bias, isTraining(), momentum, ConditionalBatchNorm.EPS);
    }

    @Override
    public void momentum(double m) {
        momentum = m;
    }

    @Override
    protected String describe() {
        return Integer.toString(channels);
    }
}
