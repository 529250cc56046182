package dev.unetgan.cuda;

import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;

/**
 * Float constants in device memory, for the scale factors of GEMM calls in device pointer mode
 * ({@link DeviceRuntime#sgemmStridedBatched}): a GEMM then needs no host value and no transfer per call, and a scale
 * computed on the device (such as a spectral norm's {@code 1/σ}) can be passed the same way. One
 * {@value #CAPACITY}-float allocation, made on first use; each distinct value is uploaded once and kept. Should more
 * distinct values be asked for, the oldest slot is rewritten: the upload is in stream order, after every call that
 * read the old value.
 */
final class DeviceScalars implements AutoCloseable {
    static final int CAPACITY = 64;

    private final DeviceRuntime runtime;
    private final Map<Integer, Integer> slotOfBits = new HashMap<>();
    private final int[] bitsInSlot = new int[CAPACITY];
    private final float[] value = new float[1];
    private long base;
    /** The slot the next new value takes: slots fill in order, then the oldest is rewritten. */
    private int next;

    DeviceScalars(DeviceRuntime runtime) {
        this.runtime = runtime;
    }

    /** The device address of a float holding {@code v} (compared by bits, so 0 and -0 are two constants). */
    synchronized long of(float v) {
        int bits = Float.floatToRawIntBits(v);
        Integer slot = slotOfBits.get(bits);
        if (slot == null) {
            if (base == 0) {
                base = runtime.malloc(4L * CAPACITY);
            }
            slot = next;
            next = (next + 1) % CAPACITY;
            if (slotOfBits.size() == CAPACITY) {
                slotOfBits.remove(bitsInSlot[slot]);
            }
            value[0] = v;
            runtime.copyToDevice(MemorySegment.ofArray(value), base + 4L * slot, 4);
            slotOfBits.put(bits, slot);
            bitsInSlot[slot] = bits;
        }
        return base + 4L * slot;
    }

    @Override
    public synchronized void close() {
        if (base != 0) {
            runtime.free(base);
            base = 0;
            slotOfBits.clear();
            next = 0;
        }
    }
}
