package dev.unetgan.tensor;

/**
 * How a backend plugs in: implementations are listed in {@code META-INF/services/dev.unetgan.tensor.BackendProvider}
 * and found by {@link java.util.ServiceLoader}. A provider must be cheap to construct and must never throw from
 * {@link #probe}: a machine without the hardware gets an unavailable {@link Probe} with the reason.
 */
public interface BackendProvider {

    /** The device family this provider serves. */
    Device.Kind kind();

    /** Checks, once, whether the backend can run here. Never throws. */
    Probe probe();

    /** Creates the backend for device {@code index}; called only after a passing probe. */
    Backend create(int index);

    /**
     * The result of a probe.
     *
     * @param available   whether the backend can run
     * @param description one line: the active tiers, or why the backend is unavailable
     */
    record Probe(boolean available, String description) {
    }
}
