package dev.unetgan.tensor.cpu;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** The pool's size classes, and reuse across classes (the sizes are far above anything other tests pool). */
class BufferPoolTest {
    @Test
    void aClassIsTheSmallestCapacityThatFitsAndAtMostAnEighthTooLong() {
        SplittableRandom rng = new SplittableRandom(7);
        for (int i = 0; i < 100_000; i++) {
            int length = i < 64 ? BufferPool.MIN_POOLED + i : rng.nextInt(BufferPool.MIN_POOLED, 1 << 30);
            int c = BufferPool.sizeClass(length);
            assertTrue(BufferPool.capacity(c) >= length, "class " + c + " too small for " + length);
            assertTrue(BufferPool.capacity(c - 1) < length, "class " + c + " not the smallest for " + length);
            assertTrue(BufferPool.capacity(c) <= length + length / 8, "class " + c + " too long for " + length);
        }
        for (int e = 14; e < 30; e++) {
            assertEquals(1 << e, BufferPool.capacity(BufferPool.sizeClass(1 << e)), "2^" + e);
        }
    }

    @Test
    void aBufferReturnsToItsOwnClass() {
        for (int c = 1; c < 27 * 8; c++) {
            assertEquals(c, BufferPool.sizeClass(BufferPool.capacity(c)));
        }
    }

    @Test
    void aRequestTakesALongerFreeBufferOfUpToFourTimesItsLength() {
        int length = 1_300_001;
        int c = BufferPool.sizeClass(length);
        float[] longer = new float[BufferPool.capacity(c + 12)];
        BufferPool.give(longer);
        assertSame(longer, BufferPool.takeFloats(length), "a buffer 12 classes up serves the request");

        float[] tooLong = new float[BufferPool.capacity(c + 17)];
        BufferPool.give(tooLong);
        float[] fresh = BufferPool.takeFloats(length);
        assertNotSame(tooLong, fresh, "a buffer more than 16 classes up is left for longer requests");
        assertEquals(BufferPool.capacity(c), fresh.length);
        assertSame(tooLong, BufferPool.takeFloats(tooLong.length));
    }

    @Test
    void smallBuffersAreExactAndNotPooled() {
        float[] a = BufferPool.takeFloats(100);
        assertEquals(100, a.length);
        long before = BufferPool.pooledBytes();
        BufferPool.give(a);
        assertEquals(before, BufferPool.pooledBytes());
    }
}
