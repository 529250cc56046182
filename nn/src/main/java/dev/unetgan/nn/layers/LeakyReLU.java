package dev.unetgan.nn.layers;

import dev.unetgan.autograd.Tensor;
import dev.unetgan.nn.F;
import dev.unetgan.nn.Layer;

/** {@code x > 0 ? x : slope·x}, elementwise, any shape. */
public final class LeakyReLU extends Layer {
    private final double slope;

    /** PyTorch's default negative slope, 0.01. */
    public LeakyReLU() {
        this(0.01);
    }

    public LeakyReLU(double slope) {
        this.slope = slope;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.leakyRelu(x, slope);
    }

    @Override
    protected String describe() {
        return "slope=" + slope;
    }
}
