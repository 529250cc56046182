package dev.unetgan.tensor.cpu;

import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.ReduceOp;

/** CPU reductions and softmax (being written). */
final class CpuReduce {
    private CpuReduce() {
    }

    static void reduce(ReduceOp op, NDArray x, int[] axes, NDArray out) { throw new UnsupportedOperationException("pending"); }
    static void argmax(NDArray x, int axis, NDArray out) { throw new UnsupportedOperationException("pending"); }
    static void softmax(NDArray x, int axis, boolean log, NDArray out) { throw new UnsupportedOperationException("pending"); }
    static void softmaxBackward(NDArray y, NDArray g, int axis, boolean log, NDArray gi) { throw new UnsupportedOperationException("pending"); }
}
