package dev.unetgan.tensor.cpu;

import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * A pool of large float buffers, so that a training step which allocates the same activation sizes every iteration
 * reuses them instead of churning the garbage collector. Buffers are binned by exact length (a step asks for the
 * same sizes again and again); small buffers are not pooled, since the JVM allocates them almost for free. Each
 * bin keeps a bounded number of buffers so the pool cannot hoard memory.
 */
final class BufferPool {
    /** Below this many floats (64 KiB) a fresh allocation is cheaper than pooling. */
    static final int MIN_POOLED = 16 * 1024;
    private static final int MAX_PER_BIN = 16;
    private static final ConcurrentMap<Integer, ArrayDeque<float[]>> BINS = new ConcurrentHashMap<>();

    private BufferPool() {
    }

    /** A float array of exactly {@code length}; its contents are unspecified when it comes from the pool. */
    static float[] takeFloats(int length) {
        if (length >= MIN_POOLED) {
            ArrayDeque<float[]> bin = BINS.get(length);
            if (bin != null) {
                synchronized (bin) {
                    float[] a = bin.poll();
                    if (a != null) {
                        return a;
                    }
                }
            }
        }
        return new float[length];
    }

    /** Returns a buffer obtained from {@link #takeFloats}. */
    static void give(float[] a) {
        if (a.length >= MIN_POOLED) {
            ArrayDeque<float[]> bin = BINS.computeIfAbsent(a.length, k -> new ArrayDeque<>());
            synchronized (bin) {
                if (bin.size() < MAX_PER_BIN) {
                    bin.push(a);
                }
            }
        }
    }

    /** Bytes currently held by the pool (for memory reports and tests). */
    static long pooledBytes() {
        long bytes = 0;
        for (var e : BINS.entrySet()) {
            synchronized (e.getValue()) {
                bytes += 4L * e.getKey() * e.getValue().size();
            }
        }
        return bytes;
    }
}
