package dev.unetgan.cuda;

import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.ReduceOp;
import dev.unetgan.tensor.Shape;

import java.util.Arrays;

/** Reductions, argmax and softmax (reduce.cu, softmax.cu). */
final class CudaReduce {
    private final KernelLauncher launcher;
    private final DeviceRuntime.Kernel reduce, argmax, softmaxForward, softmaxBackward, softmaxRowsForward,
            softmaxRowsBackward;
    /** The int image of {@code struct ReducePlan}: keptRank, then an Indexer. */
    private final int[] plan = new int[1 + IndexerStruct.INTS];

    CudaReduce(KernelLauncher launcher) {
        this.launcher = launcher;
        DeviceRuntime rt = launcher.runtime();
        reduce = rt.kernel("reduce_kernel");
        argmax = rt.kernel("argmax_kernel");
        softmaxForward = rt.kernel("softmax_forward_kernel");
        softmaxBackward = rt.kernel("softmax_backward_kernel");
        softmaxRowsForward = rt.kernel("softmax_rows_forward_kernel");
        softmaxRowsBackward = rt.kernel("softmax_rows_backward_kernel");
    }

    /** A launch of one warp per row over {@code rows} rows (softmax along the last axis). */
    private void warpPerRow(DeviceRuntime.Kernel kernel, long rows) {
        int warpsPerBlock = KernelLauncher.BLOCK / 32;
        if (rows > 0) {
            launcher.launch(kernel, (int) Math.min(KernelLauncher.MAX_GRID, (rows + warpsPerBlock - 1) / warpsPerBlock),
                    KernelLauncher.BLOCK);
        }
    }

    /**
     * One block per output element; the block is the smallest multiple of 32 covering the reduced count, at most
     * {@link KernelLauncher#BLOCK}, so short reductions do not idle most of a block.
     */
    void reduce(ReduceOp op, NDArray x, int[] axes, NDArray out) {
        Shape s = x.shape();
        int rank = s.rank();
        IndexerStruct.checkRank(rank, s);
        int[] xStrides = IndexerStruct.strides(s);
        boolean[] reduced = new boolean[rank];
        for (int a : axes) {
            reduced[a] = true;
        }
        int[] dims = new int[rank], keptStrides = new int[rank], redStrides = new int[rank];
        int kept = 0;
        long nRed = 1;
        for (int d = 0; d < rank; d++) {
            if (!reduced[d]) {
                dims[kept] = s.dim(d);
                keptStrides[kept++] = xStrides[d];
            }
        }
        int r = kept;
        for (int d = 0; d < rank; d++) {
            if (reduced[d]) {
                dims[r] = s.dim(d);
                redStrides[r++] = xStrides[d];
                nRed *= s.dim(d);
            }
        }
        Arrays.fill(plan, 0);
        plan[0] = kept;
        IndexerStruct.set(plan, 1, rank, dims, 0, keptStrides, 0);
        IndexerStruct.set(plan, 1, rank, dims, 1, redStrides, kept);
        long nOut = out.size();
        int block = (int) Math.min(KernelLauncher.BLOCK, Math.max(32, (nRed + 31) / 32 * 32));
        launcher.args().i32(op.ordinal()).ptr(CudaStorage.address(x)).ptr(CudaStorage.address(out)).i64(nOut)
                .i64(nRed).ints(plan);
        if (nOut > 0) {
            launcher.launch(reduce, (int) Math.min(nOut, 4 * KernelLauncher.MAX_GRID), block);
        }
    }

    void argmax(NDArray x, int axis, NDArray out) {
        long[] oli = outerLenInner(x.shape(), axis);
        launcher.args().ptr(CudaStorage.address(x)).ptr(CudaStorage.address(out)).i64(oli[0]).i32((int) oli[1])
                .i64(oli[2]);
        launcher.gridStride(argmax, oli[0] * oli[2]);
    }

    void softmax(NDArray x, int axis, boolean log, NDArray out) {
        long[] oli = outerLenInner(x.shape(), axis);
        if (oli[2] == 1) {
            launcher.args().ptr(CudaStorage.address(x)).ptr(CudaStorage.address(out)).i64(oli[0]).i32((int) oli[1])
                    .i32(log ? 1 : 0);
            warpPerRow(softmaxRowsForward, oli[0]);
            return;
        }
        launcher.args().ptr(CudaStorage.address(x)).ptr(CudaStorage.address(out)).i64(oli[0]).i32((int) oli[1])
                .i64(oli[2]).i32(log ? 1 : 0);
        launcher.gridStride(softmaxForward, oli[0] * oli[2]);
    }

    void softmaxBackward(NDArray y, NDArray gradOut, int axis, boolean log, NDArray gradIn) {
        long[] oli = outerLenInner(y.shape(), axis);
        if (oli[2] == 1) {
            launcher.args().ptr(CudaStorage.address(y)).ptr(CudaStorage.address(gradOut))
                    .ptr(CudaStorage.address(gradIn)).i64(oli[0]).i32((int) oli[1]).i32(log ? 1 : 0);
            warpPerRow(softmaxRowsBackward, oli[0]);
            return;
        }
        launcher.args().ptr(CudaStorage.address(y)).ptr(CudaStorage.address(gradOut))
                .ptr(CudaStorage.address(gradIn)).i64(oli[0]).i32((int) oli[1]).i64(oli[2]).i32(log ? 1 : 0);
        launcher.gridStride(softmaxBackward, oli[0] * oli[2]);
    }

    /** {@code [outer, len, inner]}: the products of the dims before {@code axis}, at it, and after it. */
    private static long[] outerLenInner(Shape s, int axis) {
        long outer = 1, inner = 1;
        for (int d = 0; d < axis; d++) {
            outer *= s.dim(d);
        }
        for (int d = axis + 1; d < s.rank(); d++) {
            inner *= s.dim(d);
        }
        return new long[]{outer, s.dim(axis), inner};
    }
}
