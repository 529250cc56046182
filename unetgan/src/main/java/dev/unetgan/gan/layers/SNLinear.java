package dev.unetgan.gan.layers;

import dev.unetgan.autograd.Tensor;
import dev.unetgan.nn.F;
import dev.unetgan.nn.Layer;
import dev.unetgan.nn.init.Init;
import dev.unetgan.tensor.Generator;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Shape;

/**
 * A spectrally normalized fully connected layer (BigGAN's {@code SNLinear}), {@code y = x·(W/σ)ᵀ + b}:
 * {@code x [..., in] -> [..., out]} with {@code weight [out, in]}, {@code bias [out]}, and the SN buffers
 * {@code u0 [1, out]} and {@code sv0 [1]} ({@link SpectralNorm.State}). The weight is orthogonal (gain 1) and the
 * bias has PyTorch's default init (UNETGAN.md §6).
 */
public final class SNLinear extends Layer implements SpectralNorm.Normalized {
    private final Tensor weight;
    private final Tensor bias;
    private final SpectralNorm.State sn;

    /** A layer with bias, SN eps 1e-6, F32 on the CPU. */
    public SNLinear(int in, int out, Generator gen) {
        this(builder(in, out), gen);
    }

    private SNLinear(Builder b, Generator gen) {
        weight = registerParameter("weight", NDArray.zeros(Shape.of(b.out, b.in), b.dtype(), b.device()));
        bias = b.bias ? registerParameter("bias", NDArray.zeros(Shape.of(b.out), b.dtype(), b.device())) : null;
        // PyTorch's construction order: the layer's default init, the SN buffers, then the model's orthogonal init.
        if (gen != null) {
            Init.defaultLayerInit(weight.value(), bias == null ? null : bias.value(), gen);
        }
        sn = SpectralNorm.State.create(b.out, b, gen);
        registerBuffer("u0", sn.u());
        registerBuffer("sv0", sn.sv());
        if (gen != null) {
            Init.orthogonal(weight.value(), 1, gen);
        }
    }

    /** A builder for {@code in -> out} features. */
    public static Builder builder(int in, int out) {
        return new Builder(in, out);
    }

    @Override
    public Tensor weight() {
        return weight;
    }

    /** {@code [out]}, or null without bias. */
    public Tensor bias() {
        return bias;
    }

    @Override
    public SpectralNorm.State spectralNorm() {
        return sn;
    }

    /** {@code x [..., in] -> [..., out]}, with the normalized weight. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, weight);
    }

    /** The forward with {@code w} in place of the weight parameter; for gradient checks w.r.t. the weight. */
    Tensor forward(Tensor x, Tensor w) {
        return F.linear(x, sn.normalize(w, isTraining()), bias);
    }

    @Override
    protected String describe() {
        return "in=" + weight.dim(1) + ", out=" + weight.dim(0) + ", bias=" + (bias != null) + ", sn_eps=" + sn.eps();
    }

    /** Options of {@link SNLinear}. */
    public static final class Builder extends SpectralNorm.Options<Builder> {
        private final int in;
        private final int out;
        private boolean bias = true;

        private Builder(int in, int out) {
            requirePositive("SNLinear", "feature count", in, out);
            this.in = in;
            this.out = out;
        }

        /** Whether to add a bias (default true). */
        public Builder bias(boolean bias) {
            this.bias = bias;
            return this;
        }

        /** The layer, initialized from {@code gen}; a null {@code gen} leaves every value zero (for counting, or before loading a checkpoint). */
        public SNLinear build(Generator gen) {
            return new SNLinear(this, gen);
        }
    }
}
