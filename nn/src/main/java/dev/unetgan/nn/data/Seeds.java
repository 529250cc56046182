package dev.unetgan.nn.data;

/**
 * SplitMix64 mixing, written out here rather than taken from {@link java.util.SplittableRandom} so that shuffles
 * and augmentation draws stay identical across JDK versions (a checkpointed run must resume to the same order).
 */
final class Seeds {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private Seeds() {
    }

    /** The SplitMix64 finalizer: a bijection on longs with good avalanche. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A key that depends on {@code a} and {@code b}, and differs from {@code combine(b, a)}. */
    static long combine(long a, long b) {
        return mix(mix(a + GOLDEN) ^ (b * GOLDEN + 0x632BE59BD9B4E019L));
    }

    /**
     * The permutation of {@code 0..n-1} for one shuffle key (Fisher-Yates). The bounded draw is the multiply-high
     * of a 32-bit value, whose bias (below n / 2^32) is irrelevant for a data order.
     */
    static int[] permutation(int n, long key) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        long state = key;
        for (int i = n - 1; i > 0; i--) {
            state += GOLDEN;
            long r = mix(state) >>> 32;
            int j = (int) ((r * (i + 1)) >>> 32);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
