package dev.unetgan.tensor.cpu;

import dev.unetgan.tensor.Shape;

/**
 * The iteration plan of a broadcasting elementwise op: up to three inputs read with NumPy broadcasting, one
 * contiguous output of the broadcast shape. Dimensions of size 1 are dropped and neighbouring dimensions that every
 * operand walks contiguously are merged, so a same-shape op becomes one flat run, {@code [N,C,H,W]} with
 * {@code [1,C,1,1]} becomes {@code [N,C,H·W]} with inner runs of {@code H·W} where the second operand is constant,
 * and only genuinely strided patterns pay for the index walk. Because inputs are contiguous row-major, each input's
 * innermost stride is then 0 (broadcast: one value for the whole run) or 1 (contiguous).
 */
final class ElementwiseWalk {
    /** Output elements per parallel chunk; below twice this an op runs on the calling thread. */
    static final int GRAIN = 16 * 1024;

    /** A run of {@code len} output elements from {@code out}; input {@code k} starts at {@code in_k}. */
    @FunctionalInterface
    interface Segment {
        void run(int out, int in0, int in1, int in2, int len);
    }

    private final int size;
    private final int[] dims;
    /** {@code strides[k][d]}: the step of input {@code k} along merged dimension {@code d}; 0 where broadcast. */
    private final int[][] strides;

    /**
     * Plans the walk of {@code out} over {@code inputs} (one to three shapes, each broadcastable to {@code out}).
     * Unused input slots get stride 0 everywhere, so their offsets stay 0.
     */
    ElementwiseWalk(Shape out, Shape... inputs) {
        int rank = out.rank();
        int[][] full = new int[3][rank];
        for (int k = 0; k < inputs.length; k++) {
            Shape in = inputs[k].padLeft(rank);
            int step = 1;
            for (int d = rank - 1; d >= 0; d--) {
                full[k][d] = in.dim(d) == 1 ? 0 : step;
                step *= in.dim(d);
            }
        }
        int[] mergedDims = new int[Math.max(rank, 1)];
        int[][] mergedStrides = new int[3][mergedDims.length];
        int m = 0;
        for (int d = 0; d < rank; d++) {
            int n = out.dim(d);
            if (n == 1) {
                continue;
            }
            if (m > 0 && mergesWithPrevious(full, d, n, mergedStrides, m - 1)) {
                mergedDims[m - 1] *= n;
                for (int k = 0; k < 3; k++) {
                    mergedStrides[k][m - 1] = full[k][d];
                }
            } else {
                mergedDims[m] = n;
                for (int k = 0; k < 3; k++) {
                    mergedStrides[k][m] = full[k][d];
                }
                m++;
            }
        }
        if (m == 0) {
            mergedDims[0] = 1;
            m = 1;
        }
        this.size = (int) out.size();
        this.dims = java.util.Arrays.copyOf(mergedDims, m);
        this.strides = new int[3][];
        for (int k = 0; k < 3; k++) {
            strides[k] = java.util.Arrays.copyOf(mergedStrides[k], m);
        }
    }

    /** Whether dimension {@code d} (size {@code n}) continues merged dimension {@code prev} for every input. */
    private static boolean mergesWithPrevious(int[][] full, int d, int n, int[][] merged, int prev) {
        for (int k = 0; k < 3; k++) {
            if (merged[k][prev] != full[k][d] * n) {
                return false;
            }
        }
        return true;
    }

    /** Whether input {@code k} is one value along each inner run (innermost stride 0). */
    boolean constantInner(int k) {
        return strides[k][dims.length - 1] == 0;
    }

    /** Number of merged dimensions (for tests of the plan). */
    int mergedRank() {
        return dims.length;
    }

    /** Calls {@code body} on inner runs covering every output element once, in parallel chunks. */
    void forEach(Segment body) {
        CpuPool.parallelFor(size, GRAIN, (start, end) -> walk(start, end, body));
    }

    /** Visits output elements {@code [start, end)}, splitting at inner-run boundaries. */
    private void walk(int start, int end, Segment body) {
        int last = dims.length - 1;
        int inner = dims[last];
        int[] s0 = strides[0];
        int[] s1 = strides[1];
        int[] s2 = strides[2];
        int[] coord = new int[last];
        int row = start / inner;
        int col = start % inner;
        int o0 = col * s0[last];
        int o1 = col * s1[last];
        int o2 = col * s2[last];
        for (int d = last - 1; d >= 0; d--) {
            coord[d] = row % dims[d];
            row /= dims[d];
            o0 += coord[d] * s0[d];
            o1 += coord[d] * s1[d];
            o2 += coord[d] * s2[d];
        }
        int pos = start;
        while (pos < end) {
            int len = Math.min(inner - col, end - pos);
            body.run(pos, o0, o1, o2, len);
            pos += len;
            // Rewind to the row start, then step the outer coordinates like an odometer.
            o0 -= col * s0[last];
            o1 -= col * s1[last];
            o2 -= col * s2[last];
            col = 0;
            for (int d = last - 1; d >= 0; d--) {
                o0 += s0[d];
                o1 += s1[d];
                o2 += s2[d];
                if (++coord[d] < dims[d]) {
                    break;
                }
                coord[d] = 0;
                o0 -= s0[d] * dims[d];
                o1 -= s1[d] * dims[d];
                o2 -= s2[d] * dims[d];
            }
        }
    }
}
