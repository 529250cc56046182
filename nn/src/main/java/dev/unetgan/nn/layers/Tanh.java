package dev.unetgan.nn.layers;

import dev.unetgan.autograd.Tensor;
import dev.unetgan.nn.F;
import dev.unetgan.nn.Layer;

/** {@code tanh(x)}, elementwise, any shape. */
public final class Tanh extends Layer {
    @Override
    public Tensor forward(Tensor x) {
        return F.tanh(x);
    }
}
