package dev.unetgan.nn.layers;

import dev.unetgan.autograd.Tensor;
import dev.unetgan.nn.F;
import dev.unetgan.nn.Module;
import dev.unetgan.nn.init.Init;
import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.Device;
import dev.unetgan.tensor.Generator;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Shape;

/**
 * A lookup table of {@code count} vectors of size {@code dim}: {@code weight [count, dim]}, initialized
 * {@code N(0, 1)} as in PyTorch. Its input is I32 indices rather than a tensor, so it is a {@link Module} with its
 * own {@code forward} signature, not a {@link dev.unetgan.nn.Layer}.
 */
public final class Embedding extends Module {
    private final Tensor weight;

    /** F32 on the CPU. */
    public Embedding(int count, int dim, Generator gen) {
        this(count, dim, DType.F32, Device.CPU, gen);
    }

    public Embedding(int count, int dim, DType dtype, Device device, Generator gen) {
        LayerBuilder.requirePositive("Embedding", "size", count, dim);
        weight = registerParameter("weight", NDArray.empty(Shape.of(count, dim), dtype, device));
        Init.normal(weight.value(), 0, 1, gen);
    }

    /** {@code [count, dim]}. */
    public Tensor weight() {
        return weight;
    }

    /** Rows at {@code indices} (I32 {@code [N]}, each in {@code [0, count)}): {@code [N, dim]}. */
    public Tensor forward(NDArray indices) {
        return F.embedding(weight, indices);
    }

    @Override
    protected String describe() {
        return weight.dim(0) + ", " + weight.dim(1);
    }
}
