package dev.unetgan.autograd.functions;

import dev.unetgan.autograd.Context;
import dev.unetgan.autograd.Function;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Ops;

/**
 * Row gather (embedding lookup): {@code table [V,D]} at {@code indices} (I32 {@code [N]}, not differentiable) gives
 * {@code [N,D]}. The backward scatter-adds {@code gradOut} into a zero table, so repeated indices sum.
 */
public final class Gather extends Function {
    private final NDArray indices;

    /** @param indices borrowed; must stay open until the backward has run */
    public Gather(NDArray indices) {
        this.indices = indices;
    }

    @Override
    public String name() {
        return "gather";
    }

    @Override
    protected NDArray forward(Context ctx, NDArray... in) {
        ctx.save(in[0]);
        return Ops.gather(in[0], indices);
    }

    @Override
    protected NDArray[] backward(Context ctx, NDArray gradOut) {
        NDArray table = ctx.saved(0);
        NDArray dTable = NDArray.zeros(table.shape(), table.dtype(), table.device());
        Ops.scatterAdd(gradOut, indices, dTable);
        return new NDArray[]{dTable};
    }
}
