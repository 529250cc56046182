package dev.unetgan.gan.model;

import dev.unetgan.gan.layers.SNConv2d;
import dev.unetgan.gan.layers.SNEmbedding;
import dev.unetgan.gan.layers.SNLinear;
import dev.unetgan.nn.layers.Conv2d;
import dev.unetgan.nn.layers.Linear;
import dev.unetgan.nn.init.Init;
import dev.unetgan.tensor.Generator;
import dev.unetgan.tensor.NDArray;

/**
 * The one place where the models make their layers, so that dtype, device, SN eps and initialization are decided
 * once. {@code gen == null} builds without random initialization (zeros), for inspection and for loading a
 * checkpoint: orthogonal init of the widest layers (1024x9216 at ch 64) takes seconds each on the host.
 *
 * <p>Plain (non-SN) layers get PyTorch's default init, then an orthogonal weight (UNETGAN.md §6: every conv, linear
 * and embedding weight; default biases), as BigGAN-PyTorch's {@code init_weights} does. The SN layers initialize
 * themselves the same way.
 */
final class Layers {
    /** Stands in for a generator when only the shapes matter; PyTorch's default init is cheap. */
    private static final long SHAPE_ONLY_SEED = 0;

    private final ModelConfig config;
    private final Generator gen;

    Layers(ModelConfig config, Generator gen) {
        this.config = config;
        this.gen = gen;
    }

    ModelConfig config() {
        return config;
    }

    /** SN conv {@code in -> out}, square {@code kernel}, "same" padding, stride 1. */
    SNConv2d snConv(int in, int out, int kernel, boolean bias) {
        return SNConv2d.builder(in, out, kernel).padding(kernel / 2).bias(bias)
                .eps(config.snEps()).dtype(config.dtype()).device(config.device()).build(gen);
    }

    SNLinear snLinear(int in, int out, boolean bias) {
        return SNLinear.builder(in, out).bias(bias)
                .eps(config.snEps()).dtype(config.dtype()).device(config.device()).build(gen);
    }

    SNEmbedding snEmbedding(int count, int dim) {
        return SNEmbedding.builder(count, dim)
                .eps(config.snEps()).dtype(config.dtype()).device(config.device()).build(gen);
    }

    /** Plain linear layer (G's BN MLPs). */
    Linear linear(int in, int out, boolean bias) {
        Linear l = Linear.builder(in, out).bias(bias).dtype(config.dtype()).device(config.device()).build(defaultGen());
        orthogonal(l.weight().value());
        return l;
    }

    /** Plain conv with bias, no padding (D's 1x1 pixel head). */
    Conv2d conv(int in, int out, int kernel) {
        Conv2d c = Conv2d.builder(in, out, kernel).padding(kernel / 2).dtype(config.dtype()).device(config.device())
                .build(defaultGen());
        orthogonal(c.weight().value());
        return c;
    }

    /** Orthogonal init (gain 1) of {@code weight}, skipped when building for shapes only. */
    void orthogonal(NDArray weight) {
        if (gen != null) {
            Init.orthogonal(weight, 1, gen);
        }
    }

    private Generator defaultGen() {
        return gen != null ? gen : new Generator(SHAPE_ONLY_SEED);
    }
}
