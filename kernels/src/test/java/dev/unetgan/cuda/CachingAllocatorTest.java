package dev.unetgan.cuda;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The caching allocator on the emulation's native memory: reuse, splitting, merging, no growth, release. */
class CachingAllocatorTest {
    private static final HostEmulationRuntime rt = EmulatedRuntime.get();

    @Test
    void aFreedBlockIsReusedWithoutAskingTheDevice() {
        try (CachingAllocator a = new CachingAllocator(rt)) {
            CachingAllocator.Block b = a.allocate(10_000);
            long address = b.address();
            a.free(b);
            CachingAllocator.Block again = a.allocate(9_000);
            assertEquals(address, again.address());
            assertEquals(1, a.stats().deviceMallocs());
            assertEquals(9_216, again.size(), "rounded up to 512 bytes, the rest split off again");
        }
    }

    @Test
    void smallRequestsSplitOneSegmentAndMergeBackWhenFreed() {
        try (CachingAllocator a = new CachingAllocator(rt)) {
            List<CachingAllocator.Block> blocks = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                blocks.add(a.allocate(1000 + i));
            }
            assertEquals(1, a.stats().deviceMallocs(), "100 small blocks fit one 2 MiB segment");
            assertEquals(CachingAllocator.SMALL_SEGMENT, a.stats().reservedBytes());
            for (int i = 1; i < blocks.size(); i++) {
                assertTrue(blocks.get(i).address() >= blocks.get(i - 1).address() + blocks.get(i - 1).size());
            }
            for (int i = 0; i < blocks.size(); i += 2) {
                a.free(blocks.get(i));
            }
            for (int i = 1; i < blocks.size(); i += 2) {
                a.free(blocks.get(i));
            }
            assertEquals(0, a.stats().allocatedBytes());
            // Merged back into one free segment: a request of the whole segment needs no new device memory.
            CachingAllocator.Block whole = a.allocate(CachingAllocator.SMALL_LIMIT);
            assertEquals(1, a.stats().deviceMallocs());
            a.free(whole);
            a.releaseCached();
            assertEquals(0, a.stats().reservedBytes());
            assertEquals(1, a.stats().deviceFrees());
        }
    }

    @Test
    void largeRequestsUseTheirOwnPool() {
        try (CachingAllocator a = new CachingAllocator(rt)) {
            CachingAllocator.Block small = a.allocate(4096);
            CachingAllocator.Block big = a.allocate(11L << 20);
            CachingAllocator.Block mid = a.allocate(3L << 20);
            assertEquals(3, a.stats().deviceMallocs());
            assertEquals(CachingAllocator.SMALL_SEGMENT + CachingAllocator.MID_SEGMENT + (12L << 20),
                    a.stats().reservedBytes());
            assertNotEquals(small.address(), mid.address());
            // The rest of the 20 MiB segment (17 MiB) serves a later large request without new device memory.
            CachingAllocator.Block another = a.allocate(16L << 20);
            assertEquals(mid.address() + (3L << 20), another.address());
            assertEquals(3, a.stats().deviceMallocs());
            a.free(another);
            a.free(big);
            a.free(mid);
            a.free(small);
            assertThrows(IllegalStateException.class, () -> a.free(small));
        }
    }

    /** The emulated runtime with a device of {@code capacity} bytes: malloc beyond it fails as cuMemAlloc would. */
    private static DeviceRuntime withCapacity(long capacity) {
        java.util.Map<Long, Long> sizes = new java.util.HashMap<>();
        return (DeviceRuntime) Proxy.newProxyInstance(DeviceRuntime.class.getClassLoader(),
                new Class<?>[]{DeviceRuntime.class}, (proxy, method, args) -> {
                    if (method.getName().equals("malloc")) {
                        long bytes = (long) args[0];
                        if (sizes.values().stream().mapToLong(Long::longValue).sum() + bytes > capacity) {
                            throw new CudaException("cuMemAlloc: CUDA_ERROR_OUT_OF_MEMORY");
                        }
                        long address = rt.malloc(bytes);
                        sizes.put(address, bytes);
                        return address;
                    }
                    if (method.getName().equals("free")) {
                        sizes.remove((Long) args[0]);
                    }
                    return method.invoke(rt, args);
                });
    }

    @Test
    void outOfMemoryReleasesTheCachedSegmentsAndRetries() {
        try (CachingAllocator a = new CachingAllocator(withCapacity(44L << 20))) {
            CachingAllocator.Block first = a.allocate(5L << 20);    // a 20 MiB segment
            CachingAllocator.Block second = a.allocate(16L << 20);  // does not fit first's rest: a second one
            a.free(first);
            assertEquals(2, a.stats().deviceMallocs());
            // Needs its own 22 MiB segment, which does not fit next to the two held (40 MiB of 44): the wholly free
            // first segment is given back and the request retried.
            CachingAllocator.Block third = a.allocate(22L << 20);
            assertEquals(3, a.stats().deviceMallocs());
            assertEquals(1, a.stats().deviceFrees());
            a.free(second);
            a.free(third);
        }
    }

    @Test
    void noGrowthOverATrainingShapedLoop() {
        // Per step: activations of a few sizes held together, then freed in another order; a parameter-sized block.
        long[] sizes = {64 * 128 * 128 * 4, 64 * 64 * 64 * 4, 256 * 32 * 32 * 4, 3 * 3 * 256 * 256 * 4, 777, 4096, 1 << 20};
        try (CachingAllocator a = new CachingAllocator(rt)) {
            long reservedAfterWarmup = 0, mallocsAfterWarmup = 0;
            for (int step = 0; step < 1000; step++) {
                List<CachingAllocator.Block> live = new ArrayList<>();
                for (long s : sizes) {
                    live.add(a.allocate(s));
                    live.add(a.allocate(s / 2 + 3));
                }
                for (int i = live.size() - 1; i >= 0; i -= 2) {
                    a.free(live.get(i));
                }
                for (int i = live.size() - 2; i >= 0; i -= 2) {
                    a.free(live.get(i));
                }
                if (step == 1) {
                    reservedAfterWarmup = a.stats().reservedBytes();
                    mallocsAfterWarmup = a.stats().deviceMallocs();
                }
            }
            assertEquals(reservedAfterWarmup, a.stats().reservedBytes());
            assertEquals(mallocsAfterWarmup, a.stats().deviceMallocs());
            assertEquals(0, a.stats().allocatedBytes());
            assertTrue(a.stats().peakAllocatedBytes() > 0);
        }
        assertEquals(0, rt.liveBytes(), "close gives every segment back");
    }
}
