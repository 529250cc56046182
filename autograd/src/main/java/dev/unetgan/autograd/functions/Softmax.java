package dev.unetgan.autograd.functions;

import dev.unetgan.autograd.Context;
import dev.unetgan.autograd.Function;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Ops;

/** Softmax or log-softmax along one axis; the backward needs only the output {@code y}. */
public final class Softmax extends Function {
    private final int axis;
    private final boolean log;

    public Softmax(int axis, boolean log) {
        this.axis = axis;
        this.log = log;
    }

    @Override
    public String name() {
        return log ? "log_softmax" : "softmax";
    }

    @Override
    protected NDArray forward(Context ctx, NDArray... in) {
        NDArray y = log ? Ops.logSoftmax(in[0], axis) : Ops.softmax(in[0], axis);
        ctx.save(y);
        return y;
    }

    @Override
    protected NDArray[] backward(Context ctx, NDArray gradOut) {
        return new NDArray[]{Ops.softmaxBackward(ctx.saved(0), gradOut, axis, log)};
    }
}
