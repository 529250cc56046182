package dev.unetgan.cuda;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** The device constants behind GEMM's device pointer mode, on the host emulation's memory. */
class DeviceScalarsTest {
    private static final HostEmulationRuntime rt = EmulatedRuntime.get();

    private static float read(long address) {
        float[] f = new float[1];
        rt.copyToHost(address, MemorySegment.ofArray(f), 4);
        return f[0];
    }

    @Test
    void eachValueHasOneSlotInOneAllocation() {
        long live = rt.liveBytes();
        try (DeviceScalars scalars = new DeviceScalars(rt)) {
            long one = scalars.of(1f), zero = scalars.of(0f), negZero = scalars.of(-0f);
            assertEquals(live + 4L * DeviceScalars.CAPACITY, rt.liveBytes());
            assertEquals(one, scalars.of(1f));
            assertEquals(zero, scalars.of(0f));
            assertNotEquals(zero, negZero, "0 and -0 differ as scale bits");
            assertEquals(1f, read(one));
            assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(read(negZero)));
        }
        assertEquals(live, rt.liveBytes(), "close frees the constants");
    }

    @Test
    void moreDistinctValuesThanSlotsRewriteTheOldestAndStayCorrect() {
        long live = rt.liveBytes();
        try (DeviceScalars scalars = new DeviceScalars(rt)) {
            Set<Long> addresses = new HashSet<>();
            for (int i = 0; i < 3 * DeviceScalars.CAPACITY; i++) {
                long a = scalars.of(i + 0.5f);
                addresses.add(a);
                assertEquals(i + 0.5f, read(a));
            }
            assertEquals(DeviceScalars.CAPACITY, addresses.size());
            assertEquals(live + 4L * DeviceScalars.CAPACITY, rt.liveBytes());
            // The first value was evicted long ago: asking again uploads it afresh.
            assertEquals(0.5f, read(scalars.of(0.5f)));
            // The newest values are still cached and intact.
            float newest = 3 * DeviceScalars.CAPACITY - 1 + 0.5f;
            assertEquals(newest, read(scalars.of(newest)));
        }
    }
}
