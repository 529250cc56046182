package dev.unetgan.autograd;

import dev.unetgan.tensor.NDArray;

/**
 * A graph node: the {@link Function} application that produced a tensor, its {@link Context} and its input tensors
 * (the graph's edges). Nodes are made by {@link Function#apply} and consumed by {@link Backward}.
 */
public final class Node {
    final Function function;
    final Context ctx;
    final Tensor[] inputs;

    Node(Function function, Context ctx, Tensor[] inputs) {
        this.function = function;
        this.ctx = ctx;
        this.inputs = inputs;
    }

    /** The op's name, for messages. */
    public String name() {
        return function.name();
    }

    /** Whether a backward pass has already freed this node's saved arrays. */
    public boolean isFreed() {
        return ctx.isReleased();
    }

    /**
     * Runs the function's backward and checks its answer: one entry per input, null exactly where no gradient is
     * needed (a gradient nobody asked for is closed and dropped), each the shape of its input.
     */
    NDArray[] backward(NDArray gradOut) {
        if (ctx.isReleased()) {
            throw freedError();
        }
        NDArray[] grads = function.backward(ctx, gradOut);
        if (grads.length != inputs.length) {
            throw new IllegalStateException(name() + ": backward returned " + grads.length + " gradients for "
                    + inputs.length + " inputs");
        }
        for (int i = 0; i < grads.length; i++) {
            if (grads[i] == null) {
                continue;
            }
            if (!ctx.needsInputGrad(i)) {
                grads[i].close();
                grads[i] = null;
            } else if (!grads[i].shape().equals(inputs[i].shape())) {
                throw new IllegalStateException(name() + ": backward returned gradient " + grads[i].shape()
                        + " for input " + i + " of shape " + inputs[i].shape());
            }
        }
        return grads;
    }

    IllegalStateException freedError() {
        return new IllegalStateException("backward: the graph through " + name() + " was already freed by an earlier "
                + "backward(); build the graph again (run the forward again) before calling backward a second time");
    }

    @Override
    public String toString() {
        return "Node(" + name() + ")";
    }
}
