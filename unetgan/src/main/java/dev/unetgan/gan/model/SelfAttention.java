package dev.unetgan.gan.model;

import dev.unetgan.autograd.Tensor;
import dev.unetgan.gan.layers.SNConv2d;
import dev.unetgan.nn.Layer;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Pool2dSpec;
import dev.unetgan.tensor.Shape;

/**
 * SA-GAN's non-local block as in BigGAN (UNETGAN.md §1), {@code [B,C,H,W] -> [B,C,H,W]} with even H, W and
 * {@code C ≥ 8}: {@code θ = SNConv1x1(C->C/8)}, {@code φ = SNConv1x1(C->C/8)} then maxpool 2,
 * {@code g = SNConv1x1(C->C/2)} then maxpool 2 (no biases); {@code β = softmax over keys of θᵀφ};
 * {@code o = SNConv1x1(C/2->C)(g·βᵀ)}; output {@code γ·o + x}, with the scalar {@code gamma} starting at 0.
 */
public final class SelfAttention extends Layer {
    private static final Pool2dSpec POOL = Pool2dSpec.of(2);

    private final int channels;
    private final Tensor gamma;
    private final SNConv2d theta;
    private final SNConv2d phi;
    private final SNConv2d g;
    private final SNConv2d o;

    SelfAttention(Layers layers, int channels) {
        if (channels < 8) {
            throw new IllegalArgumentException("self-attention needs at least 8 channels, got " + channels);
        }
        this.channels = channels;
        ModelConfig cfg = layers.config();
        theta = registerModule("theta", layers.snConv(channels, channels / 8, 1, false));
        phi = registerModule("phi", layers.snConv(channels, channels / 8, 1, false));
        g = registerModule("g", layers.snConv(channels, channels / 2, 1, false));
        o = registerModule("o", layers.snConv(channels / 2, channels, 1, false));
        gamma = registerParameter("gamma", NDArray.zeros(Shape.scalar(), cfg.dtype(), cfg.device()));
    }

    /** {@code [B,C,H,W] -> [B,C,H,W]}. */
    @Override
    public Tensor forward(Tensor x) {
        int b = x.dim(0);
        int h = x.dim(2);
        int w = x.dim(3);
        int keys = (h / 2) * (w / 2);
        Tensor queries = theta.forward(x).reshape(b, channels / 8, h * w);
        Tensor k = phi.forward(x).maxPool2d(POOL).reshape(b, channels / 8, keys);
        Tensor v = g.forward(x).maxPool2d(POOL).reshape(b, channels / 2, keys);
        Tensor beta = queries.matmul(k, true, false).softmax(2);             // [B, HW, HW/4]
        Tensor attended = v.matmul(beta, false, true).reshape(b, channels / 2, h, w);
        return o.forward(attended).mul(gamma).add(x);
    }

    @Override
    protected String describe() {
        return Integer.toString(channels);
    }
}
