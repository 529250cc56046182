package dev.unetgan.nn.layers;

import dev.unetgan.autograd.Tensor;
import dev.unetgan.nn.F;
import dev.unetgan.nn.Layer;

/** {@code [N, d1, d2, ...] -> [N, d1·d2·...]} (a free reshape), between convolutions and a {@link Linear}. */
public final class Flatten extends Layer {
    @Override
    public Tensor forward(Tensor x) {
        return F.flatten(x);
    }
}
