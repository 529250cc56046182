package dev.unetgan.cuda;

/**
 * Who carries out {@link DeviceRuntime#sgemmStridedBatched} on a GPU: cuBLAS, or the tiled SGEMM kernel. Both take
 * alpha and beta as device addresses.
 */
interface GemmTier {
    void sgemmStridedBatched(boolean transA, boolean transB, int m, int n, int k, long alpha,
                             long a, int lda, long strideA, long b, int ldb, long strideB,
                             long beta, long c, int ldc, long strideC, int batch);
}
