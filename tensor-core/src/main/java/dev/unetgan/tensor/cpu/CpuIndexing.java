package dev.unetgan.tensor.cpu;

import dev.unetgan.tensor.Distribution;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Philox;

/** CPU row gather and scatter-add (embeddings), and the Philox random fill. */
final class CpuIndexing {
    private CpuIndexing() {
    }

    static void gather(NDArray table, NDArray indices, NDArray out) {
        int d = table.dim(1);
        int[] idx = CpuStorage.i32(indices);
        Object t = data(table);
        Object o = data(out);
        for (int i = 0; i < indices.dim(0); i++) {
            System.arraycopy(t, idx[i] * d, o, i * d, d);
        }
    }

    /** Serial over rows, since two rows may name the same table row. */
    static void scatterAdd(NDArray src, NDArray indices, NDArray table) {
        int d = table.dim(1);
        int[] idx = CpuStorage.i32(indices);
        CpuStorage s = CpuStorage.of(src);
        CpuStorage t = CpuStorage.of(table);
        for (int i = 0; i < indices.dim(0); i++) {
            int row = idx[i] * d;
            for (int j = 0; j < d; j++) {
                t.set(row + j, t.get(row + j) + s.get(i * d + j));
            }
        }
    }

    static void random(Distribution dist, double a, double b, long seed, long offset, NDArray out) {
        CpuStorage o = CpuStorage.of(out);
        CpuPool.parallelFor((int) out.size(), 4096, (start, end) -> {
            int[] w = new int[4];
            for (int i = start; i < end; i++) {
                o.set(i, Philox.sample(dist, a, b, seed, offset + i, w));
            }
        });
    }

    private static Object data(NDArray a) {
        CpuStorage s = CpuStorage.of(a);
        return s.f32 != null ? s.f32 : s.f64;
    }
}
