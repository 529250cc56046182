package dev.unetgan.tensor;

/**
 * Checked entry points of the U-Net GAN's fused primitives (UNETGAN.md §3, §5): the GAN losses, the CutMix
 * mask-and-blend and the consistency loss. Like {@link Ops}, each checks its arguments, allocates the outputs and
 * calls the arrays' backend; the semantics are those of the {@link Backend} methods named.
 */
public final class GanOps {
    private GanOps() {
    }

    /** A scalar loss ({@code []}) and its gradients; a gradient not asked for is null. Closing closes them all. */
    public record LossAndGrads(NDArray loss, NDArray... grads) implements AutoCloseable {
        /** Gradient {@code i}, in argument order; null when not asked for. */
        public NDArray grad(int i) {
            return grads[i];
        }

        @Override
        public void close() {
            loss.close();
            for (NDArray g : grads) {
                if (g != null) {
                    g.close();
                }
            }
        }
    }

    /** The outputs of {@link #cutmixBlend}: {@code mixed [B,C,H,W]} and the mask {@code [B,1,H,W]}. */
    public record Mix(NDArray mixed, NDArray mask) implements AutoCloseable {
        @Override
        public void close() {
            mixed.close();
            mask.close();
        }
    }

    /**
     * {@link Backend#ganLoss} with a constant target (1 real, 0 fake): the scalar {@code weight · mean ℓ(l, t)} and,
     * when {@code withGrad}, its gradient w.r.t. {@code logits} (any shape, floating), as {@code grad(0)}.
     */
    public static LossAndGrads ganLoss(GanLossKind kind, NDArray logits, double target, double weight,
                                       boolean withGrad) {
        return ganLoss(kind, logits, null, target, weight, withGrad);
    }

    /**
     * {@link Backend#ganLoss} with a per-element target (the CutMix mask, 1 = real) of the shape and dtype of
     * {@code logits}.
     */
    public static LossAndGrads ganLoss(GanLossKind kind, NDArray logits, NDArray target, double weight,
                                       boolean withGrad) {
        if (target == null) {
            throw new IllegalArgumentException("gan_loss: no target array; use the constant-target overload");
        }
        return ganLoss(kind, logits, target, Double.NaN, weight, withGrad);
    }

    private static LossAndGrads ganLoss(GanLossKind kind, NDArray logits, NDArray target, double constant,
                                        double weight, boolean withGrad) {
        String op = "gan_loss";
        if (kind == null) {
            throw new IllegalArgumentException(op + ": no loss kind");
        }
        DType dtype = Checks.floating(op, logits, target);
        if (target != null) {
            Checks.shape(op, "target", target, logits.shape());
        }
        NDArray loss = NDArray.empty(Shape.scalar(), dtype, logits.device());
        NDArray grad = withGrad ? NDArray.empty(logits.shape(), dtype, logits.device()) : null;
        logits.backend().ganLoss(kind, logits, target, constant, weight, loss, grad);
        return new LossAndGrads(loss, grad);
    }

    /**
     * {@link Backend#cutmixBlend}: {@code real} and {@code fake} of one shape {@code [B,C,H,W]} and dtype,
     * {@code boxes} one per sample and within {@code [0,H] × [0,W]}. Returns {@code mixed [B,C,H,W]} and
     * {@code mask [B,1,H,W]} of that dtype.
     */
    public static Mix cutmixBlend(NDArray real, NDArray fake, CutMixBox[] boxes) {
        String op = "cutmix_blend";
        DType dtype = Checks.floating(op, real, fake);
        Checks.rank(op, "real", real, 4);
        Checks.shape(op, "fake", fake, real.shape());
        int b = real.dim(0), h = real.dim(2), w = real.dim(3);
        if (boxes == null || boxes.length != b) {
            throw new IllegalArgumentException(op + ": need " + b + " boxes for " + real.shape() + ", got "
                    + (boxes == null ? "none" : boxes.length));
        }
        for (int i = 0; i < b; i++) {
            CutMixBox box = boxes[i];
            if (box == null || box.rowEnd() > h || box.colEnd() > w) {
                throw new IllegalArgumentException(op + ": box " + i + " " + box + " is not clipped to " + h + "x" + w);
            }
        }
        NDArray mixed = NDArray.empty(real.shape(), dtype, real.device());
        NDArray mask = NDArray.empty(Shape.of(b, 1, h, w), dtype, real.device());
        if (real.size() > 0) {
            real.backend().cutmixBlend(real, fake, boxes, mixed, mask);
        } else if (mask.size() > 0) {
            mask.backend().fill(mask, 0);
        }
        return new Mix(mixed, mask);
    }

    /**
     * {@link Backend#cutmixConsistency}: the scalar {@code weight · mean (decMixed - [M⊙decReal + (1-M)⊙decFake])²}
     * and the gradients asked for, {@code grad(0)} w.r.t. {@code decMixed}, {@code grad(1)} w.r.t. {@code decReal},
     * {@code grad(2)} w.r.t. {@code decFake}. All four arrays have one shape and dtype.
     */
    public static LossAndGrads cutmixConsistency(NDArray decMixed, NDArray decReal, NDArray decFake, NDArray mask,
                                                 double weight, boolean gradMixed, boolean gradReal, boolean gradFake) {
        String op = "cutmix_consistency";
        DType dtype = Checks.floating(op, decMixed, decReal, decFake, mask);
        Checks.shape(op, "decReal", decReal, decMixed.shape());
        Checks.shape(op, "decFake", decFake, decMixed.shape());
        Checks.shape(op, "mask", mask, decMixed.shape());
        NDArray loss = NDArray.empty(Shape.scalar(), dtype, decMixed.device());
        NDArray gm = gradMixed ? NDArray.empty(decMixed.shape(), dtype, decMixed.device()) : null;
        NDArray gr = gradReal ? NDArray.empty(decMixed.shape(), dtype, decMixed.device()) : null;
        NDArray gf = gradFake ? NDArray.empty(decMixed.shape(), dtype, decMixed.device()) : null;
        decMixed.backend().cutmixConsistency(decMixed, decReal, decFake, mask, weight, loss, gm, gr, gf);
        return new LossAndGrads(loss, gm, gr, gf);
    }
}
