package dev.unetgan.tensor.cpu;

import dev.unetgan.tensor.NDArray;

/**
 * CPU matrix multiply. {@link #sgemm} is the F32 kernel that matmul and the im2col convolutions share.
 * (Placeholder implementation: a straightforward loop, to be replaced by the packed Vector API kernel.)
 */
public final class CpuGemm {
    private CpuGemm() {
    }

    static void matmul(NDArray a, boolean transA, NDArray b, boolean transB, NDArray out) {
        int batch = out.dim(0), m = out.dim(1), n = out.dim(2);
        int k = transA ? a.dim(1) : a.dim(2);
        int strideA = a.dim(0) == 1 ? 0 : m * k;
        int strideB = b.dim(0) == 1 ? 0 : k * n;
        CpuStorage sa = CpuStorage.of(a), sb = CpuStorage.of(b), so = CpuStorage.of(out);
        int lda = transA ? m : k, ldb = transB ? k : n;
        for (int p = 0; p < batch; p++) {
            if (sa.f32 != null) {
                sgemm(transA, transB, m, n, k, 1f, sa.f32, p * strideA, lda, sb.f32, p * strideB, ldb, 0f, so.f32, p * m * n, n);
            } else {
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double acc = 0;
                        for (int q = 0; q < k; q++) {
                            double av = sa.f64[p * strideA + (transA ? q * lda + i : i * lda + q)];
                            double bv = sb.f64[p * strideB + (transB ? j * ldb + q : q * ldb + j)];
                            acc += av * bv;
                        }
                        so.f64[p * m * n + i * n + j] = acc;
                    }
                }
            }
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
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float acc = 0;
                for (int q = 0; q < k; q++) {
                    float av = a[offA + (transA ? q * lda + i : i * lda + q)];
                    float bv = b[offB + (transB ? j * ldb + q : q * ldb + j)];
                    acc += av * bv;
                }
                int ci = offC + i * ldc + j;
                c[ci] = alpha * acc + (beta == 0 ? 0 : beta * c[ci]);
            }
        }
    }
}
