package dev.unetgan.gan.model;

import dev.unetgan.autograd.Tensor;
import dev.unetgan.gan.layers.SNConv2d;
import dev.unetgan.nn.Layer;
import dev.unetgan.tensor.Pool2dSpec;

/**
 * BigGAN's "wide" discriminator block (UNETGAN.md §2), hidden width = out, {@code [B,in,H,W] -> [B,out,H/2,W/2]}
 * (or the same size without down-sampling):
 * <ul>
 * <li>block 0 ({@code preactivation = false}): main = SNConv3x3 -> ReLU -> SNConv3x3 -> avgpool 2;
 *     shortcut = avgpool 2 -> SNConv1x1;</li>
 * <li>later blocks: main = ReLU -> SNConv3x3 -> ReLU -> SNConv3x3 -> avgpool 2; shortcut = SNConv1x1 -> avgpool 2.</li>
 * </ul>
 * The shortcut conv ({@code conv_sc}) exists when {@code in != out} or the block down-samples (BigGAN's
 * {@code learnable_sc}); otherwise the shortcut is the identity.
 */
public final class DBlock extends Layer {
    private static final Pool2dSpec POOL = Pool2dSpec.of(2);

    /** One row of a discriminator's block list. */
    public record Spec(int in, int out, boolean preactivation, boolean downsample) {
        boolean learnableShortcut() {
            return in != out || downsample;
        }
    }

    private final Spec spec;
    private final SNConv2d conv1;
    private final SNConv2d conv2;
    private final SNConv2d convSc;

    DBlock(Layers layers, Spec spec) {
        this.spec = spec;
        conv1 = registerModule("conv1", layers.snConv(spec.in(), spec.out(), 3, true));
        conv2 = registerModule("conv2", layers.snConv(spec.out(), spec.out(), 3, true));
        convSc = spec.learnableShortcut() ? registerModule("conv_sc", layers.snConv(spec.in(), spec.out(), 1, true)) : null;
    }

    /** {@code [B,in,H,W] -> [B,out,H/2,W/2]} (H, W kept without down-sampling). */
    @Override
    public Tensor forward(Tensor x) {
        Tensor h = spec.preactivation() ? x.relu() : x;
        h = pool(conv2.forward(conv1.forward(h).relu()));
        return h.add(shortcut(x));
    }

    private Tensor shortcut(Tensor x) {
        if (convSc == null) {
            return pool(x);
        }
        // BigGAN's order; both commute (bias included), so only rounding depends on it.
        return spec.preactivation() ? pool(convSc.forward(x)) : convSc.forward(pool(x));
    }

    private Tensor pool(Tensor x) {
        return spec.downsample() ? x.avgPool2d(POOL) : x;
    }

    public Spec spec() {
        return spec;
    }

    @Override
    protected String describe() {
        return spec.in() + " -> " + spec.out() + (spec.preactivation() ? ", pre-activation" : ", first")
                + (spec.downsample() ? ", down" : "");
    }
}
