package dev.unetgan.autograd;

import java.util.SplittableRandom;

/**
 * Where an {@link OpSpec}'s inputs are sampled, chosen so that the function is smooth in an {@code eps}
 * neighbourhood of every sample (kinks get their own tests).
 */
public enum Domain {
    /** Uniform on [-1, 1]. */
    REAL,
    /** Uniform on [0.5, 2]: for log, sqrt, rsqrt, reciprocal, pow bases, divisors. */
    POSITIVE,
    /** |x| uniform on [0.2, 1.5] with a random sign: away from the kink at 0 (relu, abs, leaky relu, sign). */
    NONZERO,
    /** Uniform on [0.1, 0.9]: blend masks and other weights in (0, 1). */
    UNIT,
    /** Exactly 0 or 1: the condition of {@code where}. */
    CONDITION,
    /**
     * Distinct values at least 0.05 apart across all DISTINCT inputs of a row (a shuffled grid): maxima and
     * minima are unique, so max/min reductions, binary max/min and max pooling have no ties.
     */
    DISTINCT;

    /** Fills {@code out} (not for DISTINCT, which {@link OpSpec#sample} handles jointly). */
    void fill(double[] out, SplittableRandom rng) {
        for (int i = 0; i < out.length; i++) {
            out[i] = switch (this) {
                case REAL -> rng.nextDouble(-1, 1);
                case POSITIVE -> rng.nextDouble(0.5, 2);
                case NONZERO -> (rng.nextBoolean() ? 1 : -1) * rng.nextDouble(0.2, 1.5);
                case UNIT -> rng.nextDouble(0.1, 0.9);
                case CONDITION -> rng.nextBoolean() ? 1 : 0;
                case DISTINCT -> throw new IllegalStateException("DISTINCT is sampled jointly");
            };
        }
    }
}
