package dev.unetgan.cuda;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The chunking and waiting of {@link PinnedStaging}, against a port that behaves like an asynchronous stream: a copy
 * runs only when an await reaches it (in stream order), so a slot rewritten before its copy finished, or read before
 * its copy arrived, shows up as wrong bytes.
 */
class PinnedStagingTest {
    private static final int SLOT = 64;

    /** Device memory is one segment (addresses are offsets); the stream is a queue run lazily. */
    private static final class DeferredPort implements PinnedStaging.Port {
        final Arena arena = Arena.ofConfined();
        final MemorySegment device = arena.allocate(4096);
        final MemorySegment[] pinned = new MemorySegment[PinnedStaging.SLOTS];
        final Deque<Runnable> stream = new ArrayDeque<>();
        final long[] eventTicket = new long[PinnedStaging.SLOTS];
        long enqueued, completed;
        int allocations, frees;
        long pinnedBytes;

        @Override
        public MemorySegment allocate(int slot, long bytes) {
            allocations++;
            pinnedBytes += bytes;
            pinned[slot] = arena.allocate(bytes);
            return pinned[slot];
        }

        private void enqueue(int slot, Runnable copy) {
            stream.add(copy);
            eventTicket[slot] = ++enqueued;
        }

        @Override
        public void toDevice(int slot, long dst, long bytes) {
            enqueue(slot, () -> MemorySegment.copy(pinned[slot], 0, device, dst, bytes));
        }

        @Override
        public void toHost(long src, int slot, long bytes) {
            enqueue(slot, () -> MemorySegment.copy(device, src, pinned[slot], 0, bytes));
        }

        @Override
        public void await(int slot) {
            while (completed < eventTicket[slot]) {
                stream.remove().run();
                completed++;
            }
        }

        @Override
        public void free(int slot) {
            frees++;
        }
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    @Test
    void roundTripsEverySizeAroundTheSlotAndReturnsUploadsBeforeTheDeviceHasThem() {
        DeferredPort port = new DeferredPort();
        PinnedStaging staging = new PinnedStaging(port, PinnedStaging.SLOTS, SLOT);
        for (int bytes : new int[]{0, 1, 63, 64, 65, 128, 129, 5 * SLOT + 7, 1000}) {
            byte[] data = random(bytes, bytes);
            byte[] source = data.clone();
            long dst = 17;
            staging.toDevice(MemorySegment.ofArray(source), dst, bytes);
            Arrays.fill(source, (byte) 0);   // the caller reuses its array at once
            byte[] back = new byte[bytes];
            staging.toHost(dst, MemorySegment.ofArray(back), bytes);
            assertArrayEquals(data, back, bytes + " bytes");
        }
        assertTrue(port.stream.isEmpty(), "a download waits for everything before it");
    }

    @Test
    void downloadsSeeEarlierDeviceWritesAndLeaveTheRestOfTheDestinationAlone() {
        DeferredPort port = new DeferredPort();
        PinnedStaging staging = new PinnedStaging(port, PinnedStaging.SLOTS, SLOT);
        byte[] first = random(300, 1), second = random(300, 2);
        staging.toDevice(MemorySegment.ofArray(first), 0, 300);
        staging.toDevice(MemorySegment.ofArray(second), 100, 300);
        byte[] back = new byte[402];
        Arrays.fill(back, (byte) 7);
        staging.toHost(0, MemorySegment.ofArray(back).asSlice(1, 400), 400);
        byte[] expected = new byte[402];
        Arrays.fill(expected, (byte) 7);
        System.arraycopy(first, 0, expected, 1, 100);
        System.arraycopy(second, 0, expected, 101, 300);
        assertArrayEquals(expected, back);
    }

    @Test
    void pinsItsSlotsOnceWhateverTheTrafficAndFreesThemOnClose() {
        DeferredPort port = new DeferredPort();
        PinnedStaging staging = new PinnedStaging(port, PinnedStaging.SLOTS, SLOT);
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 200; i++) {
            int bytes = r.nextInt(1, 1500);
            byte[] data = random(bytes, i), back = new byte[bytes];
            staging.toDevice(MemorySegment.ofArray(data), r.nextInt(0, 4096 - bytes), bytes);
            staging.toHost(r.nextInt(0, 4096 - bytes), MemorySegment.ofArray(back), bytes);
        }
        assertEquals(PinnedStaging.SLOTS, port.allocations);
        assertEquals((long) PinnedStaging.SLOTS * SLOT, port.pinnedBytes);
        staging.toDevice(MemorySegment.ofArray(new byte[10]), 0, 10);
        staging.close();
        assertEquals(PinnedStaging.SLOTS, port.frees);
        assertTrue(port.stream.isEmpty(), "close waits for the pending copies before freeing their slots");
    }
}
