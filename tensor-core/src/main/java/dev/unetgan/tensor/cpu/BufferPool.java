package dev.unetgan.tensor.cpu;

import java.util.ArrayDeque;

/**
 * A pool of large float buffers, so that a training step which allocates the same activation sizes every iteration
 * reuses them instead of churning the garbage collector. Small buffers are not pooled, since the JVM allocates them
 * almost for free.
 *
 * <p>Buffers come in size classes, eight per doubling (a buffer is at most 12.5% longer than asked for), and a
 * request takes the smallest free buffer of its class or of up to {@link #MAX_STEPS_UP} classes above. That lets
 * phases of different batch sizes share memory: the D step's batch-24 activations, freed when the D step ends, serve
 * the G step's batch-8 requests, so the pool holds about the larger phase's working set rather than the sum of both
 * (with bins by exact length it held both). Each class keeps a bounded number of buffers so the pool cannot hoard
 * memory.
 */
final class BufferPool {
    /** Below this many floats (64 KiB) a fresh allocation is cheaper than pooling. */
    static final int MIN_POOLED = 16 * 1024;
    /** Size classes per doubling of the length. */
    private static final int STEPS_PER_DOUBLING = 8;
    /** How many classes above its own a request may take a buffer from: 2 doublings, a buffer at most 4x too long. */
    private static final int MAX_STEPS_UP = 2 * STEPS_PER_DOUBLING;
    private static final int MAX_PER_CLASS = 32;
    /** Classes up to lengths of 2^31: 31 doublings are more than any int length needs. */
    private static final int CLASSES = 31 * STEPS_PER_DOUBLING;
    @SuppressWarnings("unchecked")
    private static final ArrayDeque<float[]>[] FREE = new ArrayDeque[CLASSES];

    static {
        for (int c = 0; c < CLASSES; c++) {
            FREE[c] = new ArrayDeque<>();
        }
    }

    private BufferPool() {
    }

    /**
     * A float array of at least {@code length} (callers use only the first {@code length} elements); its contents
     * are unspecified when it comes from the pool.
     */
    static float[] takeFloats(int length) {
        if (length < MIN_POOLED) {
            return new float[length];
        }
        int c = sizeClass(length);
        synchronized (FREE) {
            for (int up = c; up <= Math.min(CLASSES - 1, c + MAX_STEPS_UP); up++) {
                float[] a = FREE[up].poll();
                if (a != null) {
                    return a;
                }
            }
        }
        return new float[capacity(c)];
    }

    /** Returns a buffer obtained from {@link #takeFloats}. */
    static void give(float[] a) {
        if (a.length >= MIN_POOLED) {
            ArrayDeque<float[]> free = FREE[sizeClass(a.length)];
            synchronized (FREE) {
                if (free.size() < MAX_PER_CLASS) {
                    free.push(a);
                }
            }
        }
    }

    /**
     * The class of {@code length}: the smallest {@code c} whose {@link #capacity} is at least {@code length}. A class
     * is {@code 2^e · (8 + s) / 8} floats for step {@code s < 8} of doubling {@code e}.
     */
    static int sizeClass(int length) {
        if (length <= STEPS_PER_DOUBLING) {
            return 0;
        }
        // 2^e ≤ length - 1 < 2^(e+1), and the top four bits of length - 1 pick the step below the class.
        int e = 31 - Integer.numberOfLeadingZeros(length - 1);
        return (e - 3) * STEPS_PER_DOUBLING + ((length - 1) >> (e - 3)) - (STEPS_PER_DOUBLING - 1);
    }

    /** The length of a buffer of class {@code c}. */
    static int capacity(int c) {
        int e = c / STEPS_PER_DOUBLING + 3, s = c % STEPS_PER_DOUBLING;
        return (int) Math.min(Integer.MAX_VALUE - 8, (8L + s) << (e - 3));
    }

    /** Bytes currently held by the pool (for memory reports and tests). */
    static long pooledBytes() {
        long bytes = 0;
        synchronized (FREE) {
            for (ArrayDeque<float[]> free : FREE) {
                for (float[] a : free) {
                    bytes += 4L * a.length;
                }
            }
        }
        return bytes;
    }
}
