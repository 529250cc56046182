package dev.unetgan.gan.model;

import dev.unetgan.autograd.Tensor;
import dev.unetgan.nn.Module;
import dev.unetgan.tensor.NDArray;

/**
 * What a training step needs of a discriminator ({@code --d-arch unet|biggan}): real/fake logits for a batch of
 * images. The U-Net D gives a per-image and a per-pixel decision, the BigGAN baseline only the per-image one.
 */
public abstract sealed class Discriminator extends Module permits UNetDiscriminator, BigGanDiscriminator {
    /** The logits: {@code enc [B,1]} per image and {@code dec [B,1,H,W]} per pixel (null for the baseline). */
    public record Outputs(Tensor enc, Tensor dec) {
        /** Whether this D has a per-pixel decoder output. */
        public boolean perPixel() {
            return dec != null;
        }
    }

    /**
     * Logits for images {@code x [B, c, res, res]} and, when conditional, classes {@code y} (I32 {@code [B]}; null
     * otherwise). CPU backend; any backend that implements the engine primitives.
     */
    public abstract Outputs forward(Tensor x, NDArray y);

    public abstract ModelConfig config();
}
