package dev.unetgan.cuda;

/** A failed CUDA call (driver, kernel, cuBLAS, cuDNN or the emulator), naming the call and the error. */
public final class CudaException extends RuntimeException {
    public CudaException(String message) {
        super(message);
    }

    public CudaException(String message, Throwable cause) {
        super(message, cause);
    }
}
