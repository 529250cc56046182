package dev.unetgan.nn.layers;

import dev.unetgan.autograd.Tensor;
import dev.unetgan.nn.F;
import dev.unetgan.nn.Layer;

/** {@code max(x, 0)}, elementwise, any shape. */
public final class ReLU extends Layer {
    @Override
    public Tensor forward(Tensor x) {
        return F.relu(x);
    }
}
