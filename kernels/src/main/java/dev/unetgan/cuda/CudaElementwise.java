package dev.unetgan.cuda;

import dev.unetgan.tensor.BinaryOp;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.TernaryOp;
import dev.unetgan.tensor.UnaryOp;

/** The elementwise op tables on elementwise.cu; op codes are the enum ordinals (ElementwiseTableTest). */
final class CudaElementwise {
    private final KernelLauncher launcher;
    private final DeviceRuntime.Kernel unaryForward, unaryBackward, binaryForward, binaryBackward, ternaryForward,
            ternaryBackward;
    private final int[] indexer = IndexerStruct.create();

    CudaElementwise(KernelLauncher launcher) {
        this.launcher = launcher;
        DeviceRuntime rt = launcher.runtime();
        unaryForward = rt.kernel("unary_forward_kernel");
        unaryBackward = rt.kernel("unary_backward_kernel");
        binaryForward = rt.kernel("binary_forward_kernel");
        binaryBackward = rt.kernel("binary_backward_kernel");
        ternaryForward = rt.kernel("ternary_forward_kernel");
        ternaryBackward = rt.kernel("ternary_backward_kernel");
    }

    private static long at(NDArray a) {
        return CudaStorage.address(a);
    }

    void unary(UnaryOp op, double param, NDArray x, NDArray out) {
        launcher.args().i32(op.ordinal()).f32((float) param).ptr(at(x)).ptr(at(out)).i64(out.size());
        launcher.gridStride(unaryForward, (out.size() + 3) / 4);
    }

    void unaryBackward(UnaryOp op, double param, NDArray x, NDArray y, NDArray gradOut, NDArray gradIn) {
        launcher.args().i32(op.ordinal()).f32((float) param).ptr(at(x)).ptr(at(y)).ptr(at(gradOut)).ptr(at(gradIn))
                .i64(gradIn.size());
        launcher.gridStride(unaryBackward, gradIn.size());
    }

    void binary(BinaryOp op, NDArray a, NDArray b, NDArray out) {
        IndexerStruct.broadcast(indexer, 0, out.shape(), a.shape(), b.shape());
        launcher.args().i32(op.ordinal()).ptr(at(a)).ptr(at(b)).ptr(at(out)).i64(out.size()).ints(indexer);
        launcher.gridStride(binaryForward, out.size());
    }

    void binaryBackward(BinaryOp op, int input, NDArray a, NDArray b, NDArray gradOut, NDArray gradIn) {
        IndexerStruct.broadcast(indexer, 0, gradIn.shape(), a.shape(), b.shape());
        launcher.args().i32(op.ordinal()).i32(input).ptr(at(a)).ptr(at(b)).ptr(at(gradOut)).ptr(at(gradIn))
                .i64(gradIn.size()).ints(indexer);
        launcher.gridStride(binaryBackward, gradIn.size());
    }

    void ternary(TernaryOp op, NDArray x, NDArray a, NDArray b, NDArray out) {
        IndexerStruct.broadcast(indexer, 0, out.shape(), x.shape(), a.shape(), b.shape());
        launcher.args().i32(op.ordinal()).ptr(at(x)).ptr(at(a)).ptr(at(b)).ptr(at(out)).i64(out.size()).ints(indexer);
        launcher.gridStride(ternaryForward, out.size());
    }

    void ternaryBackward(TernaryOp op, int input, NDArray x, NDArray a, NDArray b, NDArray gradOut, NDArray gradIn) {
        IndexerStruct.broadcast(indexer, 0, gradIn.shape(), x.shape(), a.shape(), b.shape());
        launcher.args().i32(op.ordinal()).i32(input).ptr(at(x)).ptr(at(a)).ptr(at(b)).ptr(at(gradOut))
                .ptr(at(gradIn)).i64(gradIn.size()).ints(indexer);
        launcher.gridStride(ternaryBackward, gradIn.size());
    }
}
