package dev.unetgan.gan.layers;

import dev.unetgan.autograd.Tensor;
import dev.unetgan.nn.F;
import dev.unetgan.nn.Module;
import dev.unetgan.nn.init.Init;
import dev.unetgan.tensor.Generator;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Shape;

/**
 * A spectrally normalized lookup table (BigGAN's {@code SNEmbedding}, D's class embeddings): {@code weight
 * [count, dim]} with the SN buffers {@code u0 [1, count]} and {@code sv0 [1]} ({@link SpectralNorm.State}). Each
 * forward normalizes the whole table, then gathers rows. The weight is orthogonal (gain 1, UNETGAN.md §6). Its
 * input is I32 indices, so it is a {@link Module} with its own {@code forward}.
 */
public final class SNEmbedding extends Module implements SpectralNorm.Normalized {
    private final Tensor weight;
    private final SpectralNorm.State sn;

    /** SN eps 1e-6, F32 on the CPU. */
    public SNEmbedding(int count, int dim, Generator gen) {
        this(builder(count, dim), gen);
    }

    private SNEmbedding(Builder b, Generator gen) {
        weight = registerParameter("weight", NDArray.zeros(Shape.of(b.count, b.dim), b.dtype(), b.device()));
        // PyTorch's construction order: the N(0,1) default, the SN buffers, then the model's orthogonal init.
        if (gen != null) {
            Init.normal(weight.value(), 0, 1, gen);
        }
        sn = SpectralNorm.State.create(b.count, b, gen);
        registerBuffer("u0", sn.u());
        registerBuffer("sv0", sn.sv());
        if (gen != null) {
            Init.orthogonal(weight.value(), 1, gen);
        }
    }

    /** A builder for {@code count} vectors of size {@code dim}. */
    public static Builder builder(int count, int dim) {
        return new Builder(count, dim);
    }

    /** {@code [count, dim]}. */
    @Override
    public Tensor weight() {
        return weight;
    }

    @Override
    public SpectralNorm.State spectralNorm() {
        return sn;
    }

    /** Rows of the normalized table at {@code indices} (I32 {@code [N]}, each in {@code [0, count)}): {@code [N, dim]}. */
    public Tensor forward(NDArray indices) {
        return forward(indices, weight);
    }

    /** The forward with {@code w} in place of the weight parameter; for gradient checks w.r.t. the weight. */
    Tensor forward(NDArray indices, Tensor w) {
        return F.embedding(sn.normalize(w, isTraining()), indices);
    }

    @Override
    protected String describe() {
        return weight.dim(0) + ", " + weight.dim(1) + ", sn_eps=" + sn.eps();
    }

    /** Options of {@link SNEmbedding}. */
    public static final class Builder extends SpectralNorm.Options<Builder> {
        private final int count;
        private final int dim;

        private Builder(int count, int dim) {
            requirePositive("SNEmbedding", "size", count, dim);
            this.count = count;
            this.dim = dim;
        }

        /** The layer, initialized from {@code gen}; a null {@code gen} leaves every value zero (for counting, or before loading a checkpoint). */
        public SNEmbedding build(Generator gen) {
            return new SNEmbedding(this, gen);
        }
    }
}
