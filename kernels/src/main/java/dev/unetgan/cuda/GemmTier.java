package dev.unetgan.cuda;

/** Who carries out {@link DeviceRuntime#sgemmStridedBatched} on a GPU: cuBLAS, or the tiled SGEMM kernel. */
interface GemmTier {
    void sgemmStridedBatched(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             long a, int lda, long strideA, long b, int ldb, long strideB,
                             float beta, long c, int ldc, long strideC, int batch);
}
