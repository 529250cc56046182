package dev.unetgan.cuda;

/**
 * {@code cublasSgemmStridedBatched}'s contract (see {@link DeviceRuntime#sgemmStridedBatched}) on the project's own
 * {@code sgemm_tiled_kernel} (sgemm.cu): the GEMM tier of a runtime that has no cuBLAS. Tested against
 * {@link VendorReference} on the host emulation.
 */
final class TiledSgemm implements GemmTier {
    /** The tile edge of sgemm.cu. */
    private static final int TILE = 64;
    private static final int MAX_GRID_Z = 65535;

    private final DeviceRuntime runtime;
    private final DeviceRuntime.Kernel kernel;
    private final KernelArgs args = new KernelArgs();

    TiledSgemm(DeviceRuntime runtime) {
        this.runtime = runtime;
        this.kernel = runtime.kernel("sgemm_tiled_kernel");
    }

    @Override
    public synchronized void sgemmStridedBatched(boolean transA, boolean transB, int m, int n, int k, long alpha,
                                          long a, int lda, long strideA, long b, int ldb, long strideB,
                                          long beta, long c, int ldc, long strideC, int batch) {
        DeviceRuntime.checkSgemm(transA, transB, m, n, k, lda, ldb, ldc, batch);
        if (m == 0 || n == 0) {
            return;
        }
        for (int first = 0; first < batch; first += MAX_GRID_Z) {
            int count = Math.min(MAX_GRID_Z, batch - first);
            args.clear().i32(transA ? 1 : 0).i32(transB ? 1 : 0).i32(m).i32(n).i32(k).ptr(alpha)
                    .ptr(a + 4 * first * strideA).i32(lda).i64(strideA)
                    .ptr(b + 4 * first * strideB).i32(ldb).i64(strideB)
                    .ptr(beta).ptr(c + 4 * first * strideC).i32(ldc).i64(strideC);
            runtime.launch(kernel, new Dim3((m + TILE - 1) / TILE, (n + TILE - 1) / TILE, count), Dim3.of(256), 0, args);
        }
    }
}
