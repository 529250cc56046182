package dev.unetgan.tensor.cpu;

import dev.unetgan.tensor.NDArray;

import java.util.Arrays;

/** CPU host transfer, fill, cast, axis copies and permutation. These are memory moves; {@code System.arraycopy} does the work. */
final class CpuLayout {
    private CpuLayout() {
    }

    static void upload(Object host, NDArray dst) {
        CpuStorage s = CpuStorage.of(dst);
        int n = (int) dst.size();
        switch (host) {
            case float[] f -> System.arraycopy(f, 0, s.f32, 0, n);
            case double[] d -> System.arraycopy(d, 0, s.f64, 0, n);
            case int[] i -> System.arraycopy(i, 0, s.i32, 0, n);
            default -> throw new IllegalArgumentException("upload: unsupported host array " + host.getClass());
        }
    }

    static void download(NDArray src, Object host) {
        CpuStorage s = CpuStorage.of(src);
        int n = (int) src.size();
        switch (host) {
            case float[] f -> System.arraycopy(s.f32, 0, f, 0, n);
            case double[] d -> System.arraycopy(s.f64, 0, d, 0, n);
            case int[] i -> System.arraycopy(s.i32, 0, i, 0, n);
            default -> throw new IllegalArgumentException("download: unsupported host array " + host.getClass());
        }
    }

    static void fill(NDArray out, double value) {
        CpuStorage s = CpuStorage.of(out);
        int n = (int) out.size();
        switch (out.dtype()) {
            case F32 -> Arrays.fill(s.f32, 0, n, (float) value);
            case F64 -> Arrays.fill(s.f64, 0, n, value);
            case I32 -> Arrays.fill(s.i32, 0, n, (int) value);
        }
    }

    static void cast(NDArray src, NDArray dst) {
        CpuStorage s = CpuStorage.of(src);
        CpuStorage d = CpuStorage.of(dst);
        int n = (int) src.size();
        for (int i = 0; i < n; i++) {
            d.set(i, s.get(i));
        }
    }

    /** Copies {@code count} slices along {@code axis}, as contiguous runs of {@code count · inner} elements per outer index. */
    static void copyAlongAxis(NDArray src, int srcStart, NDArray dst, int dstStart, int axis, int count) {
        int inner = (int) src.shape().sizeOf(axis + 1, src.rank());
        int outer = (int) src.shape().sizeOf(0, axis);
        int srcRow = src.dim(axis) * inner;
        int dstRow = dst.dim(axis) * inner;
        int run = count * inner;
        Object s = array(CpuStorage.of(src));
        Object d = array(CpuStorage.of(dst));
        for (int o = 0; o < outer; o++) {
            System.arraycopy(s, o * srcRow + srcStart * inner, d, o * dstRow + dstStart * inner, run);
        }
    }

    /** Gathers {@code x} into {@code out} in the permuted order, walking {@code out} contiguously. */
    static void permute(NDArray x, int[] perm, NDArray out) {
        int rank = perm.length;
        long[] inStrides = x.shape().strides();
        int[] outDims = out.shape().dims();
        long[] stride = new long[rank];
        for (int i = 0; i < rank; i++) {
            stride[i] = inStrides[perm[i]];
        }
        int n = (int) out.size();
        if (n == 0) {
            return;
        }
        int last = outDims[rank - 1];
        int rows = n / last;
        Object s = array(CpuStorage.of(x));
        Object d = array(CpuStorage.of(out));
        CpuPool.parallelFor(rows, 64, (start, end) -> {
            int[] idx = new int[rank];
            for (int row = start; row < end; row++) {
                int rem = row;
                long base = 0;
                for (int i = rank - 2; i >= 0; i--) {
                    idx[i] = rem % outDims[i];
                    rem /= outDims[i];
                    base += idx[i] * stride[i];
                }
                copyStrided(s, (int) base, (int) stride[rank - 1], d, row * last, last);
            }
        });
    }

    private static void copyStrided(Object s, int from, int step, Object d, int to, int n) {
        switch (s) {
            case float[] f -> {
                float[] o = (float[]) d;
                for (int i = 0; i < n; i++) o[to + i] = f[from + i * step];
            }
            case double[] f -> {
                double[] o = (double[]) d;
                for (int i = 0; i < n; i++) o[to + i] = f[from + i * step];
            }
            case int[] f -> {
                int[] o = (int[]) d;
                for (int i = 0; i < n; i++) o[to + i] = f[from + i * step];
            }
            default -> throw new IllegalStateException();
        }
    }

    private static Object array(CpuStorage s) {
        return s.f32 != null ? s.f32 : s.f64 != null ? s.f64 : s.i32;
    }
}
