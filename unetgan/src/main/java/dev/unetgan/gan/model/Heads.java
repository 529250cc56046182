package dev.unetgan.gan.model;

import dev.unetgan.autograd.Tensor;
import dev.unetgan.gan.layers.SNEmbedding;
import dev.unetgan.gan.layers.SNLinear;
import dev.unetgan.nn.layers.Conv2d;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.ReduceOp;

/**
 * The discriminator heads (UNETGAN.md §2), as functions of layers the models own (so their state keeps the
 * official names: {@code linear_middle}, {@code embed_middle}, {@code embed}, ...). A null embedding means
 * unconditional, and the projection term is left out.
 */
final class Heads {
    private Heads() {
    }

    /**
     * Global head: {@code f = Σ_{h,w} ReLU(h)} ({@code [B,C]}), {@code enc = linear(f) + <embed(y), f>};
     * {@code h [B,C,H,W] -> [B,1]}.
     */
    static Tensor global(Tensor h, SNLinear linear, SNEmbedding embed, NDArray y) {
        Tensor f = h.relu().sum(2, 3);
        Tensor out = linear.forward(f);
        return embed == null ? out : out.add(project(embed, y, f, 1));
    }

    /**
     * Pixel head, with no ReLU before it: {@code dec[b,0,i,j] = conv(h)[b,0,i,j] + <embed(y), h[b,:,i,j]>};
     * {@code h [B,C,H,W] -> [B,1,H,W]}.
     */
    static Tensor pixel(Tensor h, Conv2d conv, SNEmbedding embed, NDArray y) {
        Tensor out = conv.forward(h);
        if (embed == null) {
            return out;
        }
        Tensor e = embed.forward(requireLabels(y)).reshape(h.dim(0), h.dim(1), 1, 1);
        return out.add(h.mul(e).reduce(ReduceOp.SUM, true, 1));
    }

    /** {@code <embed(y), f>} over axis 1, kept: {@code f [B,C] -> [B,1]}. */
    private static Tensor project(SNEmbedding embed, NDArray y, Tensor f, int axis) {
        return embed.forward(requireLabels(y)).mul(f).reduce(ReduceOp.SUM, true, axis);
    }

    private static NDArray requireLabels(NDArray y) {
        if (y == null) {
            throw new IllegalArgumentException("a class-conditional discriminator needs the labels y");
        }
        return y;
    }
}
