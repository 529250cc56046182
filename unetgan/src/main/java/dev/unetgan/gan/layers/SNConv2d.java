package dev.unetgan.gan.layers;

import dev.unetgan.autograd.Tensor;
import dev.unetgan.nn.F;
import dev.unetgan.nn.Layer;
import dev.unetgan.nn.init.Init;
import dev.unetgan.tensor.Conv2dSpec;
import dev.unetgan.tensor.Generator;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Shape;

/**
 * A spectrally normalized 2-D convolution (BigGAN's {@code SNConv2d}): {@code x [N,in,H,W] -> [N,out,P,Q]} with
 * {@code weight [out, in, kh, kw]}, {@code bias [out]}, and the SN buffers {@code u0 [1, out]} and {@code sv0 [1]}
 * ({@link SpectralNorm.State}). Each forward convolves with {@code weight / σ} ({@link SpectralNorm}). The weight is
 * orthogonal (gain 1) and the bias has PyTorch's default init (UNETGAN.md §6). {@code P}, {@code Q} as
 * {@link dev.unetgan.nn.layers.Conv2d}.
 */
public final class SNConv2d extends Layer implements SpectralNorm.Normalized {
    private final Tensor weight;
    private final Tensor bias;
    private final Conv2dSpec spec;
    private final SpectralNorm.State sn;

    /** A square {@code kernel} with bias, stride 1, the given padding, SN eps 1e-6, F32 on the CPU. */
    public SNConv2d(int in, int out, int kernel, int padding, Generator gen) {
        this(builder(in, out, kernel).padding(padding), gen);
    }

    private SNConv2d(Builder b, Generator gen) {
        spec = new Conv2dSpec(b.stride, b.stride, b.padding, b.padding, 1, 1);
        weight = registerParameter("weight", NDArray.zeros(Shape.of(b.out, b.in, b.kernel, b.kernel), b.dtype(), b.device()));
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

    /** A builder for {@code in -> out} channels with a square {@code kernel}. */
    public static Builder builder(int in, int out, int kernel) {
        return new Builder(in, out, kernel);
    }

    @Override
    public Tensor weight() {
        return weight;
    }

    /** {@code [out]}, or null without bias. */
    public Tensor bias() {
        return bias;
    }

    public Conv2dSpec spec() {
        return spec;
    }

    @Override
    public SpectralNorm.State spectralNorm() {
        return sn;
    }

    /** {@code x [N,in,H,W] -> [N,out,P,Q]}, with the normalized weight. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, weight);
    }

    /** The forward with {@code w} in place of the weight parameter; for gradient checks w.r.t. the weight. */
    Tensor forward(Tensor x, Tensor w) {
        return F.conv2d(x, sn.normalize(w, isTraining()), bias, spec);
    }

    @Override
    protected String describe() {
        return "weight=" + weight.shape() + ", " + spec + ", bias=" + (bias != null) + ", sn_eps=" + sn.eps();
    }

    /** Options of {@link SNConv2d}: stride 1, padding 0 and a bias unless told. */
    public static final class Builder extends SpectralNorm.Options<Builder> {
        private final int in;
        private final int out;
        private final int kernel;
        private int stride = 1;
        private int padding;
        private boolean bias = true;

        private Builder(int in, int out, int kernel) {
            requirePositive("SNConv2d", "channel count", in, out);
            requirePositive("SNConv2d", "kernel size", kernel);
            this.in = in;
            this.out = out;
            this.kernel = kernel;
        }

        public Builder stride(int stride) {
            requirePositive("SNConv2d", "stride", stride);
            this.stride = stride;
            return this;
        }

        /** The same zero padding on all sides. */
        public Builder padding(int padding) {
            if (padding < 0) {
                throw new IllegalArgumentException("SNConv2d: padding must be >= 0, got " + padding);
            }
            this.padding = padding;
            return this;
        }

        /** Whether to add a bias (default true). */
        public Builder bias(boolean bias) {
            this.bias = bias;
            return this;
        }

        /** The layer, initialized from {@code gen}; a null {@code gen} leaves every value zero (for counting, or before loading a checkpoint). */
        public SNConv2d build(Generator gen) {
            return new SNConv2d(this, gen);
        }
    }
}
