package dev.unetgan.tensor.cpu;

import dev.unetgan.tensor.Conv2dSpec;
import dev.unetgan.tensor.NDArray;

/** CPU convolution (being written). */
final class CpuConv {
    private CpuConv() {
    }

    static void forward(NDArray x, NDArray w, NDArray bias, Conv2dSpec spec, NDArray out) { throw new UnsupportedOperationException("pending"); }
    static void backwardData(NDArray g, NDArray w, Conv2dSpec spec, NDArray gi) { throw new UnsupportedOperationException("pending"); }
    static void backwardFilter(NDArray x, NDArray g, Conv2dSpec spec, NDArray gw) { throw new UnsupportedOperationException("pending"); }
}
