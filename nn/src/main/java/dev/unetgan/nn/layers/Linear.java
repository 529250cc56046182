package dev.unetgan.nn.layers;

import dev.unetgan.autograd.Tensor;
import dev.unetgan.nn.F;
import dev.unetgan.nn.Layer;
import dev.unetgan.nn.init.Init;
import dev.unetgan.tensor.Generator;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Shape;

/**
 * A fully connected layer, {@code y = x·Wᵀ + b}: {@code x [..., in] -> [..., out]}, with {@code weight [out, in]}
 * and {@code bias [out]} as in PyTorch, initialized by PyTorch's default ({@link Init#defaultLayerInit}).
 */
public final class Linear extends Layer {
    private final int in;
    private final int out;
    private final Tensor weight;
    private final Tensor bias;

    /** A layer with bias, F32 on the CPU. */
    public Linear(int in, int out, Generator gen) {
        this(builder(in, out), gen);
    }

    private Linear(Builder b, Generator gen) {
        this.in = b.in;
        this.out = b.out;
        weight = registerParameter("weight", NDArray.empty(Shape.of(out, in), b.dtype, b.device));
        bias = b.bias ? registerParameter("bias", NDArray.empty(Shape.of(out), b.dtype, b.device)) : null;
        Init.defaultLayerInit(weight.value(), bias == null ? null : bias.value(), gen);
    }

    /** A builder for {@code in -> out} features. */
    public static Builder builder(int in, int out) {
        return new Builder(in, out);
    }

    /** {@code [out, in]}. */
    public Tensor weight() {
        return weight;
    }

    /** {@code [out]}, or null without bias. */
    public Tensor bias() {
        return bias;
    }

    /** {@code x [..., in] -> [..., out]}. */
    @Override
    public Tensor forward(Tensor x) {
        return F.linear(x, weight, bias);
    }

    @Override
    protected String describe() {
        return "in=" + in + ", out=" + out + ", bias=" + (bias != null);
    }

    /** Options of {@link Linear}. */
    public static final class Builder extends LayerBuilder<Builder> {
        private final int in;
        private final int out;
        private boolean bias = true;

        private Builder(int in, int out) {
            requirePositive("Linear", "feature count", in, out);
            this.in = in;
            this.out = out;
        }

        /** Whether to add a bias (default true). */
        public Builder bias(boolean bias) {
            this.bias = bias;
            return this;
        }

        /** The layer, with PyTorch's default init drawn from {@code gen}. */
        public Linear build(Generator gen) {
            return new Linear(this, gen);
        }
    }
}
