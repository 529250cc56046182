package dev.unetgan.autograd.functions;

import dev.unetgan.autograd.Context;
import dev.unetgan.autograd.Function;
import dev.unetgan.tensor.BinaryOp;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Ops;
import dev.unetgan.tensor.ReduceOp;
import dev.unetgan.tensor.Shape;

/**
 * Every {@link ReduceOp} over a set of axes (all when none), with or without kept dimensions. Backward broadcasts
 * {@code gradOut} back over the reduced axes: as is for SUM, divided by the count for MEAN, and for MAX/MIN only to
 * the elements equal to the extremum, split equally between ties (as PyTorch's {@code amax}).
 */
public final class Reduce extends Function {
    private final ReduceOp op;
    private final boolean keepDims;
    private final int[] axes;

    public Reduce(ReduceOp op, boolean keepDims, int... axes) {
        this.op = op;
        this.keepDims = keepDims;
        this.axes = axes.clone();
    }

    @Override
    public String name() {
        return op.name().toLowerCase();
    }

    @Override
    protected NDArray forward(Context ctx, NDArray... in) {
        NDArray y = Ops.reduce(op, in[0], keepDims, axes);
        ctx.save(in[0], y);
        return y;
    }

    @Override
    protected NDArray[] backward(Context ctx, NDArray gradOut) {
        NDArray x = ctx.saved(0);
        Shape kept = keptShape(x.shape());
        try (NDArray g = gradOut.reshape(kept)) {
            return new NDArray[]{switch (op) {
                case SUM -> broadcast(g, x, 1);
                case MEAN -> broadcast(g, x, (double) kept.size() / Math.max(1, x.size()));
                case MAX, MIN -> toExtrema(g, x, ctx.saved(1).reshape(kept));
            }};
        }
    }

    /** {@code g · scale} broadcast to the shape of {@code x}. */
    private static NDArray broadcast(NDArray g, NDArray x, double scale) {
        try (NDArray s = NDArray.full(x.shape(), x.dtype(), x.device(), scale)) {
            return Ops.mul(s, g);
        }
    }

    private NDArray toExtrema(NDArray g, NDArray x, NDArray extremum) {
        try (extremum;
             NDArray mask = Ops.binary(BinaryOp.EQ, x, extremum);
             NDArray ties = Ops.reduce(ReduceOp.SUM, mask, true, reducedAxes(x.rank()));
             NDArray share = Ops.div(g, ties)) {
            return Ops.mul(mask, share);
        }
    }

    private int[] reducedAxes(int rank) {
        if (axes.length == 0) {
            int[] all = new int[rank];
            for (int i = 0; i < rank; i++) all[i] = i;
            return all;
        }
        int[] norm = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            norm[i] = axes[i] < 0 ? axes[i] + rank : axes[i];
        }
        return norm;
    }

    private Shape keptShape(Shape in) {
        int[] dims = in.dims();
        for (int a : reducedAxes(in.rank())) {
            dims[a] = 1;
        }
        return Shape.of(dims);
    }
}
