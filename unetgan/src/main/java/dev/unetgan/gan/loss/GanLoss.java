package dev.unetgan.gan.loss;

import dev.unetgan.autograd.Tensor;
import dev.unetgan.tensor.GanLossKind;
import dev.unetgan.tensor.NDArray;

/**
 * The selectable loss of UNETGAN.md §3 ({@code --loss bce|hinge}), as the four terms a training step needs, each a
 * scalar autograd {@link Tensor} from the fused primitive, already multiplied by {@code weight} (the 0.5 factors of
 * §3 go there, so no extra op is needed). Logits are encoder {@code [B,1]} or decoder {@code [B,1,H,W]} outputs; the
 * mean runs over all their elements (B for the encoder, B·H·W for the decoder).
 */
public enum GanLoss {
    /** The official default: non-saturating BCE on logits, {@code softplus(l) - t·l}. */
    BCE(GanLossKind.BCE, GanLossKind.BCE),
    /** BigGAN's hinge loss: D {@code relu(1-l)} real, {@code relu(1+l)} fake; G {@code -l}. */
    HINGE(GanLossKind.HINGE, GanLossKind.HINGE_GENERATOR);

    private final GanLossKind discriminator;
    private final GanLossKind generator;

    GanLoss(GanLossKind discriminator, GanLossKind generator) {
        this.discriminator = discriminator;
        this.generator = generator;
    }

    /** D's term for logits of real images: {@code weight · mean ℓ(l, 1)}. */
    public Tensor real(Tensor logits, double weight) {
        return new GanLossFunction(discriminator, 1, weight).apply(logits);
    }

    /** D's term for logits of fake images: {@code weight · mean ℓ(l, 0)}. */
    public Tensor fake(Tensor logits, double weight) {
        return new GanLossFunction(discriminator, 0, weight).apply(logits);
    }

    /**
     * D's per-pixel term for a CutMix image: {@code weight · mean ℓ(l, M)} with the mask {@code M} (1 = real) of the
     * logits' shape {@code [B,1,H,W]}; with hinge, each pixel takes the real or fake form.
     */
    public Tensor masked(Tensor logits, NDArray mask, double weight) {
        return new GanLossFunction(discriminator, mask, weight).apply(logits);
    }

    /** G's term: {@code weight · mean bce(l, 1)} (non-saturating) or {@code weight · mean(-l)} (hinge). */
    public Tensor generator(Tensor logits, double weight) {
        return new GanLossFunction(generator, 1, weight).apply(logits);
    }

    /**
     * The CutMix consistency term {@code weight · mean (dec(mixed) - [M⊙dec(x) + (1-M)⊙dec(G(z))])²} on decoder
     * logits, with gradients into all three (the same for both losses).
     */
    public static Tensor consistency(Tensor decMixed, Tensor decReal, Tensor decFake, NDArray mask, double weight) {
        return new ConsistencyFunction(mask, weight).apply(decMixed, decReal, decFake);
    }
}
