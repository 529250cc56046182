package dev.unetgan.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Scope;
import dev.unetgan.tensor.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DataLoaderTest {
    /**
     * Example i is the 1x1x3 image [i, i + 0.5, key bits] with label 100 + i; the third value records the low bits
     * of the augmentation key so that tests can see which key was passed.
     */
    static final class Numbers implements Dataset {
        final int n;
        final int failAt;
        final AtomicInteger reads = new AtomicInteger();

        Numbers(int n, int failAt) {
            this.n = n;
            this.failAt = failAt;
        }

        @Override
        public int size() {
            return n;
        }

        @Override
        public ImageShape shape() {
            return new ImageShape(1, 1, 3);
        }

        @Override
        public int read(int index, long augmentKey, float[] dst, int offset) {
            reads.incrementAndGet();
            if (index == failAt) {
                throw new ArithmeticException("example " + index + " is broken");
            }
            dst[offset] = index;
            dst[offset + 1] = index + 0.5f;
            dst[offset + 2] = augmentKey & 0xFFFF;
            return 100 + index;
        }
    }

    /** Labels minus 100 (= example indices) of the next {@code count} batches. */
    private static List<int[]> take(DataLoader loader, int count) {
        List<int[]> out = new ArrayList<>();
        for (int b = 0; b < count; b++) {
            try (DataLoader.Batch batch = loader.next()) {
                int[] labels = batch.labels().toIntArray();
                float[] images = batch.images().toFloatArray();
                int[] idx = new int[labels.length];
                for (int k = 0; k < labels.length; k++) {
                    idx[k] = labels[k] - 100;
                    assertEquals(idx[k], images[3 * k], 0f);
                    assertEquals(idx[k] + 0.5f, images[3 * k + 1], 0f);
                }
                out.add(idx);
            }
        }
        return out;
    }

    private static List<float[]> takeImages(DataLoader loader, int count) {
        List<float[]> out = new ArrayList<>();
        for (int b = 0; b < count; b++) {
            try (DataLoader.Batch batch = loader.next()) {
                out.add(batch.images().toFloatArray());
            }
        }
        return out;
    }

    @Test
    void batchesInOrderWithAShortLastBatch() {
        for (int prefetch : new int[] {0, 1, 3}) {
            try (DataLoader loader = DataLoader.builder(new Numbers(10, -1), 4).prefetch(prefetch).build()) {
                assertEquals(3, loader.batchesPerEpoch());
                try (DataLoader.Batch b = loader.next()) {
                    assertEquals(Shape.of(4, 1, 1, 3), b.images().shape());
                    assertEquals(DType.F32, b.images().dtype());
                    assertEquals(Shape.of(4), b.labels().shape());
                    assertEquals(DType.I32, b.labels().dtype());
                    assertArrayEquals(new int[] {100, 101, 102, 103}, b.labels().toIntArray());
                    assertEquals(new DataLoader.Position(0, 0), b.position());
                }
                assertEquals(new DataLoader.Position(0, 4), loader.position());
                List<int[]> rest = take(loader, 2);
                assertArrayEquals(new int[] {4, 5, 6, 7}, rest.get(0));
                assertArrayEquals(new int[] {8, 9}, rest.get(1));
                assertEquals(new DataLoader.Position(1, 0), loader.position());
                assertEquals(1, loader.epoch());
                assertArrayEquals(new int[] {0, 1, 2, 3}, take(loader, 1).getFirst());
            }
        }
    }

    @Test
    void dropLastSkipsTheShortBatch() {
        try (DataLoader loader = DataLoader.builder(new Numbers(10, -1), 4).dropLast(true).build()) {
            assertEquals(2, loader.batchesPerEpoch());
            List<int[]> b = take(loader, 3);
            assertArrayEquals(new int[] {4, 5, 6, 7}, b.get(1));
            assertArrayEquals(new int[] {0, 1, 2, 3}, b.get(2));
            assertEquals(new DataLoader.Position(1, 4), loader.position());
        }
        try (DataLoader exact = DataLoader.builder(new Numbers(8, -1), 4).dropLast(true).build()) {
            assertEquals(2, exact.batchesPerEpoch());
            take(exact, 2);
            assertEquals(new DataLoader.Position(1, 0), exact.position());
        }
        assertThrows(IllegalArgumentException.class,
                () -> DataLoader.builder(new Numbers(3, -1), 4).dropLast(true).build());
    }

    private static List<int[]> epochs(long seed, int prefetch, int count) {
        try (DataLoader loader = DataLoader.builder(new Numbers(10, -1), 5).shuffle(true).seed(seed)
                .prefetch(prefetch).build()) {
            List<int[]> out = new ArrayList<>();
            for (int e = 0; e < count; e++) {
                List<int[]> halves = take(loader, 2);
                int[] order = new int[10];
                System.arraycopy(halves.get(0), 0, order, 0, 5);
                System.arraycopy(halves.get(1), 0, order, 5, 5);
                out.add(order);
            }
            return out;
        }
    }

    @Test
    void shuffleIsASeededPermutationPerEpoch() {
        List<int[]> a = epochs(42, 2, 4);
        List<int[]> b = epochs(42, 0, 4);
        List<int[]> c = epochs(43, 2, 4);
        for (int e = 0; e < 4; e++) {
            assertArrayEquals(a.get(e), b.get(e), "same seed, epoch " + e);
            int[] sorted = a.get(e).clone();
            Arrays.sort(sorted);
            assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, sorted, "a permutation");
        }
        assertFalse(Arrays.equals(a.get(0), a.get(1)) && Arrays.equals(a.get(1), a.get(2)),
                "epochs get different orders");
        boolean anyDiffers = false;
        for (int e = 0; e < 4; e++) {
            anyDiffers |= !Arrays.equals(a.get(e), c.get(e));
        }
        assertTrue(anyDiffers, "another seed gives other orders");
        // The order of an epoch depends only on (seed, epoch): jumping straight to epoch 3 gives the same.
        try (DataLoader loader = DataLoader.builder(new Numbers(10, -1), 10).shuffle(true).seed(42).build()) {
            loader.seek(new DataLoader.Position(3, 0));
            assertArrayEquals(a.get(3), take(loader, 1).getFirst());
        }
    }

    @Test
    void permutationIsUniformEnough() {
        // Each of 8 elements should land in position 0 about 1/8 of the time over many keys.
        int[] counts = new int[8];
        for (int key = 0; key < 8000; key++) {
            counts[Seeds.permutation(8, Seeds.combine(7, key))[0]]++;
        }
        for (int c : counts) {
            assertTrue(c > 850 && c < 1150, Arrays.toString(counts));
        }
    }

    @Test
    void resumesExactlyFromASavedPosition() {
        DataLoader.Builder options = DataLoader.builder(new Numbers(23, -1), 4).shuffle(true).seed(9);
        List<float[]> expected;
        DataLoader.Position saved;
        try (DataLoader a = options.build()) {
            takeImages(a, 13); // crosses two epoch boundaries (6 batches per epoch)
            saved = a.position();
            expected = takeImages(a, 9);
        }
        assertEquals(new DataLoader.Position(2, 4), saved);
        for (int prefetch : new int[] {0, 2}) {
            try (DataLoader b = DataLoader.builder(new Numbers(23, -1), 4).shuffle(true).seed(9).prefetch(prefetch)
                    .build()) {
                takeImages(b, 2); // read ahead, then jump: the read-ahead batches must be discarded
                b.seek(saved);
                List<float[]> got = takeImages(b, 9);
                for (int i = 0; i < 9; i++) {
                    // Equal images include equal augmentation keys (third value).
                    assertArrayEquals(expected.get(i), got.get(i), "batch " + i + " after resume");
                }
            }
        }
    }

    @Test
    void augmentationKeysDependOnEpochAndIndexOnly() {
        try (DataLoader a = DataLoader.builder(new Numbers(4, -1), 4).seed(5).build();
             DataLoader b = DataLoader.builder(new Numbers(4, -1), 2).seed(5).build()) {
            float[] e0 = takeImages(a, 1).getFirst();
            float[] e1 = takeImages(a, 1).getFirst();
            float[] halves = new float[12];
            List<float[]> bb = takeImages(b, 2);
            System.arraycopy(bb.get(0), 0, halves, 0, 6);
            System.arraycopy(bb.get(1), 0, halves, 6, 6);
            assertArrayEquals(e0, halves, "batch size does not change the keys");
            assertNotEquals(e0[2], e1[2], "a new epoch gives new keys");
            assertNotEquals(e0[2], e0[5], "examples get different keys");
        }
    }

    @Test
    void seekToTheEndOfAnEpochStartsTheNext() {
        try (DataLoader loader = DataLoader.builder(new Numbers(10, -1), 4).dropLast(true).build()) {
            loader.seek(new DataLoader.Position(2, 8));
            assertEquals(new DataLoader.Position(3, 0), loader.position());
            assertThrows(IllegalArgumentException.class, () -> loader.seek(new DataLoader.Position(0, 11)));
        }
    }

    @Test
    void arraysBelongToTheConsumersScope() {
        try (DataLoader loader = DataLoader.builder(new Numbers(10, -1), 4).build()) {
            NDArray images;
            NDArray labels;
            try (Scope scope = Scope.open()) {
                DataLoader.Batch b = loader.next();
                images = b.images();
                labels = b.labels();
                assertEquals(2, scope.ownedCount());
            }
            assertTrue(images.isClosed());
            assertTrue(labels.isClosed());
        }
    }

    @Test
    void workerFailureSurfacesWithItsCause() {
        Numbers data = new Numbers(10, 6);
        try (DataLoader loader = DataLoader.builder(data, 4).prefetch(2).build()) {
            take(loader, 1);
            IllegalStateException e = assertThrows(IllegalStateException.class, loader::next);
            assertTrue(e.getCause() instanceof ArithmeticException, String.valueOf(e.getCause()));
            assertEquals("example 6 is broken", e.getCause().getMessage());
            assertTrue(e.getMessage().contains("Position[epoch=0, index=4]"), e.getMessage());
            assertEquals(new DataLoader.Position(0, 4), loader.position(), "a failed batch is not consumed");
            assertThrows(IllegalStateException.class, loader::next, "retrying fails the same way");
        }
        try (DataLoader sync = DataLoader.builder(new Numbers(10, 1), 4).prefetch(0).build()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, sync::next);
            assertSame(ArithmeticException.class, e.getCause().getClass());
        }
    }

    @Test
    void closeStopsThePrefetchThread() throws InterruptedException {
        Numbers data = new Numbers(1000, -1);
        DataLoader loader = DataLoader.builder(data, 4).prefetch(2).build();
        take(loader, 1);
        Thread worker = loader.prefetchThread();
        assertNotNull(worker);
        assertTrue(worker.isDaemon());
        // The worker fills its queue of 2 and blocks; it must not run on through the whole dataset.
        Thread.sleep(100);
        assertTrue(worker.isAlive());
        assertTrue(data.reads.get() <= 4 * 4, "reads ahead only a bounded number: " + data.reads.get());
        loader.close();
        assertFalse(worker.isAlive(), "close joins the worker");
        assertThrows(IllegalStateException.class, loader::next);
        loader.close();
    }

    @Test
    void seekReplacesTheWorker() {
        try (DataLoader loader = DataLoader.builder(new Numbers(10, -1), 2).build()) {
            take(loader, 1);
            Thread first = loader.prefetchThread();
            loader.seek(new DataLoader.Position(0, 6));
            assertFalse(first.isAlive());
            assertArrayEquals(new int[] {6, 7}, take(loader, 1).getFirst());
        }
    }

    @Test
    void subsetIsAView() {
        Dataset sub = new Numbers(10, -1).subset(3, 7);
        assertEquals(4, sub.size());
        assertEquals(104, sub.get(1).label());
        assertThrows(IndexOutOfBoundsException.class, () -> sub.get(4));
        assertThrows(IndexOutOfBoundsException.class, () -> new Numbers(10, -1).subset(5, 11));
    }
}
