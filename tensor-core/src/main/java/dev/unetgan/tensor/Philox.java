package dev.unetgan.tensor;

/**
 * The Philox-4x32-10 counter-based generator (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011),
 * and this engine's mapping from counters to samples, which every backend reproduces exactly:
 * <ul>
 *   <li>key = {@code (seed_lo, seed_hi)}; counter = {@code (c_lo, c_hi, 0, 0)} for the 64-bit counter {@code c};</li>
 *   <li>uniform: {@code (word0 >>> 8) · 2^-24}, on {@code [0,1)} with 24 random bits (exact in F32);</li>
 *   <li>normal: Box-Muller on {@code u1 = (word0 >>> 8 + 1) · 2^-24} (on {@code (0,1]}) and {@code u2 = word1} as
 *       above: {@code sqrt(-2 ln u1) · cos(2π u2)};</li>
 *   <li>Bernoulli(p): {@code uniform < p}.</li>
 * </ul>
 */
public final class Philox {
    private static final int M0 = 0xD2511F53;
    private static final int M1 = 0xCD9E8D57;
    private static final int W0 = 0x9E3779B9;
    private static final int W1 = 0xBB67AE85;
    private static final double TWO_POW_M24 = 1.0 / (1 << 24);

    private Philox() {
    }

    /** The four output words for {@code (seed, counter)}, written into {@code out[0..3]}. */
    public static void block(long seed, long counter, int[] out) {
        int k0 = (int) seed, k1 = (int) (seed >>> 32);
        int c0 = (int) counter, c1 = (int) (counter >>> 32), c2 = 0, c3 = 0;
        for (int round = 0; round < 10; round++) {
            long p0 = (M0 & 0xFFFFFFFFL) * (c0 & 0xFFFFFFFFL);
            long p1 = (M1 & 0xFFFFFFFFL) * (c2 & 0xFFFFFFFFL);
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            int n1 = (int) p1;
            int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            int n3 = (int) p0;
            c0 = n0; c1 = n1; c2 = n2; c3 = n3;
            k0 += W0;
            k1 += W1;
        }
        out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
    }

    /** Uniform on {@code [0,1)} for one counter. */
    public static double uniform(long seed, long counter) {
        int[] w = new int[4];
        block(seed, counter, w);
        return (w[0] >>> 8) * TWO_POW_M24;
    }

    /** The sample of {@code dist} with parameters {@code (a, b)} for one counter; {@code w} is scratch of 4 ints. */
    public static double sample(Distribution dist, double a, double b, long seed, long counter, int[] w) {
        block(seed, counter, w);
        return switch (dist) {
            case UNIFORM -> a + (b - a) * ((w[0] >>> 8) * TWO_POW_M24);
            case NORMAL -> {
                double u1 = ((w[0] >>> 8) + 1) * TWO_POW_M24;
                double u2 = (w[1] >>> 8) * TWO_POW_M24;
                yield a + b * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
            }
            case BERNOULLI -> (w[0] >>> 8) * TWO_POW_M24 < a ? 1 : 0;
        };
    }
}
