package dev.unetgan.autograd.functions;

import dev.unetgan.autograd.Context;
import dev.unetgan.autograd.Function;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Pool2dSpec;
import dev.unetgan.tensor.PoolMode;
import dev.unetgan.tensor.Shape;
import dev.unetgan.tensor.SpatialOps;

/**
 * Average or max pooling, {@code [N,C,H,W] -> [N,C,P,Q]}. Max pooling keeps the positions of the maxima (owned by
 * the context, freed after backward) and routes each window's gradient to its maximum; average pooling spreads it
 * evenly, padding included.
 */
public final class Pool2d extends Function {
    private final PoolMode mode;
    private final Pool2dSpec spec;
    private Shape inputShape;

    public Pool2d(PoolMode mode, Pool2dSpec spec) {
        this.mode = mode;
        this.spec = spec;
    }

    @Override
    public String name() {
        return mode.name().toLowerCase() + "_pool2d";
    }

    @Override
    protected NDArray forward(Context ctx, NDArray... in) {
        inputShape = in[0].shape();
        if (mode == PoolMode.AVG) {
            return SpatialOps.avgPool2d(in[0], spec);
        }
        SpatialOps.MaxPooled pooled = SpatialOps.maxPool2d(in[0], spec);
        ctx.saveOwned(pooled.indices());
        return pooled.out();
    }

    @Override
    protected NDArray[] backward(Context ctx, NDArray gradOut) {
        NDArray indices = mode == PoolMode.MAX ? ctx.saved(0) : null;
        return new NDArray[]{SpatialOps.pool2dBackward(mode, gradOut, indices, spec, inputShape)};
    }
}
