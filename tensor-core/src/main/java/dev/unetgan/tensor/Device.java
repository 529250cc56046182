package dev.unetgan.tensor;

/**
 * Where an array lives. {@link #CPU} always exists; CUDA devices exist only when their backend's probe passes.
 *
 * @param kind  the backend family
 * @param index the device ordinal within the family (0 for the CPU)
 */
public record Device(Kind kind, int index) {
    /** The backend families. */
    public enum Kind { CPU, CUDA }

    /** The host CPU. */
    public static final Device CPU = new Device(Kind.CPU, 0);

    public Device {
        if (index < 0) {
            throw new IllegalArgumentException("device index must be >= 0, got " + index);
        }
    }

    /** CUDA device {@code index}. */
    public static Device cuda(int index) {
        return new Device(Kind.CUDA, index);
    }

    /**
     * The fastest available device: CUDA 0 when a CUDA backend is on the class path and its probe passes, else the
     * CPU. The first call logs one line saying which and why.
     */
    public static Device best() {
        return Backends.best();
    }

    /** The backend that runs this device's arrays. */
    public Backend backend() {
        return Backends.of(this);
    }

    @Override
    public String toString() {
        return kind == Kind.CPU ? "cpu" : "cuda:" + index;
    }
}
