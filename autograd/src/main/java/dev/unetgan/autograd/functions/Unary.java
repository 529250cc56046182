package dev.unetgan.autograd.functions;

import dev.unetgan.autograd.Context;
import dev.unetgan.autograd.Function;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Ops;
import dev.unetgan.tensor.UnaryOp;

/**
 * Every {@link UnaryOp}: {@code y = op(x; param)}, same shape. The backward is the op's own table derivative,
 * {@code gradIn = gradOut · op'(x, y; param)}, computed by the backend in one pass.
 */
public final class Unary extends Function {
    private final UnaryOp op;
    private final double param;

    public Unary(UnaryOp op, double param) {
        this.op = op;
        this.param = param;
    }

    @Override
    public String name() {
        return op.name().toLowerCase();
    }

    @Override
    protected NDArray forward(Context ctx, NDArray... in) {
        NDArray y = Ops.unary(op, param, in[0]);
        ctx.save(in[0], y);
        return y;
    }

    @Override
    protected NDArray[] backward(Context ctx, NDArray gradOut) {
        return new NDArray[]{Ops.unaryBackward(op, param, ctx.saved(0), ctx.saved(1), gradOut)};
    }
}
