package dev.unetgan.cuda;

import jcuda.driver.CUstream;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasOperation;
import jcuda.jcublas.cublasPointerMode;
import jcuda.jcublas.cublasStatus;
import jcuda.runtime.cudaStream_t;

/**
 * The GEMM tier with cuBLAS: {@code cublasSgemmStridedBatched} on the runtime's stream, in device pointer mode, so
 * alpha and beta are the device addresses {@link DeviceRuntime#sgemmStridedBatched} passes: no host scalar, no
 * synchronization for a scale that a kernel computed.
 */
final class CublasGemm implements GemmTier {
    private final cublasHandle handle = new cublasHandle();

    CublasGemm(CUstream stream) {
        check(JCublas2.cublasCreate(handle), "cublasCreate");
        check(JCublas2.cublasSetStream(handle, new cudaStream_t(stream)), "cublasSetStream");
        check(JCublas2.cublasSetPointerMode(handle, cublasPointerMode.CUBLAS_POINTER_MODE_DEVICE), "cublasSetPointerMode");
    }

    private static void check(int status, String call) {
        if (status != cublasStatus.CUBLAS_STATUS_SUCCESS) {
            throw new CudaException(call + ": " + cublasStatus.stringFor(status));
        }
    }

    @Override
    public synchronized void sgemmStridedBatched(boolean transA, boolean transB, int m, int n, int k, long alpha,
                                          long aPtr, int lda, long strideA, long bPtr, int ldb, long strideB,
                                          long beta, long cPtr, int ldc, long strideC, int batch) {
        DeviceRuntime.checkSgemm(transA, transB, m, n, k, lda, ldb, ldc, batch);
        check(JCublas2.cublasSgemmStridedBatched(handle,
                transA ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N,
                transB ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N, m, n, k, JCudaAddress.at(alpha),
                JCudaAddress.at(aPtr), lda, strideA, JCudaAddress.at(bPtr), ldb, strideB, JCudaAddress.at(beta),
                JCudaAddress.at(cPtr), ldc, strideC, batch), "cublasSgemmStridedBatched");
    }

    void destroy() {
        JCublas2.cublasDestroy(handle);
    }
}
