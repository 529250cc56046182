package dev.unetgan.gan.model;

import dev.unetgan.autograd.Tensor;
import dev.unetgan.nn.Layer;
import dev.unetgan.nn.Module;
import dev.unetgan.nn.ModuleList;

import java.util.List;

/** What both discriminators share: an encoder level with its optional attention, and the input check. */
final class Discriminators {
    private Discriminators() {
    }

    /**
     * The state-dict level {@code blocks.<i>} for {@code block} (key {@code 0}) and, if the config asks for attention
     * at output size {@code size}, a {@link SelfAttention} (key {@code 1}); appends the callable chain to
     * {@code chain}.
     */
    static ModuleList<Module> level(Layers layers, DBlock block, int size, List<Layer> chain) {
        ModuleList<Module> level = new ModuleList<>(block);
        if (layers.config().attention().contains(size)) {
            SelfAttention sa = new SelfAttention(layers, block.spec().out());
            level.add(sa);
            chain.add(new Chain(block, sa));
        } else {
            chain.add(block);
        }
        return level;
    }

    static void checkImages(ModelConfig config, Tensor x) {
        int r = config.resolution();
        if (x.rank() != 4 || x.dim(1) != config.channels() || x.dim(2) != r || x.dim(3) != r) {
            throw new IllegalArgumentException("D: images must be [B, " + config.channels() + ", " + r + ", " + r
                    + "], got " + x.shape());
        }
    }

    /** Block then attention, called as one; not registered (the level owns both). */
    private static final class Chain extends Layer {
        private final Layer first;
        private final Layer second;

        Chain(Layer first, Layer second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public Tensor forward(Tensor x) {
            return second.forward(first.forward(x));
        }
    }
}
