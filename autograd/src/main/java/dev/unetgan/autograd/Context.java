package dev.unetgan.autograd;

import dev.unetgan.tensor.NDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What one application of a {@link Function} keeps for its backward pass: which inputs need a gradient, and the
 * saved arrays. Arrays saved with {@link #save} are borrowed (inputs and the output, owned elsewhere); arrays saved
 * with {@link #saveOwned} were made by the forward for the backward (batch statistics, max-pool positions) and are
 * closed by {@link #release}, which the engine calls once the backward has used them.
 */
public final class Context {
    private final boolean[] needsInputGrad;
    private final List<NDArray> saved = new ArrayList<>();
    private final List<NDArray> owned = new ArrayList<>();
    private boolean released;

    Context(boolean[] needsInputGrad) {
        this.needsInputGrad = needsInputGrad;
    }

    /** Whether input {@code i} requires a gradient; when false, backward returns null in slot {@code i}. */
    public boolean needsInputGrad(int i) {
        return needsInputGrad[i];
    }

    /** Whether any input requires a gradient, i.e. whether a graph node will be recorded. */
    public boolean anyInputNeedsGrad() {
        for (boolean b : needsInputGrad) {
            if (b) return true;
        }
        return false;
    }

    /** Saves arrays that are owned elsewhere (the inputs, the output; null allowed); they are not closed by {@link #release}. */
    public void save(NDArray... arrays) {
        saved.addAll(Arrays.asList(arrays));
    }

    /** Saves an array the forward created only for the backward; {@link #release} closes it. */
    public NDArray saveOwned(NDArray array) {
        saved.add(array);
        owned.add(array);
        return array;
    }

    /** Saved array {@code i}, in save order. */
    public NDArray saved(int i) {
        if (released) {
            throw new IllegalStateException("saved arrays were already freed by an earlier backward()");
        }
        return saved.get(i);
    }

    /** Whether the saved arrays have been freed. */
    public boolean isReleased() {
        return released;
    }

    /** Frees what this context owns and forgets what it borrowed. Idempotent. */
    void release() {
        if (!released) {
            released = true;
            owned.forEach(NDArray::close);
            owned.clear();
            saved.clear();
        }
    }
}
