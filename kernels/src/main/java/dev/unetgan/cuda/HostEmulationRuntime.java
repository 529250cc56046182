package dev.unetgan.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A {@link DeviceRuntime} without a GPU (DESIGN.md §4): the project's {@code .cu} kernels compiled for the host by
 * {@link EmulationLibrary} (CUDA threads as fibers, see {@code cuda_emu.h}) and called through FFM, native memory as
 * device memory, and {@link VendorReference} for the cuBLAS and cuDNN contracts. Launches are synchronous; a kernel
 * that hits a divergent {@code __syncthreads} or a shuffle from an absent lane fails with a {@link CudaException}.
 * Copies and memsets are checked against the live allocations, so an out-of-range transfer fails here instead of
 * corrupting memory.
 */
public final class HostEmulationRuntime implements DeviceRuntime {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    private static final MethodHandle ALIGNED_ALLOC = libc("aligned_alloc",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle FREE = libc("free", FunctionDescriptor.ofVoid(JAVA_LONG));
    private static final FunctionDescriptor LAUNCHER = FunctionDescriptor.of(JAVA_INT,
            JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS);
    private static final int ALIGN = 256;

    private final SymbolLookup library;
    private final MethodHandle lastError;
    private final Path libraryPath;
    private final Map<String, EmuKernel> kernels = new ConcurrentHashMap<>();
    /** Live allocations: address to size in bytes. */
    private final TreeMap<Long, Long> live = new TreeMap<>();
    private final Arena arena = Arena.ofShared();
    private MemorySegment argValues = MemorySegment.NULL;
    private MemorySegment argPointers = MemorySegment.NULL;
    private final java.util.concurrent.atomic.AtomicLong bytesToHost = new java.util.concurrent.atomic.AtomicLong();

    private record EmuKernel(String name, MethodHandle handle) implements Kernel {
    }

    private HostEmulationRuntime(Path libraryPath) {
        this.libraryPath = libraryPath;
        this.library = SymbolLookup.libraryLookup(libraryPath, Arena.global());
        this.lastError = LINKER.downcallHandle(symbol("emu_last_error"), FunctionDescriptor.of(ADDRESS));
    }

    /** The project's kernels, compiled (or taken from the cache under {@code cacheRoot}) and loaded. */
    public static HostEmulationRuntime create(Path cacheRoot) {
        return create(CudaSources.bundled(), cacheRoot);
    }

    /** The given kernels, compiled (or taken from the cache under {@code cacheRoot}) and loaded. */
    public static HostEmulationRuntime create(CudaSources sources, Path cacheRoot) {
        return new HostEmulationRuntime(EmulationLibrary.build(sources, cacheRoot));
    }

    /** Where the library cache lives: {@code -Dunetgan.cuda.emuCache}, else under the temporary directory. */
    public static Path defaultCache() {
        String dir = System.getProperty("unetgan.cuda.emuCache");
        return dir != null ? Path.of(dir) : Path.of(System.getProperty("java.io.tmpdir"), "unetgan-cuda-emu");
    }

    private static MethodHandle libc(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new IllegalStateException("libc has no " + name)), fd);
    }

    private MemorySegment symbol(String name) {
        return library.find(name).orElseThrow(() -> new CudaException("host emulation: " + libraryPath + " has no " + name));
    }

    @Override
    public String describe() {
        return "host emulation (" + libraryPath.getParent().getFileName() + ")";
    }

    @Override
    public synchronized long malloc(long bytes) {
        long size = Math.max(ALIGN, (bytes + ALIGN - 1) / ALIGN * ALIGN);
        long address;
        try {
            address = (long) ALIGNED_ALLOC.invokeExact((long) ALIGN, size);
        } catch (Throwable t) {
            throw new CudaException("cuMemAlloc (emulated): " + t, t);
        }
        if (address == 0) {
            throw new CudaException("cuMemAlloc (emulated): CUDA_ERROR_OUT_OF_MEMORY for " + bytes + " bytes");
        }
        live.put(address, size);
        return address;
    }

    @Override
    public synchronized void free(long address) {
        if (live.remove(address) == null) {
            throw new CudaException("cuMemFree (emulated): CUDA_ERROR_INVALID_VALUE, 0x" + Long.toHexString(address)
                    + " is not an allocation");
        }
        try {
            FREE.invokeExact(address);
        } catch (Throwable t) {
            throw new CudaException("cuMemFree (emulated): " + t, t);
        }
    }

    /** Throws unless {@code [address, address + bytes)} lies inside one live allocation. */
    private synchronized void checkRange(String call, long address, long bytes) {
        Map.Entry<Long, Long> e = live.floorEntry(address);
        if (bytes < 0 || e == null || address + bytes > e.getKey() + e.getValue()) {
            throw new CudaException(call + " (emulated): CUDA_ERROR_INVALID_VALUE, " + bytes + " bytes at 0x"
                    + Long.toHexString(address) + " are not inside one allocation");
        }
    }

    private static MemorySegment at(long address, long bytes) {
        return ALL.asSlice(address, bytes);
    }

    @Override
    public void copyToDevice(MemorySegment src, long dst, long bytes) {
        checkRange("cuMemcpyHtoD", dst, bytes);
        MemorySegment.copy(src, 0, at(dst, bytes), 0, bytes);
    }

    @Override
    public void copyToHost(long src, MemorySegment dst, long bytes) {
        checkRange("cuMemcpyDtoH", src, bytes);
        bytesToHost.addAndGet(bytes);
        MemorySegment.copy(at(src, bytes), 0, dst, 0, bytes);
    }

    @Override
    public void copyOnDevice(long src, long dst, long bytes) {
        checkRange("cuMemcpyDtoD", src, bytes);
        checkRange("cuMemcpyDtoD", dst, bytes);
        MemorySegment.copy(at(src, bytes), 0, at(dst, bytes), 0, bytes);
    }

    @Override
    public void memsetD32(long dst, int value, long count) {
        checkRange("cuMemsetD32", dst, 4 * count);
        MemorySegment s = at(dst, 4 * count);
        if (value == 0) {
            s.fill((byte) 0);
        } else {
            for (long i = 0; i < count; i++) {
                s.setAtIndex(JAVA_INT, i, value);
            }
        }
    }

    @Override
    public Kernel kernel(String name) {
        return kernels.computeIfAbsent(name, n -> new EmuKernel(n, LINKER.downcallHandle(symbol("emu_" + n), LAUNCHER)));
    }

    @Override
    public synchronized void launch(Kernel kernel, Dim3 grid, Dim3 block, int sharedBytes, KernelArgs args) {
        EmuKernel k = (EmuKernel) kernel;
        MemorySegment pointers = pack(args);
        int status;
        try {
            status = (int) k.handle().invokeExact(grid.x(), grid.y(), grid.z(), block.x(), block.y(), block.z(),
                    sharedBytes, pointers);
        } catch (Throwable t) {
            throw new CudaException("launch of " + k.name() + " (emulated): " + t, t);
        }
        if (status != 0) {
            throw new CudaException("launch of " + k.name() + " (emulated) failed: " + lastError());
        }
    }

    /** Packs the arguments into the reused native buffers; returns the {@code void*[]} of kernelParams. */
    private MemorySegment pack(KernelArgs args) {
        int n = args.count();
        long bytes = 0;
        for (int i = 0; i < n; i++) {
            bytes += (args.size(i) + 15) / 16 * 16;
        }
        if (argValues.byteSize() < bytes || argPointers.byteSize() < 8L * n) {
            argValues = arena.allocate(Math.max(bytes, 1024), 16);
            argPointers = arena.allocate(ADDRESS, Math.max(n, 64));
        }
        long offset = 0;
        for (int i = 0; i < n; i++) {
            switch (args.kind(i)) {
                case I64, F64 -> argValues.set(JAVA_LONG, offset, args.value(i));
                case I32, F32 -> argValues.set(JAVA_INT, offset, (int) args.value(i));
                case INTS -> MemorySegment.copy(args.struct(i), 0, argValues, JAVA_INT, offset, args.struct(i).length);
            }
            argPointers.setAtIndex(ADDRESS, i, argValues.asSlice(offset));
            offset += (args.size(i) + 15) / 16 * 16;
        }
        return argPointers;
    }

    private String lastError() {
        try {
            MemorySegment s = (MemorySegment) lastError.invokeExact();
            return s.reinterpret(Long.MAX_VALUE).getString(0);
        } catch (Throwable t) {
            return "(no message: " + t + ")";
        }
    }

    @Override
    public void sgemmStridedBatched(boolean transA, boolean transB, int m, int n, int k, long alpha,
                                    long a, int lda, long strideA, long b, int ldb, long strideB,
                                    long beta, long c, int ldc, long strideC, int batch) {
        // Device pointer mode: a host scalar, or a float's bits passed as an address, is not device memory.
        checkRange("cublasSgemmStridedBatched alpha (CUBLAS_POINTER_MODE_DEVICE)", alpha, 4);
        checkRange("cublasSgemmStridedBatched beta (CUBLAS_POINTER_MODE_DEVICE)", beta, 4);
        VendorReference.sgemmStridedBatched(transA, transB, m, n, k, alpha, a, lda, strideA, b, ldb, strideB,
                beta, c, ldc, strideC, batch);
    }

    /** The reference needs no scratch. */
    @Override
    public long convolutionWorkspaceBytes(ConvGeometry g, ConvPass pass) {
        return 0;
    }

    @Override
    public void convolutionForward(ConvGeometry g, float alpha, long x, long w, float beta, long y, long workspace) {
        VendorReference.convolutionForward(g, alpha, x, w, beta, y);
    }

    @Override
    public void convolutionBackwardData(ConvGeometry g, float alpha, long w, long dy, float beta, long dx,
                                        long workspace) {
        VendorReference.convolutionBackwardData(g, alpha, w, dy, beta, dx);
    }

    @Override
    public void convolutionBackwardFilter(ConvGeometry g, float alpha, long x, long dy, float beta, long dw,
                                          long workspace) {
        VendorReference.convolutionBackwardFilter(g, alpha, x, dy, beta, dw);
    }

    @Override
    public void synchronize() {
        // Launches and copies are synchronous here.
    }

    /** Bytes copied from the device to the host so far (to prove that a computation stays on the device). */
    public long bytesToHost() {
        return bytesToHost.get();
    }

    /** Bytes currently allocated through {@link #malloc} (for leak checks). */
    public synchronized long liveBytes() {
        return live.values().stream().mapToLong(Long::longValue).sum();
    }

    @Override
    public void close() {
        arena.close();
    }
}
