package dev.unetgan.cuda;

import jcuda.Pointer;
import jcuda.driver.CUstream;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasOperation;
import jcuda.jcublas.cublasPointerMode;
import jcuda.jcublas.cublasStatus;
import jcuda.runtime.cudaStream_t;

/**
 * The GEMM tier with cuBLAS: {@code cublasSgemmStridedBatched} on the runtime's stream. alpha and beta come from
 * the host (host pointer mode), as {@link DeviceRuntime#sgemmStridedBatched} passes them.
 */
final class CublasGemm implements GemmTier {
    private final cublasHandle handle = new cublasHandle();
    private final float[] alpha = new float[1];
    private final float[] beta = new float[1];
    private final Pointer alphaPointer = Pointer.to(alpha);
    private final Pointer betaPointer = Pointer.to(beta);

    CublasGemm(CUstream stream) {
        check(JCublas2.cublasCreate(handle), "cublasCreate");
        check(JCublas2.cublasSetStream(handle, new cudaStream_t(stream)), "cublasSetStream");
        check(JCublas2.cublasSetPointerMode(handle, cublasPointerMode.CUBLAS_POINTER_MODE_HOST), "cublasSetPointerMode");
    }

    private static void check(int status, String call) {
        if (status != cublasStatus.CUBLAS_STATUS_SUCCESS) {
            throw new CudaException(call + ": " + cublasStatus.stringFor(status));
        }
    }

    @Override
    public synchronized void sgemmStridedBatched(boolean transA, boolean transB, int m, int n, int k, float a,
                                          long aPtr, int lda, long strideA, long bPtr, int ldb, long strideB,
                                          float b, long cPtr, int ldc, long strideC, int batch) {
        DeviceRuntime.checkSgemm(transA, transB, m, n, k, lda, ldb, ldc, batch);
        alpha[0] = a;
        beta[0] = b;
        check(JCublas2.cublasSgemmStridedBatched(handle,
                transA ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N,
                transB ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N, m, n, k, alphaPointer,
                JCudaAddress.at(aPtr), lda, strideA, JCudaAddress.at(bPtr), ldb, strideB, betaPointer,
                JCudaAddress.at(cPtr), ldc, strideC, batch), "cublasSgemmStridedBatched");
    }

    void destroy() {
        JCublas2.cublasDestroy(handle);
    }
}
