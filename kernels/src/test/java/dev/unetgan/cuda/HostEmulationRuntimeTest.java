package dev.unetgan.cuda;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The emulator's CUDA semantics, on the test kernels of src/test/cuda/emu_semantics.cu. */
class HostEmulationRuntimeTest {
    private static HostEmulationRuntime rt;

    @BeforeAll
    static void compile() {
        rt = HostEmulationRuntime.create(
                CudaSources.directoryWithBundledHeaders(Path.of(System.getProperty("unetgan.cuda.testSources"))),
                HostEmulationRuntime.defaultCache());
    }

    @AfterAll
    static void close() {
        rt.close();
    }

    private static void assertContains(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "expected \"" + p + "\" in: " + message);
        }
    }

    private static long upload(float[] data) {
        long p = rt.malloc(4L * data.length);
        rt.copyToDevice(MemorySegment.ofArray(data), p, 4L * data.length);
        return p;
    }

    private static float[] download(long p, int n) {
        float[] out = new float[n];
        rt.copyToHost(p, MemorySegment.ofArray(out), 4L * n);
        return out;
    }

    @Test
    void sharedMemoryBarriersAndShufflesSumEachBlock() {
        int blocks = 300, threads = 256;
        float[] in = new float[blocks * threads];
        for (int i = 0; i < in.length; i++) {
            in[i] = (i % 7) - 3 + i / threads;  // small integers: float sums are exact
        }
        long x = upload(in), y = rt.malloc(4L * blocks);
        rt.launch(rt.kernel("block_sum_kernel"), Dim3.of(blocks), Dim3.of(threads), 0, new KernelArgs().ptr(x).ptr(y));
        float[] sums = download(y, blocks);
        for (int b = 0; b < blocks; b++) {
            float expected = 0;
            for (int t = 0; t < threads; t++) {
                expected += in[b * threads + t];
            }
            assertEquals(expected, sums[b], "block " + b);
        }
        rt.free(x);
        rt.free(y);
    }

    @Test
    void threadsThatReturnEarlyLeaveTheBarrier() {
        int n = 300;  // the second block of 256 has 44 live threads
        float[] in = new float[n];
        for (int i = 0; i < n; i++) {
            in[i] = i;
        }
        long x = upload(in), y = rt.malloc(4L * n);
        rt.launch(rt.kernel("early_return_reverse_kernel"), Dim3.of(2), Dim3.of(256), 0,
                new KernelArgs().ptr(x).ptr(y).i32(n));
        float[] out = download(y, n);
        assertEquals(255, out[0]);
        assertEquals(0, out[255]);
        assertEquals(n - 1, out[256]);
        assertEquals(256, out[n - 1]);
        rt.free(x);
        rt.free(y);
    }

    @Test
    void divergentSyncthreadsIsReported() {
        long y = rt.malloc(4L * 64);
        CudaException e = assertThrows(CudaException.class, () -> rt.launch(rt.kernel("divergent_barrier_kernel"),
                Dim3.of(1), Dim3.of(64), 0, new KernelArgs().ptr(y)));
        assertContains(e.getMessage(), "divergent __syncthreads", "divergent_barrier_kernel", "emu_semantics.cu:");
        // The runtime is still usable after a failed launch.
        sharedMemoryBarriersAndShufflesSumEachBlock();
        rt.free(y);
    }

    @Test
    void shuffleFromAnAbsentLaneIsReported() {
        long y = rt.malloc(4L * 32);
        CudaException e = assertThrows(CudaException.class, () -> rt.launch(rt.kernel("absent_lane_shuffle_kernel"),
                Dim3.of(1), Dim3.of(32), 0, new KernelArgs().ptr(y)));
        assertContains(e.getMessage(), "shuffle from an absent lane", "reads lane 16", "has returned");
        rt.free(y);
    }

    @Test
    void ballotAndXorShuffle() {
        float[] in = new float[32];
        for (int i = 0; i < 32; i++) {
            in[i] = 100 + i;
        }
        long x = upload(in), y = rt.malloc(4L * 32);
        rt.launch(rt.kernel("ballot_xor_kernel"), Dim3.of(1), Dim3.of(32), 0, new KernelArgs().ptr(x).ptr(y));
        float[] out = download(y, 32);
        for (int t = 0; t < 32; t++) {
            assertEquals(16 + 100 + (t ^ 1), out[t], "lane " + t);
        }
        rt.free(x);
        rt.free(y);
    }

    @Test
    void dynamicSharedMemoryIsPerBlock() {
        int blocks = 8, threads = 64;
        long y = rt.malloc(4L * blocks * threads);
        rt.launch(rt.kernel("dynamic_shared_kernel"), Dim3.of(blocks), Dim3.of(threads), 4 * threads,
                new KernelArgs().ptr(y));
        float[] out = download(y, blocks * threads);
        for (int b = 0; b < blocks; b++) {
            for (int t = 0; t < threads; t++) {
                assertEquals(b * 1000 + threads - 1 - t, out[b * threads + t]);
            }
        }
        rt.free(y);
    }

    @Test
    void atomicsAreAtomicAcrossParallelBlocks() {
        long c = rt.malloc(4);
        rt.memsetD32(c, 0, 1);
        rt.launch(rt.kernel("atomic_count_kernel"), Dim3.of(500), Dim3.of(128), 0, new KernelArgs().ptr(c));
        int[] count = new int[1];
        rt.copyToHost(c, MemorySegment.ofArray(count), 4);
        assertEquals(500 * 128, count[0]);
        rt.free(c);
    }

    @Test
    void transfersOutsideAnAllocationAreRejected() {
        long p = rt.malloc(64);
        float[] host = new float[32];
        assertThrows(CudaException.class, () -> rt.copyToDevice(MemorySegment.ofArray(host), p, 4L * 32 + 256));
        assertThrows(CudaException.class, () -> rt.free(p + 4));
        rt.free(p);
        assertTrue(rt.liveBytes() >= 0);
    }

    @Test
    void sgemmFollowsTheColumnMajorContractWithScalesInDeviceMemory() {
        // Column-major A (2x3, lda 2) and B (3x2, ldb 3): C = A·B (2x2).
        long a = upload(new float[]{1, 4, 2, 5, 3, 6});
        long b = upload(new float[]{7, 9, 11, 8, 10, 12});
        long c = upload(new float[]{Float.NaN, Float.NaN, Float.NaN, Float.NaN});
        try (DeviceScalars scalars = new DeviceScalars(rt)) {
            long one = scalars.of(1), zero = scalars.of(0);
            rt.sgemm(false, false, 2, 2, 3, one, a, 2, b, 3, zero, c, 2);
            assertArrayEquals(new float[]{58, 139, 64, 154}, download(c, 4));
            // op(A) = A^T with A stored 3x2 (lda 3); alpha and beta are read from the device: C = 2·A·B - 3·C.
            long at = upload(new float[]{1, 2, 3, 4, 5, 6});
            rt.sgemm(true, false, 2, 2, 3, scalars.of(2), at, 3, b, 3, scalars.of(-3), c, 2);
            assertArrayEquals(new float[]{-58, -139, -64, -154}, download(c, 4));
            assertThrows(CudaException.class, () -> rt.sgemm(false, false, 2, 2, 3, one, a, 1, b, 3, zero, c, 2));
            // Host pointer mode by mistake: a host scalar's address, or the value itself, is not device memory.
            try (Arena arena = Arena.ofConfined()) {
                long hostOne = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 1f).address();
                assertContains(assertThrows(CudaException.class,
                        () -> rt.sgemm(false, false, 2, 2, 3, hostOne, a, 2, b, 3, zero, c, 2)).getMessage(),
                        "alpha", "CUBLAS_POINTER_MODE_DEVICE");
                assertContains(assertThrows(CudaException.class,
                        () -> rt.sgemm(false, false, 2, 2, 3, one, a, 2, b, 3, 0, c, 2)).getMessage(),
                        "beta", "CUBLAS_POINTER_MODE_DEVICE");
            }
            for (long p : new long[]{a, b, c, at}) {
                rt.free(p);
            }
        }
    }
}
