package dev.unetgan.gan.loss;

import dev.unetgan.tensor.CutMixBox;
import dev.unetgan.tensor.Generator;
import dev.unetgan.tensor.GanOps;
import dev.unetgan.tensor.NDArray;

/**
 * CutMix for the U-Net discriminator (UNETGAN.md §5): box sampling on the host from the engine's seeded
 * {@link Generator}, and the fused mask-and-blend.
 *
 * <p>Per sample, four uniform draws, in this order: {@code lam ~ U(0,1)} (Beta(1,1)); the center row {@code cx} and
 * then the center column {@code cy}, each {@code floor(u·S)}, uniform over the integers in {@code [0,S)}; and the
 * inversion, {@code u < 0.5}. With {@code w = h = floor(S·sqrt(1-lam))}, the box is
 * {@code [cx - w/2, cx + w/2) × [cy - h/2, cy + h/2)} with integer halves, clipped to the image; {@code M = 1}
 * (real) outside it, 0 inside, and flipped when inverted. Samples are drawn one after another, so sample {@code i}
 * uses draws {@code 4i .. 4i+3}.
 *
 * <p>No gradient flows through the blend. CutMix terms belong to the D step only, where G runs without grad, so
 * {@code G(z)} is a constant there and {@code x} is data: {@code mixed} is a leaf input of D, and
 * {@link #blend} is a plain array op. (If a caller ever needed it, the backward would be
 * {@code g_real = M⊙g}, {@code g_fake = (1-M)⊙g}.) Gradients do flow through D's three outputs into the
 * consistency loss ({@link ConsistencyFunction}).
 */
public final class CutMix {
    private CutMix() {
    }

    /**
     * The box of §5 from its parameters, for an {@code size × size} image: {@code lam} in {@code [0,1]}, center
     * row {@code cx} and column {@code cy} in {@code [0, size)}.
     */
    public static CutMixBox box(int size, double lam, int cx, int cy, boolean inverted) {
        if (!(lam >= 0 && lam <= 1) || cx < 0 || cx >= size || cy < 0 || cy >= size) {
            throw new IllegalArgumentException("CutMix: lam " + lam + " and center (" + cx + ", " + cy
                    + ") out of range for size " + size);
        }
        int side = (int) Math.floor(size * Math.sqrt(1 - lam));
        int half = side / 2;
        return new CutMixBox(clip(cx - half, size), clip(cx + half, size), clip(cy - half, size),
                clip(cy + half, size), inverted);
    }

    private static int clip(int v, int size) {
        return Math.max(0, Math.min(size, v));
    }

    /** One sample's box for an {@code size × size} image, from four draws of {@code rng}. */
    public static CutMixBox sample(Generator rng, int size) {
        double lam = rng.nextDouble();
        int cx = uniformInt(rng, size);
        int cy = uniformInt(rng, size);
        boolean inverted = rng.nextDouble() < 0.5;
        return box(size, lam, cx, cy, inverted);
    }

    /** {@code batch} boxes, sample 0 first. */
    public static CutMixBox[] sample(Generator rng, int batch, int size) {
        CutMixBox[] boxes = new CutMixBox[batch];
        for (int i = 0; i < batch; i++) {
            boxes[i] = sample(rng, size);
        }
        return boxes;
    }

    private static int uniformInt(Generator rng, int n) {
        // nextDouble < 1, so this is below n; the min guards the float edge of u·n rounding up to n.
        return Math.min(n - 1, (int) (rng.nextDouble() * n));
    }

    /**
     * The fused mask-and-blend ({@link dev.unetgan.tensor.Backend#cutmixBlend}): {@code mixed = M⊙real + (1-M)⊙fake}
     * ({@code [B,C,S,S]}) and {@code M} ({@code [B,1,S,S]}), one box per sample; pairs are aligned, sample i mixes
     * {@code real[i]} with {@code fake[i]}.
     */
    public static GanOps.Mix blend(NDArray real, NDArray fake, CutMixBox[] boxes) {
        return GanOps.cutmixBlend(real, fake, boxes);
    }

    /** Samples one box per image of {@code real} ({@code [B,C,S,S]}, square) and blends. */
    public static GanOps.Mix sampleAndBlend(Generator rng, NDArray real, NDArray fake) {
        if (real.rank() != 4 || real.dim(2) != real.dim(3)) {
            throw new IllegalArgumentException("CutMix: needs square [B,C,S,S] images, got " + real.shape());
        }
        return blend(real, fake, sample(rng, real.dim(0), real.dim(2)));
    }
}
