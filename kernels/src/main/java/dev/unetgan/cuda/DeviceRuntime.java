package dev.unetgan.cuda;

import java.lang.foreign.MemorySegment;

/**
 * The seam between {@link CudaBackend} and a CUDA device (DESIGN.md §4): memory, kernel launches, and the two vendor
 * contracts the backend relies on. {@code CudaBackend} holds all the logic (launch configurations, argument order,
 * allocator, the row-major to column-major GEMM swap); a runtime only carries calls out. Device memory is named by
 * 64-bit device addresses. Every call is in stream order on the runtime's one stream; {@link #synchronize} waits.
 *
 * <p>Implementations: {@link HostEmulationRuntime} (the kernels compiled for the host, native memory as device
 * memory, reference GEMM and convolution; what CI runs) and the JCuda runtime (driver API, cuBLAS, cuDNN).
 * Errors throw {@link CudaException} naming the call.
 */
public interface DeviceRuntime extends AutoCloseable {

    /** One line: what this runtime is (for the probe's log line). */
    String describe();

    /** {@code cuMemAlloc}: {@code bytes} of device memory, aligned to at least 256 bytes. */
    long malloc(long bytes);

    /** {@code cuMemFree}. */
    void free(long address);

    /** Host to device: {@code bytes} from {@code src} (heap or native) to {@code dst}. */
    void copyToDevice(MemorySegment src, long dst, long bytes);

    /** Device to host: {@code bytes} from {@code src} into {@code dst} (heap or native). */
    void copyToHost(long src, MemorySegment dst, long bytes);

    /** Device to device, {@code bytes}; the ranges do not overlap. */
    void copyOnDevice(long src, long dst, long bytes);

    /** {@code cuMemsetD32}: {@code count} 32-bit words at {@code dst} set to {@code value}. */
    void memsetD32(long dst, int value, long count);

    /** A kernel of the project's {@code .cu} sources, by its {@code extern "C"} name; resolve once and keep. */
    Kernel kernel(String name);

    /**
     * {@code cuLaunchKernel}: runs {@code kernel} on a {@code grid} of {@code block}s with {@code sharedBytes} of
     * dynamic shared memory; {@code args} are the kernel's parameters in order.
     */
    void launch(Kernel kernel, Dim3 grid, Dim3 block, int sharedBytes, KernelArgs args);

    /**
     * {@code cublasSgemmStridedBatched} in device pointer mode ({@code CUBLAS_POINTER_MODE_DEVICE}), exactly:
     * column-major, for {@code i < batch}, {@code C_i = alpha·op(A_i)·op(B_i) + beta·C_i} with {@code op(A_i)} of
     * {@code m×k}, {@code op(B_i)} of {@code k×n}, {@code C_i} of {@code m×n}; {@code X_i = X + i·strideX} (in
     * elements, 0 allowed for A and B); leading dimensions {@code lda >= max(1, transA ? k : m)},
     * {@code ldb >= max(1, transB ? n : k)}, {@code ldc >= max(1, m)}. {@code alpha} and {@code beta} are the device
     * addresses of one float each (see {@link DeviceScalars}), read in stream order, so a scale computed by a kernel
     * never visits the host. With {@code *beta = 0}, C is not read (so it may hold NaN).
     */
    void sgemmStridedBatched(boolean transA, boolean transB, int m, int n, int k, long alpha,
                             long a, int lda, long strideA, long b, int ldb, long strideB,
                             long beta, long c, int ldc, long strideC, int batch);

    /** The argument checks of cuBLAS ({@code CUBLAS_STATUS_INVALID_VALUE}), shared by every implementation. */
    static void checkSgemm(boolean transA, boolean transB, int m, int n, int k, int lda, int ldb, int ldc, int batch) {
        if (m < 0 || n < 0 || k < 0 || batch < 0 || lda < Math.max(1, transA ? k : m)
                || ldb < Math.max(1, transB ? n : k) || ldc < Math.max(1, m)) {
            throw new CudaException("cublasSgemmStridedBatched: CUBLAS_STATUS_INVALID_VALUE (transA=" + transA
                    + " transB=" + transB + " m=" + m + " n=" + n + " k=" + k + " lda=" + lda + " ldb=" + ldb
                    + " ldc=" + ldc + " batch=" + batch + ")");
        }
    }

    /** {@code cublasSgemm}: {@link #sgemmStridedBatched} with one matrix. */
    default void sgemm(boolean transA, boolean transB, int m, int n, int k, long alpha, long a, int lda,
                       long b, int ldb, long beta, long c, int ldc) {
        sgemmStridedBatched(transA, transB, m, n, k, alpha, a, lda, 0, b, ldb, 0, beta, c, ldc, 0, 1);
    }

    /** The three passes of a convolution, as cuDNN names them. */
    enum ConvPass { FORWARD, BACKWARD_DATA, BACKWARD_FILTER }

    /**
     * The scratch bytes the next call of {@code pass} on {@code g} needs; the caller allocates them (from its caching
     * allocator) and passes them in. A runtime that measures its algorithm choice (cuDNN's {@code cudnnFind}, see
     * {@link ConvAlgorithms}) asks, before the first call of a shape, for a search budget and searches inside it
     * during that call; afterwards, for the chosen algorithm's workspace.
     */
    long convolutionWorkspaceBytes(ConvGeometry g, ConvPass pass);

    /**
     * {@code cudnnConvolutionForward} with {@code CUDNN_CROSS_CORRELATION}, NCHW F32:
     * {@code y = alpha·conv(x, w) + beta·y}, {@code x [N,C,H,W]}, {@code w [K,C,R,S]}, {@code y [N,K,P,Q]}; with
     * {@code beta = 0}, y is not read.
     */
    void convolutionForward(ConvGeometry g, float alpha, long x, long w, float beta, long y, long workspace);

    /** {@code cudnnConvolutionBackwardData}: {@code dx = alpha·conv_x^T(w, dy) + beta·dx}. */
    void convolutionBackwardData(ConvGeometry g, float alpha, long w, long dy, float beta, long dx, long workspace);

    /** {@code cudnnConvolutionBackwardFilter}: {@code dw = alpha·conv_w^T(x, dy) + beta·dw}. */
    void convolutionBackwardFilter(ConvGeometry g, float alpha, long x, long dy, float beta, long dw, long workspace);

    /** Waits until everything issued so far has finished. */
    void synchronize();

    /** Releases the runtime's own resources (not memory the caller still holds). */
    @Override
    void close();

    /** A resolved kernel; {@link #name} is its {@code extern "C"} name. */
    interface Kernel {
        String name();
    }
}
