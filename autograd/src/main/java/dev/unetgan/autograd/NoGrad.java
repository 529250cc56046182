package dev.unetgan.autograd;

/**
 * A thread-local switch that stops graph building: ops run inside {@code try (NoGrad ng = NoGrad.enter()) {...}}
 * compute their values but record nothing, so their results do not require grad and no arrays are saved for a
 * backward pass (spectral-norm power iterations, EMA updates, evaluation, gradient checks' perturbed evaluations).
 * Blocks nest; grad mode returns when the outermost one closes.
 */
public final class NoGrad implements AutoCloseable {
    private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);
    private final Thread thread = Thread.currentThread();
    private boolean closed;

    private NoGrad() {
        DEPTH.get()[0]++;
    }

    /** Turns graph building off on this thread until the returned handle is closed. */
    public static NoGrad enter() {
        return new NoGrad();
    }

    /** Whether ops on this thread record a graph (false inside a {@code NoGrad} block). */
    public static boolean isGradEnabled() {
        return DEPTH.get()[0] == 0;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("a NoGrad block must be closed on the thread that entered it");
        }
        closed = true;
        DEPTH.get()[0]--;
    }
}
