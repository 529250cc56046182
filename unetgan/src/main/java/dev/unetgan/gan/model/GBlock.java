package dev.unetgan.gan.model;

import dev.unetgan.autograd.Tensor;
import dev.unetgan.gan.layers.SNConv2d;
import dev.unetgan.nn.Module;

/**
 * BigGAN's up-sampling residual block (UNETGAN.md §1) and, without normalization, the U-Net decoder block (§2):
 * main = {@code [BN1] -> ReLU -> nearest x2 -> SNConv3x3(in->out) -> [BN2] -> ReLU -> SNConv3x3(out->out)},
 * shortcut = {@code nearest x2 -> SNConv1x1(in->out)}, output = the sum; {@code [B,in,H,W] -> [B,out,2H,2W]}.
 * State: {@code conv1}, {@code conv2}, {@code conv_sc}, then {@code bn1}, {@code bn2} when normalized.
 */
public final class GBlock extends Module {
    private final int in;
    private final int out;
    private final SNConv2d conv1;
    private final SNConv2d conv2;
    private final SNConv2d convSc;
    private final ConditionalBatchNorm bn1;
    private final ConditionalBatchNorm bn2;

    private GBlock(Layers layers, int in, int out, boolean normalized) {
        this.in = in;
        this.out = out;
        conv1 = registerModule("conv1", layers.snConv(in, out, 3, true));
        conv2 = registerModule("conv2", layers.snConv(out, out, 3, true));
        convSc = registerModule("conv_sc", layers.snConv(in, out, 1, true));
        bn1 = normalized ? registerModule("bn1", new ConditionalBatchNorm(layers, in)) : null;
        bn2 = normalized ? registerModule("bn2", new ConditionalBatchNorm(layers, out)) : null;
    }

    /** A generator block, with conditional batch norms in the mode of the layers' config. */
    static GBlock generator(Layers layers, int in, int out) {
        return new GBlock(layers, in, out, true);
    }

    /** A decoder block: the same without normalization. */
    static GBlock decoder(Layers layers, int in, int out) {
        return new GBlock(layers, in, out, false);
    }

    /**
     * {@code x [B,in,H,W] -> [B,out,2H,2W]}; {@code c} is the batch's condition (read only by the batch norms, so
     * a decoder block may get null).
     */
    public Tensor forward(Tensor x, Cond c) {
        Tensor h = norm(bn1, x, c).relu().upsampleNearest2d(2);
        h = conv2.forward(norm(bn2, conv1.forward(h), c).relu());
        return h.add(convSc.forward(x.upsampleNearest2d(2)));
    }

    private static Tensor norm(ConditionalBatchNorm bn, Tensor x, Cond c) {
        return bn == null ? x : bn.forward(x, c);
    }

    public int inChannels() {
        return in;
    }

    public int outChannels() {
        return out;
    }

    @Override
    protected String describe() {
        return in + " -> " + out + (bn1 == null ? ", no norm" : "");
    }
}
