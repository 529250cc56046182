package dev.unetgan.cuda;

import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Storage;

/** Device storage: one block of the backend's {@link CachingAllocator}, returned to it when the last array closes. */
final class CudaStorage extends Storage {
    private final CachingAllocator allocator;
    private final CachingAllocator.Block block;

    CudaStorage(CachingAllocator allocator, DType dtype, long length) {
        super(dtype, length);
        this.allocator = allocator;
        this.block = allocator.allocate(length * dtype.byteSize());
    }

    @Override
    protected void free() {
        allocator.free(block);
    }

    /** The device address of {@code a}'s first element. */
    static long address(NDArray a) {
        return ((CudaStorage) a.storage()).block.address();
    }

    /** The device address of {@code a}'s first element, or 0 (a null pointer) for a null array. */
    static long addressOrNull(NDArray a) {
        return a == null ? 0 : address(a);
    }
}
