package dev.unetgan.tensor;

/**
 * A seeded source of random arrays on any device. It is counter-based (Philox-4x32-10, see {@link Philox}): the
 * state is just {@code (seed, offset)}, each draw of {@code n} elements uses counters {@code offset .. offset+n-1}
 * and then advances the offset, so the same seed gives the same numbers on every backend, and saving the two longs
 * saves the state. Not thread-safe; use one generator per thread.
 */
public final class Generator {
    private final long seed;
    private long offset;

    public Generator(long seed) {
        this(seed, 0);
    }

    /** A generator restored from a saved {@link #seed()} and {@link #offset()}. */
    public Generator(long seed, long offset) {
        this.seed = seed;
        this.offset = offset;
    }

    public long seed() {
        return seed;
    }

    /** How many counters have been consumed. */
    public long offset() {
        return offset;
    }

    /** Standard normal samples scaled to {@code mean + std·N(0,1)}. */
    public NDArray normal(Shape shape, DType dtype, Device device, double mean, double std) {
        return draw(Distribution.NORMAL, mean, std, shape, dtype, device);
    }

    /** Uniform samples on {@code [low, high)}. */
    public NDArray uniform(Shape shape, DType dtype, Device device, double low, double high) {
        return draw(Distribution.UNIFORM, low, high, shape, dtype, device);
    }

    /** 1 with probability {@code p}, else 0. */
    public NDArray bernoulli(Shape shape, DType dtype, Device device, double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("bernoulli: probability must be in [0,1], got " + p);
        }
        return draw(Distribution.BERNOULLI, p, 0, shape, dtype, device);
    }

    /** One uniform double on {@code [0,1)}, drawn on the host from the same stream (for sampling box sizes etc.). */
    public double nextDouble() {
        return Philox.uniform(seed, offset++);
    }

    private NDArray draw(Distribution dist, double a, double b, Shape shape, DType dtype, Device device) {
        if (!dtype.isFloating()) {
            throw new IllegalArgumentException("random: needs a floating dtype, got " + dtype);
        }
        NDArray out = NDArray.empty(shape, dtype, device);
        out.backend().random(dist, a, b, seed, offset, out);
        offset += shape.size();
        return out;
    }
}
