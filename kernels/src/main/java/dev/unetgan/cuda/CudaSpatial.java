package dev.unetgan.cuda;

import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Pool2dSpec;
import dev.unetgan.tensor.PoolMode;

/** Pooling, nearest upsampling (spatial.cu) and batch norm (batchnorm.cu) on NCHW arrays. */
final class CudaSpatial {
    private final KernelLauncher launcher;
    private final DeviceRuntime.Kernel poolForward, poolBackward, upsample, upsampleBackward, bnStats, bnApply,
            bnBackward;
    /** The int image of {@code struct PoolGeometry}. */
    private final int[] pool = new int[10];

    CudaSpatial(KernelLauncher launcher) {
        this.launcher = launcher;
        DeviceRuntime rt = launcher.runtime();
        poolForward = rt.kernel("pool2d_forward_kernel");
        poolBackward = rt.kernel("pool2d_backward_kernel");
        upsample = rt.kernel("upsample_nearest2d_kernel");
        upsampleBackward = rt.kernel("upsample_nearest2d_backward_kernel");
        bnStats = rt.kernel("batchnorm_stats_kernel");
        bnApply = rt.kernel("batchnorm_apply_kernel");
        bnBackward = rt.kernel("batchnorm_backward_kernel");
    }

    private static long at(NDArray a) {
        return CudaStorage.addressOrNull(a);
    }

    /** Fills {@link #pool} for input {@code [.,.,h,w]} and output {@code [.,.,p,q]}. */
    private int[] geometry(NDArray in, NDArray out, Pool2dSpec s) {
        int[] g = {in.dim(2), in.dim(3), out.dim(2), out.dim(3), s.kernelH(), s.kernelW(), s.strideH(), s.strideW(),
                s.padH(), s.padW()};
        System.arraycopy(g, 0, pool, 0, g.length);
        return pool;
    }

    void pool2dForward(PoolMode mode, NDArray x, Pool2dSpec spec, NDArray out, NDArray indices) {
        long planes = (long) x.dim(0) * x.dim(1);
        launcher.args().i32(mode == PoolMode.MAX ? 1 : 0).ptr(at(x)).ptr(at(out)).ptr(at(indices)).i64(planes)
                .ints(geometry(x, out, spec));
        launcher.gridStride(poolForward, out.size());
    }

    void pool2dBackward(PoolMode mode, NDArray gradOut, NDArray indices, Pool2dSpec spec, NDArray gradIn) {
        long planes = (long) gradIn.dim(0) * gradIn.dim(1);
        launcher.args().i32(mode == PoolMode.MAX ? 1 : 0).ptr(at(gradOut)).ptr(at(indices)).ptr(at(gradIn))
                .i64(planes).ints(geometry(gradIn, gradOut, spec));
        launcher.gridStride(poolBackward, gradIn.size());
    }

    void upsampleNearest2d(NDArray x, int factor, NDArray out) {
        launcher.args().ptr(at(x)).ptr(at(out)).i64((long) x.dim(0) * x.dim(1)).i32(x.dim(2)).i32(x.dim(3)).i32(factor);
        launcher.gridStride(upsample, out.size());
    }

    void upsampleNearest2dBackward(NDArray gradOut, int factor, NDArray gradIn) {
        launcher.args().ptr(at(gradOut)).ptr(at(gradIn)).i64((long) gradIn.dim(0) * gradIn.dim(1)).i32(gradIn.dim(2))
                .i32(gradIn.dim(3)).i32(factor);
        launcher.gridStride(upsampleBackward, gradIn.size());
    }

    private static int hw(NDArray x) {
        return x.dim(2) * x.dim(3);
    }

    /** One block per channel (grid-stride over channels beyond the cap). */
    private void perChannel(DeviceRuntime.Kernel kernel, int channels) {
        if (channels > 0) {
            launcher.launch(kernel, Math.min(channels, KernelLauncher.MAX_GRID), KernelLauncher.BLOCK);
        }
    }

    void batchNormStats(NDArray x, NDArray mean, NDArray var) {
        launcher.args().ptr(at(x)).ptr(at(mean)).ptr(at(var)).i32(x.dim(0)).i32(x.dim(1)).i32(hw(x));
        perChannel(bnStats, x.dim(1));
    }

    void batchNormApply(NDArray x, NDArray mean, NDArray var, NDArray gamma, NDArray beta, double eps, NDArray out) {
        launcher.args().ptr(at(x)).ptr(at(mean)).ptr(at(var)).ptr(at(gamma)).ptr(at(beta)).f32((float) eps)
                .ptr(at(out)).i64(x.size()).i32(x.dim(1)).i32(hw(x));
        launcher.gridStride(bnApply, x.size());
    }

    void batchNormBackward(NDArray x, NDArray mean, NDArray var, NDArray gamma, double eps, NDArray gradOut,
                           NDArray gradIn, NDArray gradGamma, NDArray gradBeta) {
        launcher.args().ptr(at(x)).ptr(at(mean)).ptr(at(var)).ptr(at(gamma)).f32((float) eps).ptr(at(gradOut))
                .ptr(at(gradIn)).ptr(at(gradGamma)).ptr(at(gradBeta)).i32(x.dim(0)).i32(x.dim(1)).i32(hw(x));
        perChannel(bnBackward, x.dim(1));
    }
}
