package dev.unetgan.cuda;

import dev.unetgan.tensor.Distribution;
import dev.unetgan.tensor.NDArray;

/** Row gather, scatter-add and the Philox random fill (indexing.cu). */
final class CudaIndexing {
    private final KernelLauncher launcher;
    private final DeviceRuntime.Kernel gather, scatterAdd, philox;

    CudaIndexing(KernelLauncher launcher) {
        this.launcher = launcher;
        DeviceRuntime rt = launcher.runtime();
        gather = rt.kernel("gather_kernel");
        scatterAdd = rt.kernel("scatter_add_kernel");
        philox = rt.kernel("philox_fill_kernel");
    }

    void gather(NDArray table, NDArray indices, NDArray out) {
        launcher.args().ptr(CudaStorage.address(table)).ptr(CudaStorage.address(indices))
                .ptr(CudaStorage.address(out)).i64(indices.dim(0)).i32(table.dim(1));
        launcher.gridStride(gather, out.size());
    }

    void scatterAdd(NDArray src, NDArray indices, NDArray table) {
        launcher.args().ptr(CudaStorage.address(src)).ptr(CudaStorage.address(indices))
                .ptr(CudaStorage.address(table)).i64(indices.dim(0)).i32(table.dim(0)).i32(table.dim(1));
        launcher.gridStride(scatterAdd, table.size());
    }

    void random(Distribution dist, double a, double b, long seed, long offset, NDArray out) {
        launcher.args().i32(dist.ordinal()).f64(a).f64(b).i64(seed).i64(offset).ptr(CudaStorage.address(out))
                .i64(out.size());
        launcher.gridStride(philox, out.size());
    }
}
