package dev.unetgan.gan.loss;

import dev.unetgan.autograd.Context;
import dev.unetgan.autograd.Function;
import dev.unetgan.tensor.GanOps;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Ops;

/**
 * The CutMix consistency loss as an autograd op (UNETGAN.md §5): inputs {@code (dec(mixed), dec(x), dec(G(z)))},
 * three decoder logit maps of one shape, output the scalar
 * {@code weight · mean (dec(mixed) - [M⊙dec(x) + (1-M)⊙dec(G(z))])²}. Neither side is detached: the forward computes,
 * in the same fused pass ({@link dev.unetgan.tensor.Backend#cutmixConsistency}), the gradient of every input that
 * needs one, and the backward multiplies each by the upstream scalar. The mask M gets no gradient.
 */
public final class ConsistencyFunction extends Function {
    private final NDArray mask;
    private final double weight;

    /** {@code mask} (borrowed; kept open by the caller until backward) has the shape of the three inputs. */
    public ConsistencyFunction(NDArray mask, double weight) {
        if (mask == null) {
            throw new IllegalArgumentException("cutmix_consistency: no mask");
        }
        this.mask = mask;
        this.weight = weight;
    }

    @Override
    public String name() {
        return "cutmix_consistency";
    }

    @Override
    protected NDArray forward(Context ctx, NDArray... in) {
        GanOps.LossAndGrads r = GanOps.cutmixConsistency(in[0], in[1], in[2], mask, weight,
                ctx.needsInputGrad(0), ctx.needsInputGrad(1), ctx.needsInputGrad(2));
        for (int i = 0; i < 3; i++) {
            // Saved in input order, null where not needed, so saved(i) is input i's gradient.
            if (r.grad(i) != null) {
                ctx.saveOwned(r.grad(i));
            } else {
                ctx.save((NDArray) null);
            }
        }
        return r.loss();
    }

    @Override
    protected NDArray[] backward(Context ctx, NDArray gradOut) {
        NDArray[] grads = new NDArray[3];
        for (int i = 0; i < 3; i++) {
            if (ctx.needsInputGrad(i)) {
                grads[i] = Ops.mul(ctx.saved(i), gradOut);
            }
        }
        return grads;
    }
}
