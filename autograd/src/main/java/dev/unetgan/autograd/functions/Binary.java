package dev.unetgan.autograd.functions;

import dev.unetgan.autograd.Context;
import dev.unetgan.autograd.Function;
import dev.unetgan.tensor.BinaryOp;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Ops;

/**
 * Every {@link BinaryOp}: {@code y = op(a, b)} with broadcasting. The backward takes the op's table partial in the
 * broadcast shape and sums it back to each input's shape ({@link Function#reduceTo}). Comparisons have no gradient.
 */
public final class Binary extends Function {
    private final BinaryOp op;

    public Binary(BinaryOp op) {
        this.op = op;
    }

    @Override
    public String name() {
        return op.name().toLowerCase();
    }

    @Override
    protected NDArray forward(Context ctx, NDArray... in) {
        ctx.save(in[0], in[1]);
        return Ops.binary(op, in[0], in[1]);
    }

    @Override
    protected NDArray[] backward(Context ctx, NDArray gradOut) {
        NDArray[] grads = new NDArray[2];
        if (!op.isDifferentiable()) {
            return grads;
        }
        NDArray a = ctx.saved(0), b = ctx.saved(1);
        for (int i = 0; i < 2; i++) {
            if (ctx.needsInputGrad(i)) {
                grads[i] = reduceTo(Ops.binaryBackward(op, i, a, b, gradOut), ctx.saved(i).shape());
            }
        }
        return grads;
    }
}
