package dev.unetgan.cuda;

import java.lang.foreign.MemorySegment;

/**
 * Host-device transfers through a few reused pinned buffers ("slots"). JCuda pins a heap array only for the length of
 * a call, so an asynchronous copy straight from one is unsafe, and a copy from pageable memory runs at a fraction of
 * the bus speed (notes/jcuda.md §3). Here every transfer moves in slot-sized chunks:
 * <ul>
 *   <li>to the device: wait until the slot's previous copy has finished, copy the chunk into the slot, enqueue the
 *       slot-to-device copy on the stream. The call returns once every chunk is enqueued: the source may be reused
 *       at once, and the device sees the data in stream order;</li>
 *   <li>to the host: enqueue device-to-slot copies for as many chunks as there are slots, then per chunk wait for its
 *       slot, copy it out, and reuse the slot for a later chunk. The call returns with the destination complete.</li>
 * </ul>
 * The slots are allocated on the first transfer and freed on {@link #close}: at most {@code slots·slotBytes} bytes
 * are pinned, whatever the transfer sizes. The GPU side is a {@link Port}, so the chunking and waiting are tested on
 * the host (with a port that defers copies until they are awaited).
 */
final class PinnedStaging implements AutoCloseable {
    /** Two slots let the host fill one while the other is in flight; 4 MiB each keeps a transfer near bus speed. */
    static final int SLOTS = 2;
    static final long SLOT_BYTES = 4L << 20;

    /** What the GPU provides, per slot: pinned memory, asynchronous copies on the stream, and a completion event. */
    interface Port {
        /** {@code cuMemAllocHost} of {@code bytes} for {@code slot}; the segment is the host's view of it. */
        MemorySegment allocate(int slot, long bytes);

        /** Enqueues the copy of the slot's first {@code bytes} to {@code dst}, then records the slot's event. */
        void toDevice(int slot, long dst, long bytes);

        /** Enqueues the copy of {@code bytes} at {@code src} into the slot, then records the slot's event. */
        void toHost(long src, int slot, long bytes);

        /** Waits for the slot's last recorded event (returns at once if none was recorded). */
        void await(int slot);

        /** {@code cuMemFreeHost} of the slot. */
        void free(int slot);
    }

    private final Port port;
    private final int slots;
    private final long slotBytes;
    private MemorySegment[] buffers;
    /** The slot the next upload chunk uses: uploads rotate so that consecutive chunks overlap. */
    private int next;

    PinnedStaging(Port port) {
        this(port, SLOTS, SLOT_BYTES);
    }

    PinnedStaging(Port port, int slots, long slotBytes) {
        if (slots < 1 || slotBytes < 1) {
            throw new IllegalArgumentException("pinned staging: " + slots + " slots of " + slotBytes + " bytes");
        }
        this.port = port;
        this.slots = slots;
        this.slotBytes = slotBytes;
    }

    private MemorySegment[] buffers() {
        if (buffers == null) {
            MemorySegment[] b = new MemorySegment[slots];
            for (int s = 0; s < slots; s++) {
                b[s] = port.allocate(s, slotBytes);
            }
            buffers = b;
        }
        return buffers;
    }

    /** Host to device: {@code bytes} from {@code src} to {@code dst}; {@code src} may be reused on return. */
    synchronized void toDevice(MemorySegment src, long dst, long bytes) {
        MemorySegment[] b = bytes > 0 ? buffers() : null;
        for (long offset = 0; offset < bytes; offset += slotBytes) {
            long n = Math.min(slotBytes, bytes - offset);
            int s = next;
            next = (next + 1) % slots;
            port.await(s);
            MemorySegment.copy(src, offset, b[s], 0, n);
            port.toDevice(s, dst + offset, n);
        }
    }

    /** Device to host: {@code bytes} from {@code src} into {@code dst}, complete on return. */
    synchronized void toHost(long src, MemorySegment dst, long bytes) {
        if (bytes <= 0) {
            return;
        }
        MemorySegment[] b = buffers();
        long chunks = (bytes + slotBytes - 1) / slotBytes;
        for (long c = 0; c < Math.min(slots, chunks); c++) {
            enqueueToHost(src, bytes, c);
        }
        for (long c = 0; c < chunks; c++) {
            int s = (int) (c % slots);
            port.await(s);
            MemorySegment.copy(b[s], 0, dst, c * slotBytes, Math.min(slotBytes, bytes - c * slotBytes));
            if (c + slots < chunks) {
                enqueueToHost(src, bytes, c + slots);
            }
        }
    }

    private void enqueueToHost(long src, long bytes, long chunk) {
        long offset = chunk * slotBytes;
        port.toHost(src + offset, (int) (chunk % slots), Math.min(slotBytes, bytes - offset));
    }

    /** Waits for the pending copies and frees the slots. */
    @Override
    public synchronized void close() {
        if (buffers != null) {
            for (int s = 0; s < slots; s++) {
                port.await(s);
                port.free(s);
            }
            buffers = null;
        }
    }
}
