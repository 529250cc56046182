package dev.unetgan.tensor.cpu;

import dev.unetgan.tensor.NDArray;

/**
 * CPU matrix multiply. {@link #sgemm} is the F32 kernel that matmul and the im2col convolutions share; its fast path
 * is the packed Vector API GEMM in {@link GemmPacked}. F64 (used for gradient checks at tiny sizes) and F32 under
 * {@link CpuOptions#scalar()} take a plain triple loop.
 */
public final class CpuGemm {
    /** Below this many multiply-adds per batch entry, one sgemm is too small to share between threads. */
    private static final long BATCH_PARALLEL_MAX = 128L * 128 * 128;

    private CpuGemm() {
    }

    /**
     * Batched matmul: {@code out[p] = op(a[p or 0])·op(b[p or 0])}. Shapes: {@code a} is {@code [Ba,M,K]}
     * ({@code [Ba,K,M]} when transA), {@code b} is {@code [Bb,K,N]} ({@code [Bb,N,K]} when transB), {@code out}
     * is {@code [B,M,N]}; a batch of 1 on either input broadcasts. F32 or F64, same dtype throughout.
     * Many small products run one per thread; otherwise each product is threaded inside sgemm.
     */
    static void matmul(NDArray a, boolean transA, NDArray b, boolean transB, NDArray out) {
        int batch = out.dim(0), m = out.dim(1), n = out.dim(2);
        int k = transA ? a.dim(1) : a.dim(2);
        int strideA = a.dim(0) == 1 ? 0 : m * k;
        int strideB = b.dim(0) == 1 ? 0 : k * n;
        CpuStorage sa = CpuStorage.of(a), sb = CpuStorage.of(b), so = CpuStorage.of(out);
        int lda = transA ? m : k, ldb = transB ? k : n;
        CpuPool.RangeBody body = (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                if (sa.f32 != null) {
                    sgemm(transA, transB, m, n, k, 1f, sa.f32, p * strideA, lda, sb.f32, p * strideB, ldb,
                            0f, so.f32, p * m * n, n);
                } else {
                    dgemmReference(transA, transB, m, n, k, sa.f64, p * strideA, lda, sb.f64, p * strideB, ldb,
                            so.f64, p * m * n);
                }
            }
        };
        if (batch > 1 && (long) m * n * k < BATCH_PARALLEL_MAX) {
            // Nested parallelFor calls inside a worker run serially, so each sgemm stays on its thread.
            CpuPool.parallelFor(batch, 1, body);
        } else {
            body.run(0, batch);
        }
    }

    /**
     * Row-major {@code C = alpha·op(A)·op(B) + beta·C}, where {@code op(A)} is {@code M×K} and {@code op(B)} is
     * {@code K×N}; {@code lda}, {@code ldb}, {@code ldc} are the row strides of the stored (untransposed) arrays.
     * With {@code beta == 0}, C is overwritten without being read.
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int offA, int lda, float[] b, int offB, int ldb,
                             float beta, float[] c, int offC, int ldc) {
        if (m <= 0 || n <= 0) {
            return;
        }
        if (CpuOptions.scalar()) {
            sgemmReference(transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc);
        } else if (k <= 0 || alpha == 0f) {
            scale(m, n, beta, c, offC, ldc);
        } else {
            GemmPacked.sgemm(transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc);
        }
    }

    /** {@code C[m×n] = beta·C}, writing zeros without reading C when beta == 0 (an empty product). */
    private static void scale(int m, int n, float beta, float[] c, int offC, int ldc) {
        for (int i = 0; i < m; i++) {
            int row = offC + i * ldc;
            for (int j = 0; j < n; j++) {
                c[row + j] = beta == 0f ? 0f : beta * c[row + j];
            }
        }
    }

    /** The scalar reference for {@link #sgemm} (same contract), accumulating each dot product in float. */
    private static void sgemmReference(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                       float[] a, int offA, int lda, float[] b, int offB, int ldb,
                                       float beta, float[] c, int offC, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float acc = 0;
                for (int q = 0; q < k; q++) {
                    acc += a[offA + (transA ? q * lda + i : i * lda + q)]
                            * b[offB + (transB ? j * ldb + q : q * ldb + j)];
                }
                int ci = offC + i * ldc + j;
                c[ci] = alpha * acc + (beta == 0f ? 0f : beta * c[ci]);
            }
        }
    }

    /** F64 {@code C[m×n] = op(A)·op(B)} with C packed ({@code ldc = n}); strides as in {@link #sgemm}. */
    private static void dgemmReference(boolean transA, boolean transB, int m, int n, int k,
                                       double[] a, int offA, int lda, double[] b, int offB, int ldb,
                                       double[] c, int offC) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double acc = 0;
                for (int q = 0; q < k; q++) {
                    acc += a[offA + (transA ? q * lda + i : i * lda + q)]
                            * b[offB + (transB ? j * ldb + q : q * ldb + j)];
                }
                c[offC + i * n + j] = acc;
            }
        }
    }
}
