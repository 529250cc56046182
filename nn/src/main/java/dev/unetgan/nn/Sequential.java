package dev.unetgan.nn;

import dev.unetgan.autograd.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Layers applied in order; they are registered as submodules {@code 0, 1, 2, ...}, as in PyTorch. */
public final class Sequential extends Layer {
    private final List<Layer> layers = new ArrayList<>();

    public Sequential(Layer... layers) {
        for (Layer layer : layers) {
            add(layer);
        }
    }

    /** Appends {@code layer} under the next index; returns this. */
    public Sequential add(Layer layer) {
        layers.add(registerModule(Integer.toString(layers.size()), layer));
        return this;
    }

    /** Layer {@code i}. */
    public Layer get(int i) {
        return layers.get(i);
    }

    public int size() {
        return layers.size();
    }

    /** The layers, read-only. */
    public List<Layer> layers() {
        return Collections.unmodifiableList(layers);
    }

    /** {@code x} through every layer in order. */
    @Override
    public Tensor forward(Tensor x) {
        for (Layer layer : layers) {
            x = layer.forward(x);
        }
        return x;
    }
}
