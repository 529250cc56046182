package dev.unetgan.autograd.functions;

import dev.unetgan.autograd.Context;
import dev.unetgan.autograd.Function;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Ops;
import dev.unetgan.tensor.Shape;

import java.util.ArrayList;
import java.util.List;

/** {@code x[..., start:end, ...]} along one axis; the backward pads {@code gradOut} with zeros back to {@code x}'s shape. */
public final class Slice extends Function {
    private final int axis;
    private final int start;
    private final int end;
    private Shape inputShape;

    public Slice(int axis, int start, int end) {
        this.axis = axis;
        this.start = start;
        this.end = end;
    }

    @Override
    public String name() {
        return "slice";
    }

    @Override
    protected NDArray forward(Context ctx, NDArray... in) {
        inputShape = in[0].shape();
        return Ops.slice(in[0], axis, start, end);
    }

    @Override
    protected NDArray[] backward(Context ctx, NDArray gradOut) {
        int a = inputShape.normalizeAxis(axis);
        List<NDArray> zeros = new ArrayList<>(2);
        List<NDArray> parts = new ArrayList<>(3);
        try {
            if (start > 0) {
                parts.add(zeros(gradOut, a, start, zeros));
            }
            parts.add(gradOut);
            if (end < inputShape.dim(a)) {
                parts.add(zeros(gradOut, a, inputShape.dim(a) - end, zeros));
            }
            return new NDArray[]{Ops.concat(a, parts.toArray(new NDArray[0]))};
        } finally {
            zeros.forEach(NDArray::close);
        }
    }

    private static NDArray zeros(NDArray like, int axis, int size, List<NDArray> owned) {
        NDArray z = NDArray.zeros(like.shape().with(axis, size), like.dtype(), like.device());
        owned.add(z);
        return z;
    }
}
