package dev.unetgan.autograd.functions;

import dev.unetgan.autograd.Context;
import dev.unetgan.autograd.Function;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Ops;
import dev.unetgan.tensor.TernaryOp;

/**
 * Every {@link TernaryOp}: {@code y = op(x, a, b)} with broadcasting over all three. Like {@link Binary}: the table
 * partial in the broadcast shape, summed back to each input's shape.
 */
public final class Ternary extends Function {
    private final TernaryOp op;

    public Ternary(TernaryOp op) {
        this.op = op;
    }

    @Override
    public String name() {
        return op.name().toLowerCase();
    }

    @Override
    protected NDArray forward(Context ctx, NDArray... in) {
        ctx.save(in[0], in[1], in[2]);
        return Ops.ternary(op, in[0], in[1], in[2]);
    }

    @Override
    protected NDArray[] backward(Context ctx, NDArray gradOut) {
        NDArray[] grads = new NDArray[3];
        NDArray x = ctx.saved(0), a = ctx.saved(1), b = ctx.saved(2);
        for (int i = 0; i < 3; i++) {
            // WHERE's condition has a zero partial everywhere; skip the kernel rather than sum zeros.
            if (ctx.needsInputGrad(i) && !(op == TernaryOp.WHERE && i == 0)) {
                grads[i] = reduceTo(Ops.ternaryBackward(op, i, x, a, b, gradOut), ctx.saved(i).shape());
            }
        }
        return grads;
    }
}
