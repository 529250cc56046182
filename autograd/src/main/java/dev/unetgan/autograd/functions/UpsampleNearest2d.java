package dev.unetgan.autograd.functions;

import dev.unetgan.autograd.Context;
import dev.unetgan.autograd.Function;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.SpatialOps;

/** Nearest upsampling by an integer factor, {@code [N,C,H,W] -> [N,C,H·f,W·f]}; the backward sums each {@code f×f} block. */
public final class UpsampleNearest2d extends Function {
    private final int factor;

    public UpsampleNearest2d(int factor) {
        this.factor = factor;
    }

    @Override
    public String name() {
        return "upsample_nearest2d";
    }

    @Override
    protected NDArray forward(Context ctx, NDArray... in) {
        return SpatialOps.upsampleNearest2d(in[0], factor);
    }

    @Override
    protected NDArray[] backward(Context ctx, NDArray gradOut) {
        return new NDArray[]{SpatialOps.upsampleNearest2dBackward(gradOut, factor)};
    }
}
