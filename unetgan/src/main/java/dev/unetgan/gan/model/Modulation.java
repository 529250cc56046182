package dev.unetgan.gan.model;

import dev.unetgan.autograd.Tensor;
import dev.unetgan.nn.Module;
import dev.unetgan.nn.layers.Linear;
import dev.unetgan.nn.layers.ReLU;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Shape;

/**
 * One {@code gain} or {@code bias} of a conditional batch norm (UNETGAN.md §1): a map from the condition to
 * {@code [B, C]}. Neither form has SN.
 */
abstract sealed class Modulation extends Module permits Modulation.Mlp, Modulation.Embed {
    /** {@code [B, C]} for the batch's condition. */
    abstract Tensor forward(Cond c);

    /** The form {@code config} asks for: class embeddings when conditional, else the self-modulation MLP. */
    static Modulation create(Layers layers, int channels) {
        ModelConfig cfg = layers.config();
        return cfg.conditional() ? new Embed(layers, cfg.nClasses(), channels) : new Mlp(layers, cfg.dimZ(), channels);
    }

    /** Self-modulation: {@code Linear(dim_z -> dim_z, bias) -> ReLU -> Linear(dim_z -> C, no bias)} of the full z. */
    static final class Mlp extends Modulation {
        private final Linear hidden;
        private final ReLU act;
        private final Linear out;

        Mlp(Layers layers, int dimZ, int channels) {
            // Named 0, 1, 2 as the official nn.Sequential, so the keys read gain.0.weight, gain.2.weight.
            hidden = registerModule("0", layers.linear(dimZ, dimZ, true));
            act = registerModule("1", new ReLU());
            out = registerModule("2", layers.linear(dimZ, channels, false));
        }

        /** {@code z [B, dim_z] -> [B, C]}. */
        @Override
        Tensor forward(Cond c) {
            return out.forward(act.forward(hidden.forward(c.z())));
        }
    }

    /** Class-conditional: an {@code Embedding(n_classes, C)} (its table is the key {@code gain.weight}). */
    static final class Embed extends Modulation {
        private final Tensor weight;

        Embed(Layers layers, int nClasses, int channels) {
            ModelConfig cfg = layers.config();
            weight = registerParameter("weight", NDArray.zeros(Shape.of(nClasses, channels), cfg.dtype(), cfg.device()));
            layers.orthogonal(weight.value());
        }

        /** {@code y [B] -> [B, C]}. */
        @Override
        Tensor forward(Cond c) {
            if (c.y() == null) {
                throw new IllegalArgumentException("class-conditional batch norm needs the labels y");
            }
            return weight.gather(c.y());
        }
    }
}
