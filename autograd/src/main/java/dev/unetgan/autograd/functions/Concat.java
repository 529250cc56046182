package dev.unetgan.autograd.functions;

import dev.unetgan.autograd.Context;
import dev.unetgan.autograd.Function;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Ops;

/** Concatenation along one axis; the backward slices {@code gradOut} back into one piece per input. */
public final class Concat extends Function {
    private final int axis;
    private int[] sizes;

    public Concat(int axis) {
        this.axis = axis;
    }

    @Override
    public String name() {
        return "concat";
    }

    @Override
    protected NDArray forward(Context ctx, NDArray... in) {
        NDArray out = Ops.concat(axis, in);
        int a = out.shape().normalizeAxis(axis);
        sizes = new int[in.length];
        for (int i = 0; i < in.length; i++) {
            sizes[i] = in[i].dim(a);
        }
        return out;
    }

    @Override
    protected NDArray[] backward(Context ctx, NDArray gradOut) {
        NDArray[] grads = new NDArray[sizes.length];
        for (int i = 0, offset = 0; i < sizes.length; offset += sizes[i], i++) {
            if (ctx.needsInputGrad(i)) {
                grads[i] = Ops.slice(gradOut, axis, offset, offset + sizes[i]);
            }
        }
        return grads;
    }
}
