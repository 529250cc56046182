package dev.unetgan.nn.optim;

import dev.unetgan.tensor.NDArray;

import java.util.Map;

/**
 * A gradient-based optimizer over a fixed set of named parameters ({@code Tensor.parameter} leaves). It owns its
 * state arrays (freed by {@link #close()}), never the parameters.
 */
public interface Optimizer extends AutoCloseable {

    /** Updates, in place, every parameter that has a gradient; parameters whose gradient is null are skipped. */
    void step();

    /** Forgets the gradients of all parameters, so that the next backward writes them afresh. */
    void zeroGrad();

    /**
     * A copy of the optimizer's state as named arrays (suitable for a safetensors file). The caller owns the
     * returned arrays (they belong to the current scope, if one is open); later steps do not change them.
     */
    Map<String, NDArray> stateDict();

    /**
     * Replaces the state with {@code state}, in the format of {@link #stateDict()}. Everything is validated before
     * anything changes: on any problem this throws {@link IllegalArgumentException} naming the keys at fault, and
     * the optimizer is left as it was. The given arrays are copied, not kept.
     */
    void loadStateDict(Map<String, NDArray> state);

    /** Frees the state arrays; the optimizer cannot be used afterwards. Idempotent. */
    @Override
    void close();
}
