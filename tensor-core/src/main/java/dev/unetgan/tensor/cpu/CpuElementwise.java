package dev.unetgan.tensor.cpu;

import dev.unetgan.tensor.BinaryOp;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.TernaryOp;
import dev.unetgan.tensor.UnaryOp;

/** CPU elementwise kernels (being written). */
final class CpuElementwise {
    private CpuElementwise() {
    }

    static void unary(UnaryOp op, double p, NDArray x, NDArray out) { throw new UnsupportedOperationException("pending"); }
    static void unaryBackward(UnaryOp op, double p, NDArray x, NDArray y, NDArray g, NDArray gi) { throw new UnsupportedOperationException("pending"); }
    static void binary(BinaryOp op, NDArray a, NDArray b, NDArray out) { throw new UnsupportedOperationException("pending"); }
    static void binaryBackward(BinaryOp op, int input, NDArray a, NDArray b, NDArray g, NDArray gi) { throw new UnsupportedOperationException("pending"); }
    static void ternary(TernaryOp op, NDArray x, NDArray a, NDArray b, NDArray out) { throw new UnsupportedOperationException("pending"); }
    static void ternaryBackward(TernaryOp op, int input, NDArray x, NDArray a, NDArray b, NDArray g, NDArray gi) { throw new UnsupportedOperationException("pending"); }
}
