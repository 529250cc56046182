package dev.unetgan.cuda;

import jcuda.driver.CUdeviceptr;

/**
 * Device addresses as {@code long}s on JCuda: {@link DeviceRuntime} names device memory by address, JCuda by
 * {@link CUdeviceptr} objects. JCuda resolves a pointer as its native pointer plus its byte offset, so a null
 * pointer offset by an address is that address, and an allocation's address is readable from a subclass.
 */
final class JCudaAddress extends CUdeviceptr {
    private static final CUdeviceptr NULL = new CUdeviceptr();

    /** The address JCuda wrote into this pointer (by {@code cuMemAlloc}). */
    long address() {
        return getNativePointer() + getByteOffset();
    }

    /** A JCuda pointer to {@code address}. */
    static CUdeviceptr at(long address) {
        return NULL.withByteOffset(address);
    }
}
