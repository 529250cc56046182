package dev.unetgan.nn.layers;

import dev.unetgan.autograd.Tensor;
import dev.unetgan.nn.F;
import dev.unetgan.nn.Layer;

/** {@code 1/(1+e^-x)}, elementwise, any shape. */
public final class Sigmoid extends Layer {
    @Override
    public Tensor forward(Tensor x) {
        return F.sigmoid(x);
    }
}
