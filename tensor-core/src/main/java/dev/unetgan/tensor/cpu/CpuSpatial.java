package dev.unetgan.tensor.cpu;

import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Pool2dSpec;
import dev.unetgan.tensor.PoolMode;

/** CPU pooling, upsampling and batch norm (being written). */
final class CpuSpatial {
    private CpuSpatial() {
    }

    static void pool2dForward(PoolMode mode, NDArray x, Pool2dSpec spec, NDArray out, NDArray indices) { throw new UnsupportedOperationException("pending"); }
    static void pool2dBackward(PoolMode mode, NDArray g, NDArray indices, Pool2dSpec spec, NDArray gi) { throw new UnsupportedOperationException("pending"); }
    static void upsampleNearest2d(NDArray x, int f, NDArray out) { throw new UnsupportedOperationException("pending"); }
    static void upsampleNearest2dBackward(NDArray g, int f, NDArray gi) { throw new UnsupportedOperationException("pending"); }
    static void batchNormStats(NDArray x, NDArray mean, NDArray var) { throw new UnsupportedOperationException("pending"); }
    static void batchNormApply(NDArray x, NDArray mean, NDArray var, NDArray gamma, NDArray beta, double eps, NDArray out) { throw new UnsupportedOperationException("pending"); }
    static void batchNormBackward(NDArray x, NDArray mean, NDArray var, NDArray gamma, double eps, NDArray g, NDArray gi, NDArray gg, NDArray gb) { throw new UnsupportedOperationException("pending"); }
}
