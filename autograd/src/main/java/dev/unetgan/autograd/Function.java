package dev.unetgan.autograd;

import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Ops;
import dev.unetgan.tensor.Shape;

/**
 * A differentiable op: forward and backward in one class (DESIGN.md §3). An instance is made per application and
 * holds the op's settings (axes, strides, ...) in final fields; what the backward needs from the forward goes
 * through the {@link Context}. {@link #backward} returns one gradient per input, each the shape of its input and
 * freshly allocated (the engine closes it after use), and null where {@code ctx.needsInputGrad(i)} is false.
 *
 * <p>Implementations are in {@code dev.unetgan.autograd.functions}; users call them through {@link Tensor}'s methods.
 */
public abstract class Function {
    private boolean applied;

    /** The op's name, as used in error messages. */
    public abstract String name();

    /** Computes the output from the input values; may save arrays in {@code ctx} for the backward. */
    protected abstract NDArray forward(Context ctx, NDArray... inputs);

    /**
     * The gradients with respect to each input, given the gradient of the output. {@code gradOut} belongs to the
     * engine: do not close it, and do not return it (return a copy or a view).
     */
    protected abstract NDArray[] backward(Context ctx, NDArray gradOut);

    /**
     * Runs the forward on the inputs' values and, when grad mode is on and some input requires grad, records a
     * graph node so that the result can be differentiated.
     */
    public final Tensor apply(Tensor... inputs) {
        if (applied) {
            throw new IllegalStateException(name() + ": a Function instance is applied once; make a new one per call");
        }
        applied = true;
        NDArray[] values = new NDArray[inputs.length];
        boolean[] needs = new boolean[inputs.length];
        boolean record = false;
        for (int i = 0; i < inputs.length; i++) {
            values[i] = inputs[i].value();
            needs[i] = inputs[i].requiresGrad() && NoGrad.isGradEnabled();
            record |= needs[i];
        }
        Context ctx = new Context(needs);
        NDArray out;
        try {
            out = forward(ctx, values);
        } catch (RuntimeException e) {
            ctx.release();
            throw e;
        }
        if (!record) {
            ctx.release();
            return Tensor.of(out);
        }
        return Tensor.ofNode(out, new Node(this, ctx, inputs.clone()));
    }

    /**
     * Undoes broadcasting: {@code grad} (of a broadcast shape) summed down to {@code shape}. This is the one place
     * in the engine where that happens. Consumes {@code grad}: returns it unchanged when it already has
     * {@code shape}, else closes it and returns the reduced array.
     */
    protected static NDArray reduceTo(NDArray grad, Shape shape) {
        if (grad.shape().equals(shape)) {
            return grad;
        }
        try (grad) {
            return Ops.sumTo(grad, shape);
        }
    }
}
