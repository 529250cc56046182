package dev.unetgan.nn.layers;

import dev.unetgan.autograd.Tensor;
import dev.unetgan.nn.F;
import dev.unetgan.nn.Layer;

/** Nearest-neighbour upsampling by an integer factor: {@code [N,C,H,W] -> [N,C,H·f,W·f]}. */
public final class Upsample extends Layer {
    private final int factor;

    public Upsample(int factor) {
        LayerBuilder.requirePositive("Upsample", "scale factor", factor);
        this.factor = factor;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.upsampleNearest(x, factor);
    }

    @Override
    protected String describe() {
        return "scale=" + factor + ", nearest";
    }
}
