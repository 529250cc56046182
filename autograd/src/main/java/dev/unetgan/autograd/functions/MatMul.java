package dev.unetgan.autograd.functions;

import dev.unetgan.autograd.Context;
import dev.unetgan.autograd.Function;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Ops;

/**
 * {@code C = op(A)·op(B)}, 2-D or batched 3-D, where {@code op} optionally transposes the last two dimensions.
 * With {@code G = dC}: for {@code C = A·B}, {@code dA = G·Bᵀ} and {@code dB = Aᵀ·G}; the transposed variants
 * follow by transposing those identities, so every case is one more matmul with transpose flags and no
 * materialized transpose. A broadcast batch (a 2-D operand or a batch of 1) is summed back by
 * {@link Function#reduceTo}.
 */
public final class MatMul extends Function {
    private final boolean transA;
    private final boolean transB;

    public MatMul(boolean transA, boolean transB) {
        this.transA = transA;
        this.transB = transB;
    }

    @Override
    public String name() {
        return "matmul";
    }

    @Override
    protected NDArray forward(Context ctx, NDArray... in) {
        ctx.save(in[0], in[1]);
        return Ops.matmul(in[0], in[1], transA, transB);
    }

    @Override
    protected NDArray[] backward(Context ctx, NDArray g) {
        NDArray a = ctx.saved(0), b = ctx.saved(1);
        NDArray[] grads = new NDArray[2];
        if (ctx.needsInputGrad(0)) {
            NDArray da = transA
                    ? Ops.matmul(b, g, transB, true)     // dA = op(B)·Gᵀ, i.e. (G·op(B)ᵀ)ᵀ
                    : Ops.matmul(g, b, false, !transB);  // dA = G·op(B)ᵀ
            grads[0] = reduceTo(da, a.shape());
        }
        if (ctx.needsInputGrad(1)) {
            NDArray db = transB
                    ? Ops.matmul(g, a, true, transA)     // dB = Gᵀ·op(A), i.e. (op(A)ᵀ·G)ᵀ
                    : Ops.matmul(a, g, !transA, false);  // dB = op(A)ᵀ·G
            grads[1] = reduceTo(db, b.shape());
        }
        return grads;
    }
}
