package dev.unetgan.autograd.functions;

import dev.unetgan.autograd.Context;
import dev.unetgan.autograd.Function;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Ops;

/** A materialized permutation of the axes; the backward applies the inverse permutation. */
public final class Permute extends Function {
    private final int[] perm;

    public Permute(int... perm) {
        this.perm = perm.clone();
    }

    @Override
    public String name() {
        return "permute";
    }

    @Override
    protected NDArray forward(Context ctx, NDArray... in) {
        return Ops.permute(in[0], perm);
    }

    @Override
    protected NDArray[] backward(Context ctx, NDArray gradOut) {
        int[] inverse = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            inverse[perm[i]] = i;
        }
        return new NDArray[]{Ops.permute(gradOut, inverse)};
    }
}
