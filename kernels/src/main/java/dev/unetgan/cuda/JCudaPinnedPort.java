package dev.unetgan.cuda;

import jcuda.Pointer;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

import java.lang.foreign.MemorySegment;

import static dev.unetgan.cuda.JCudaRuntime.check;

/**
 * {@link PinnedStaging}'s GPU side on the driver API: {@code cuMemAllocHost} slots seen by the host through
 * {@link Pointer#getByteBuffer}, {@code cuMemcpy*Async} on the runtime's stream, and one event per slot
 * ({@code CU_EVENT_DISABLE_TIMING}, the cheap kind).
 */
final class JCudaPinnedPort implements PinnedStaging.Port {
    private final CUstream stream;
    private final Pointer[] host = new Pointer[PinnedStaging.SLOTS];
    private final CUevent[] done = new CUevent[PinnedStaging.SLOTS];

    JCudaPinnedPort(CUstream stream) {
        this.stream = stream;
    }

    @Override
    public MemorySegment allocate(int slot, long bytes) {
        Pointer p = new Pointer();
        check(JCudaDriver.cuMemAllocHost(p, bytes), "cuMemAllocHost(" + bytes + ")");
        CUevent e = new CUevent();
        check(JCudaDriver.cuEventCreate(e, CUevent_flags.CU_EVENT_DISABLE_TIMING), "cuEventCreate");
        host[slot] = p;
        done[slot] = e;
        return MemorySegment.ofBuffer(p.getByteBuffer(0, bytes));
    }

    @Override
    public void toDevice(int slot, long dst, long bytes) {
        check(JCudaDriver.cuMemcpyHtoDAsync(JCudaAddress.at(dst), host[slot], bytes, stream), "cuMemcpyHtoDAsync");
        check(JCudaDriver.cuEventRecord(done[slot], stream), "cuEventRecord");
    }

    @Override
    public void toHost(long src, int slot, long bytes) {
        check(JCudaDriver.cuMemcpyDtoHAsync(host[slot], JCudaAddress.at(src), bytes, stream), "cuMemcpyDtoHAsync");
        check(JCudaDriver.cuEventRecord(done[slot], stream), "cuEventRecord");
    }

    @Override
    public void await(int slot) {
        check(JCudaDriver.cuEventSynchronize(done[slot]), "cuEventSynchronize");
    }

    @Override
    public void free(int slot) {
        check(JCudaDriver.cuEventDestroy(done[slot]), "cuEventDestroy");
        check(JCudaDriver.cuMemFreeHost(host[slot]), "cuMemFreeHost");
    }
}
