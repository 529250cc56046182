package dev.unetgan.cuda;

import dev.unetgan.tensor.Shape;

import java.util.Arrays;

/**
 * Fills the int image of {@code struct Indexer} of {@code common.cuh}: {@code rank}, {@code dims[8]}, then
 * {@code strides[3][8]} (element strides of up to three inputs in the output's coordinates, 0 where an input is
 * broadcast). 33 ints, passed to a kernel by value through {@link KernelArgs#ints}.
 */
final class IndexerStruct {
    static final int MAX_RANK = 8;
    static final int INTS = 1 + MAX_RANK + 3 * MAX_RANK;

    private IndexerStruct() {
    }

    /** A fresh image, all zero (rank 0: the operands are indexed flat). */
    static int[] create() {
        return new int[INTS];
    }

    /**
     * Broadcast indexing of {@code inputs} against {@code out} into {@code s} (offset {@code at}); rank 0 when
     * every input already has the output's shape, which selects the kernels' flat path.
     */
    static void broadcast(int[] s, int at, Shape out, Shape... inputs) {
        Arrays.fill(s, at, at + INTS, 0);
        boolean same = true;
        for (Shape in : inputs) {
            same &= in.equals(out);
        }
        if (same) {
            return;
        }
        int rank = out.rank();
        checkRank(rank, out);
        s[at] = rank;
        for (int d = 0; d < rank; d++) {
            s[at + 1 + d] = out.dim(d);
        }
        for (int k = 0; k < inputs.length; k++) {
            Shape in = inputs[k];
            int shift = rank - in.rank();
            int stride = 1;
            for (int d = in.rank() - 1; d >= 0; d--) {
                s[at + 1 + MAX_RANK * (1 + k) + d + shift] = in.dim(d) == 1 ? 0 : stride;
                stride *= in.dim(d);
            }
        }
    }

    /** Sets dims and the strides of input {@code which} directly (permute, reductions). */
    static void set(int[] s, int at, int rank, int[] dims, int which, int[] strides, int from) {
        s[at] = rank;
        for (int d = from; d < rank; d++) {
            s[at + 1 + d] = dims[d];
            s[at + 1 + MAX_RANK * (1 + which) + d] = strides[d];
        }
    }

    static void checkRank(int rank, Shape shape) {
        if (rank > MAX_RANK) {
            throw new UnsupportedOperationException("cuda: arrays of rank > " + MAX_RANK + " are not supported, got " + shape);
        }
    }

    /** Row-major element strides of {@code shape}. */
    static int[] strides(Shape shape) {
        int[] st = new int[shape.rank()];
        int s = 1;
        for (int d = shape.rank() - 1; d >= 0; d--) {
            st[d] = s;
            s *= shape.dim(d);
        }
        return st;
    }
}
