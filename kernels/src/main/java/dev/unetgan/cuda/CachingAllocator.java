package dev.unetgan.cuda;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/**
 * Device memory for {@link CudaBackend}, cached in the manner of PyTorch's CUDA caching allocator, because
 * {@code cuMemAlloc}/{@code cuMemFree} synchronize the device and are slow: freed blocks stay reserved and are
 * handed out again.
 * <ul>
 *   <li>Requests are rounded up to 512 bytes.</li>
 *   <li>Small requests (up to 1 MiB) are carved from 2 MiB segments; requests up to 10 MiB from 20 MiB segments;
 *       larger ones get a segment of their size rounded up to 2 MiB. Small and large blocks live in separate
 *       pools, so small blocks do not fragment the large segments.</li>
 *   <li>A request takes the best-fitting free block (smallest size, then lowest address) and splits off the rest
 *       when the rest is at least 512 bytes (small pool) or more than 1 MiB (large pool).</li>
 *   <li>A freed block merges with its free neighbours in the same segment.</li>
 *   <li>When the device is out of memory, the segments that are wholly free are released and the request is
 *       retried once.</li>
 * </ul>
 * One stream, so a block freed after a launch can be reused by the next launch without an event. Thread-safe.
 */
public final class CachingAllocator implements AutoCloseable {
    static final long ROUND = 512;
    static final long SMALL_LIMIT = 1L << 20;
    static final long SMALL_SEGMENT = 2L << 20;
    static final long MID_LIMIT = 10L << 20;
    static final long MID_SEGMENT = 20L << 20;
    static final long LARGE_ROUND = 2L << 20;

    /** A piece of a segment; blocks of one segment form a doubly linked list in address order. */
    public static final class Block {
        private final long address;
        private long size;
        private final boolean small;
        private boolean free;
        private Block prev;
        private Block next;

        private Block(long address, long size, boolean small) {
            this.address = address;
            this.size = size;
            this.small = small;
        }

        /** The device address. */
        public long address() {
            return address;
        }

        /** The bytes reserved for it (the rounded request, or more when the rest was too small to split off). */
        public long size() {
            return size;
        }
    }

    /** Counters in bytes; "allocated" is handed out, "reserved" is held from the device. */
    public record Stats(long allocatedBytes, long peakAllocatedBytes, long reservedBytes, long peakReservedBytes,
                        long deviceMallocs, long deviceFrees) {
    }

    private static final Comparator<Block> BEST_FIT =
            Comparator.comparingLong((Block b) -> b.size).thenComparingLong(b -> b.address);

    private final DeviceRuntime runtime;
    private final TreeSet<Block> smallFree = new TreeSet<>(BEST_FIT);
    private final TreeSet<Block> largeFree = new TreeSet<>(BEST_FIT);
    private final List<Block> segments = new ArrayList<>();
    private long allocated, peakAllocated, reserved, peakReserved, mallocs, frees;

    public CachingAllocator(DeviceRuntime runtime) {
        this.runtime = runtime;
    }

    /** A block of at least {@code bytes} bytes (at least 512), 512-byte aligned. */
    public synchronized Block allocate(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("cuda allocator: negative size " + bytes);
        }
        long size = Math.max(ROUND, (bytes + ROUND - 1) / ROUND * ROUND);
        boolean small = size <= SMALL_LIMIT;
        TreeSet<Block> pool = small ? smallFree : largeFree;
        Block b = pool.ceiling(new Block(0, size, small));
        if (b != null) {
            pool.remove(b);
        } else {
            long segment = small ? SMALL_SEGMENT : size <= MID_LIMIT ? MID_SEGMENT
                    : (size + LARGE_ROUND - 1) / LARGE_ROUND * LARGE_ROUND;
            b = new Block(deviceMalloc(segment), segment, small);
            segments.add(b);
        }
        long rest = b.size - size;
        if (small ? rest >= ROUND : rest > SMALL_LIMIT) {
            Block tail = new Block(b.address + size, rest, small);
            tail.free = true;
            tail.prev = b;
            tail.next = b.next;
            if (b.next != null) {
                b.next.prev = tail;
            }
            b.next = tail;
            b.size = size;
            pool.add(tail);
        }
        b.free = false;
        allocated += b.size;
        peakAllocated = Math.max(peakAllocated, allocated);
        return b;
    }

    /** Returns {@code b} to the cache, merged with its free neighbours. */
    public synchronized void free(Block b) {
        if (b.free) {
            throw new IllegalStateException("cuda allocator: block at 0x" + Long.toHexString(b.address) + " freed twice");
        }
        allocated -= b.size;
        b.free = true;
        TreeSet<Block> pool = b.small ? smallFree : largeFree;
        Block merged = b;
        if (merged.prev != null && merged.prev.free) {
            pool.remove(merged.prev);
            merged = absorb(merged.prev, merged);
        }
        if (merged.next != null && merged.next.free) {
            pool.remove(merged.next);
            merged = absorb(merged, merged.next);
        }
        pool.add(merged);
    }

    /** Joins {@code right} into its left neighbour {@code left}; returns {@code left}. */
    private static Block absorb(Block left, Block right) {
        left.size += right.size;
        left.next = right.next;
        if (right.next != null) {
            right.next.prev = left;
        }
        return left;
    }

    private long deviceMalloc(long bytes) {
        long address;
        try {
            address = runtime.malloc(bytes);
        } catch (CudaException outOfMemory) {
            releaseCached();
            address = runtime.malloc(bytes);
        }
        mallocs++;
        reserved += bytes;
        peakReserved = Math.max(peakReserved, reserved);
        return address;
    }

    /** Gives every wholly free segment back to the device. */
    public synchronized void releaseCached() {
        for (var it = segments.iterator(); it.hasNext(); ) {
            Block s = it.next();
            if (s.free && s.next == null) {
                (s.small ? smallFree : largeFree).remove(s);
                runtime.free(s.address);
                frees++;
                reserved -= s.size;
                it.remove();
            }
        }
    }

    public synchronized Stats stats() {
        return new Stats(allocated, peakAllocated, reserved, peakReserved, mallocs, frees);
    }

    /** Frees every segment, including blocks still handed out (their arrays must not be used afterwards). */
    @Override
    public synchronized void close() {
        for (Block s : segments) {
            runtime.free(s.address);
            frees++;
        }
        segments.clear();
        smallFree.clear();
        largeFree.clear();
        reserved = 0;
        allocated = 0;
    }
}
