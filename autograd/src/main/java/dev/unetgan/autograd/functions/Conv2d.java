package dev.unetgan.autograd.functions;

import dev.unetgan.autograd.Context;
import dev.unetgan.autograd.Function;
import dev.unetgan.tensor.Conv2dSpec;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Ops;
import dev.unetgan.tensor.SpatialOps;

/**
 * 2-D convolution: inputs {@code x [N,C,H,W]}, {@code weight [K,C,R,S]} and optionally {@code bias [K]}; output
 * {@code [N,K,P,Q]}. Backward: the backend's backward-data and backward-filter kernels, and {@code dBias} as the
 * sum of {@code gradOut} over N, P and Q.
 */
public final class Conv2d extends Function {
    private final Conv2dSpec spec;
    private final boolean hasBias;

    public Conv2d(Conv2dSpec spec, boolean hasBias) {
        this.spec = spec;
        this.hasBias = hasBias;
    }

    @Override
    public String name() {
        return "conv2d";
    }

    @Override
    protected NDArray forward(Context ctx, NDArray... in) {
        ctx.save(in[0], in[1]);
        return SpatialOps.conv2d(in[0], in[1], hasBias ? in[2] : null, spec);
    }

    @Override
    protected NDArray[] backward(Context ctx, NDArray gradOut) {
        NDArray x = ctx.saved(0), weight = ctx.saved(1);
        NDArray[] grads = new NDArray[hasBias ? 3 : 2];
        if (ctx.needsInputGrad(0)) {
            grads[0] = SpatialOps.conv2dBackwardData(gradOut, weight, spec, x.shape());
        }
        if (ctx.needsInputGrad(1)) {
            grads[1] = SpatialOps.conv2dBackwardFilter(x, gradOut, spec, weight.shape());
        }
        if (hasBias && ctx.needsInputGrad(2)) {
            grads[2] = Ops.sum(gradOut, 0, 2, 3);
        }
        return grads;
    }
}
