package dev.unetgan.nn.optim;

import dev.unetgan.nn.LoadOptions;
import dev.unetgan.nn.Module;
import dev.unetgan.nn.StateDicts;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Ops;
import dev.unetgan.tensor.Scope;
import dev.unetgan.tensor.UnaryOp;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An exponential moving average of a module's whole state (parameters and buffers, such as batch norm's running
 * statistics), as BigGAN's {@code G_ema}. {@link #update(long)} at step {@code t} sets, for each floating array,
 * {@code ema = decay·ema + (1-decay)·current} once {@code t >= startStep}, and simply copies before that (so the
 * average starts from the weights at {@code startStep} rather than from the random init). Integer arrays (such as
 * {@code num_batches_tracked}) are always copied.
 *
 * <p>The shadow state lives either in private copies ({@link #Ema(Module, double, long)}; read it with
 * {@link #state()}, put it into a module with {@link #copyTo}) or directly in a second module of the same
 * architecture ({@link #Ema(Module, Module, double, long)}), which can then be run for sampling. The key order and
 * names are those of {@link Module#stateDict()}.
 */
public final class Ema implements AutoCloseable {
    private final Module source;
    private final Map<String, NDArray> shadow;
    private final boolean ownsShadow;
    private final double decay;
    private final long startStep;

    /** A shadow held in private copies of {@code source}'s current state, which this object owns. */
    public Ema(Module source, double decay, long startStep) {
        this(source, null, decay, startStep);
    }

    /**
     * A shadow held in {@code target}'s own state arrays (not owned here); {@code target} must have the same state
     * names, shapes and dtypes as {@code source} and is overwritten with {@code source}'s state now.
     */
    public Ema(Module source, Module target, double decay, long startStep) {
        if (!(decay >= 0 && decay <= 1)) {
            throw new IllegalArgumentException("Ema: decay must be in [0,1], got " + decay);
        }
        this.source = source;
        this.decay = decay;
        this.startStep = startStep;
        this.ownsShadow = target == null;
        if (target == null) {
            shadow = new LinkedHashMap<>();
            source.stateDict().forEach((key, value) -> shadow.put(key, Ops.copy(value)));
        } else {
            target.loadStateDict(source.stateDict());
            shadow = target.stateDict();
        }
    }

    public double decay() {
        return decay;
    }

    public long startStep() {
        return startStep;
    }

    /** Folds the source's current state into the shadow, for training step {@code step}. */
    public void update(long step) {
        Map<String, NDArray> current = source.stateDict();
        boolean average = step >= startStep;
        try (Scope scope = Scope.open()) {
            shadow.forEach((key, ema) -> {
                NDArray cur = current.get(key);
                if (cur == null) {
                    throw new IllegalStateException("Ema: the source module no longer has " + key);
                }
                if (average && ema.dtype().isFloating()) {
                    NDArray mixed = Ops.add(Ops.unary(UnaryOp.MUL_SCALAR, decay, ema),
                            Ops.unary(UnaryOp.MUL_SCALAR, 1 - decay, cur));
                    Ops.copyInto(mixed, ema);
                } else {
                    Ops.copyInto(cur, ema);
                }
            });
        }
    }

    /**
     * The shadow state by state-dict name: live arrays, updated in place by {@link #update}; save them as a
     * checkpoint or read them, but do not close them.
     */
    public Map<String, NDArray> state() {
        return Collections.unmodifiableMap(shadow);
    }

    /** Loads the shadow state into {@code module} (strict, as {@link Module#loadStateDict}). */
    public void copyTo(Module module) {
        module.loadStateDict(shadow, LoadOptions.STRICT);
    }

    /**
     * Restores the shadow from saved {@link #state()} (for resuming), strictly and all or nothing, as
     * {@link Module#loadStateDict}.
     */
    public void loadState(Map<String, NDArray> saved) {
        StateDicts.copyStrict("Ema", shadow, saved, LoadOptions.STRICT);
    }

    /** Frees the private copies (nothing when the shadow is another module's state). */
    @Override
    public void close() {
        if (ownsShadow) {
            shadow.values().forEach(NDArray::close);
        }
    }
}
