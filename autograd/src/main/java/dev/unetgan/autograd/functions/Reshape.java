package dev.unetgan.autograd.functions;

import dev.unetgan.autograd.Context;
import dev.unetgan.autograd.Function;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Shape;

/** A view of the same elements in another shape; forward and backward are both free (shared storage). */
public final class Reshape extends Function {
    private final int[] dims;
    private Shape inputShape;

    public Reshape(int... dims) {
        this.dims = dims.clone();
    }

    @Override
    public String name() {
        return "reshape";
    }

    @Override
    protected NDArray forward(Context ctx, NDArray... in) {
        inputShape = in[0].shape();
        return in[0].reshape(dims);
    }

    @Override
    protected NDArray[] backward(Context ctx, NDArray gradOut) {
        return new NDArray[]{gradOut.reshape(inputShape)};
    }
}
