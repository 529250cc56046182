package dev.unetgan.gan.loss;

import dev.unetgan.autograd.Context;
import dev.unetgan.autograd.Function;
import dev.unetgan.tensor.GanLossKind;
import dev.unetgan.tensor.GanOps;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Ops;

/**
 * The fused GAN loss as an autograd op: input the logits (any shape), output the scalar
 * {@code weight · mean ℓ(l, t)} ({@link dev.unetgan.tensor.Backend#ganLoss}). The forward already computes the
 * logit gradient (when the logits need one), so the backward is one multiply by the upstream scalar. The target is
 * a constant or a per-element array (the CutMix mask), which gets no gradient.
 */
public final class GanLossFunction extends Function {
    private final GanLossKind kind;
    private final NDArray target;
    private final double constantTarget;
    private final double weight;

    /** A loss against the constant target {@code target} (1 real, 0 fake). */
    public GanLossFunction(GanLossKind kind, double target, double weight) {
        this(kind, null, target, weight);
    }

    /** A loss against a per-element {@code target} of the logits' shape (borrowed: the caller keeps it open until backward). */
    public GanLossFunction(GanLossKind kind, NDArray target, double weight) {
        this(kind, target, Double.NaN, weight);
        if (target == null) {
            throw new IllegalArgumentException("gan_loss: no target array");
        }
    }

    private GanLossFunction(GanLossKind kind, NDArray target, double constantTarget, double weight) {
        this.kind = kind;
        this.target = target;
        this.constantTarget = constantTarget;
        this.weight = weight;
    }

    @Override
    public String name() {
        return "gan_loss_" + kind.name().toLowerCase();
    }

    @Override
    protected NDArray forward(Context ctx, NDArray... in) {
        boolean grad = ctx.needsInputGrad(0);
        GanOps.LossAndGrads r = target == null
                ? GanOps.ganLoss(kind, in[0], constantTarget, weight, grad)
                : GanOps.ganLoss(kind, in[0], target, weight, grad);
        if (grad) {
            ctx.saveOwned(r.grad(0));
        }
        return r.loss();
    }

    @Override
    protected NDArray[] backward(Context ctx, NDArray gradOut) {
        return new NDArray[]{Ops.mul(ctx.saved(0), gradOut)};
    }
}
