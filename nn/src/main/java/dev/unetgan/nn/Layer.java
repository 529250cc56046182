package dev.unetgan.nn;

import dev.unetgan.autograd.Tensor;

/**
 * A module with one tensor in and one tensor out, the shape of most layers and of {@link Sequential}. Modules with
 * other inputs or outputs extend {@link Module} directly and declare their own {@code forward}.
 */
public abstract class Layer extends Module {
    /** Runs the layer on {@code x}; shapes are given by each subclass. */
    public abstract Tensor forward(Tensor x);
}
