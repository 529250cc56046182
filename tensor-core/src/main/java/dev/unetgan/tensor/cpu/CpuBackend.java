package dev.unetgan.tensor.cpu;

import dev.unetgan.tensor.AdamStep;
import dev.unetgan.tensor.Backend;
import dev.unetgan.tensor.BinaryOp;
import dev.unetgan.tensor.Conv2dSpec;
import dev.unetgan.tensor.CutMixBox;
import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.Device;
import dev.unetgan.tensor.Distribution;
import dev.unetgan.tensor.GanLossKind;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Pool2dSpec;
import dev.unetgan.tensor.PoolMode;
import dev.unetgan.tensor.ReduceOp;
import dev.unetgan.tensor.Storage;
import dev.unetgan.tensor.TernaryOp;
import dev.unetgan.tensor.UnaryOp;

/**
 * The CPU backend: multi-threaded on {@link CpuPool}, with Vector API hot loops for F32 and a scalar reference path
 * (used for F64, and for F32 when {@link CpuOptions#scalar()}). Each kernel family lives in its own class; this
 * class only routes the {@link Backend} primitives to them.
 */
public final class CpuBackend implements Backend {

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public Storage allocate(DType dtype, long length) {
        if (length > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("CPU arrays are limited to 2^31 elements, asked for " + length);
        }
        return new CpuStorage(dtype, (int) length);
    }

    @Override
    public void upload(Object hostArray, NDArray dst) {
        CpuLayout.upload(hostArray, dst);
    }

    @Override
    public void download(NDArray src, Object hostArray) {
        CpuLayout.download(src, hostArray);
    }

    @Override
    public void fill(NDArray out, double value) {
        CpuLayout.fill(out, value);
    }

    @Override
    public void cast(NDArray src, NDArray dst) {
        CpuLayout.cast(src, dst);
    }

    @Override
    public void copyAlongAxis(NDArray src, int srcStart, NDArray dst, int dstStart, int axis, int count) {
        CpuLayout.copyAlongAxis(src, srcStart, dst, dstStart, axis, count);
    }

    @Override
    public void permute(NDArray x, int[] perm, NDArray out) {
        CpuLayout.permute(x, perm, out);
    }

    @Override
    public void unary(UnaryOp op, double param, NDArray x, NDArray out) {
        CpuElementwise.unary(op, param, x, out);
    }

    @Override
    public void unaryBackward(UnaryOp op, double param, NDArray x, NDArray y, NDArray gradOut, NDArray gradIn) {
        CpuElementwise.unaryBackward(op, param, x, y, gradOut, gradIn);
    }

    @Override
    public void binary(BinaryOp op, NDArray a, NDArray b, NDArray out) {
        CpuElementwise.binary(op, a, b, out);
    }

    @Override
    public void binaryBackward(BinaryOp op, int input, NDArray a, NDArray b, NDArray gradOut, NDArray gradIn) {
        CpuElementwise.binaryBackward(op, input, a, b, gradOut, gradIn);
    }

    @Override
    public void ternary(TernaryOp op, NDArray x, NDArray a, NDArray b, NDArray out) {
        CpuElementwise.ternary(op, x, a, b, out);
    }

    @Override
    public void ternaryBackward(TernaryOp op, int input, NDArray x, NDArray a, NDArray b, NDArray gradOut, NDArray gradIn) {
        CpuElementwise.ternaryBackward(op, input, x, a, b, gradOut, gradIn);
    }

    @Override
    public void reduce(ReduceOp op, NDArray x, int[] axes, NDArray out) {
        CpuReduce.reduce(op, x, axes, out);
    }

    @Override
    public void argmax(NDArray x, int axis, NDArray out) {
        CpuReduce.argmax(x, axis, out);
    }

    @Override
    public void matmul(NDArray a, boolean transA, NDArray b, boolean transB, NDArray out) {
        CpuGemm.matmul(a, transA, b, transB, out);
    }

    @Override
    public void conv2dForward(NDArray x, NDArray weight, NDArray bias, Conv2dSpec spec, NDArray out) {
        CpuConv.forward(x, weight, bias, spec, out);
    }

    @Override
    public void conv2dBackwardData(NDArray gradOut, NDArray weight, Conv2dSpec spec, NDArray gradIn) {
        CpuConv.backwardData(gradOut, weight, spec, gradIn);
    }

    @Override
    public void conv2dBackwardFilter(NDArray x, NDArray gradOut, Conv2dSpec spec, NDArray gradWeight) {
        CpuConv.backwardFilter(x, gradOut, spec, gradWeight);
    }

    @Override
    public void pool2dForward(PoolMode mode, NDArray x, Pool2dSpec spec, NDArray out, NDArray indices) {
        CpuSpatial.pool2dForward(mode, x, spec, out, indices);
    }

    @Override
    public void pool2dBackward(PoolMode mode, NDArray gradOut, NDArray indices, Pool2dSpec spec, NDArray gradIn) {
        CpuSpatial.pool2dBackward(mode, gradOut, indices, spec, gradIn);
    }

    @Override
    public void upsampleNearest2d(NDArray x, int factor, NDArray out) {
        CpuSpatial.upsampleNearest2d(x, factor, out);
    }

    @Override
    public void upsampleNearest2dBackward(NDArray gradOut, int factor, NDArray gradIn) {
        CpuSpatial.upsampleNearest2dBackward(gradOut, factor, gradIn);
    }

    @Override
    public void batchNormStats(NDArray x, NDArray mean, NDArray var) {
        CpuSpatial.batchNormStats(x, mean, var);
    }

    @Override
    public void batchNormApply(NDArray x, NDArray mean, NDArray var, NDArray gamma, NDArray beta, double eps, NDArray out) {
        CpuSpatial.batchNormApply(x, mean, var, gamma, beta, eps, out);
    }

    @Override
    public void batchNormBackward(NDArray x, NDArray mean, NDArray var, NDArray gamma, double eps, NDArray gradOut,
                                  NDArray gradIn, NDArray gradGamma, NDArray gradBeta) {
        CpuSpatial.batchNormBackward(x, mean, var, gamma, eps, gradOut, gradIn, gradGamma, gradBeta);
    }

    @Override
    public void softmax(NDArray x, int axis, boolean log, NDArray out) {
        CpuReduce.softmax(x, axis, log, out);
    }

    @Override
    public void softmaxBackward(NDArray y, NDArray gradOut, int axis, boolean log, NDArray gradIn) {
        CpuReduce.softmaxBackward(y, gradOut, axis, log, gradIn);
    }

    @Override
    public void gather(NDArray table, NDArray indices, NDArray out) {
        CpuIndexing.gather(table, indices, out);
    }

    @Override
    public void scatterAdd(NDArray src, NDArray indices, NDArray table) {
        CpuIndexing.scatterAdd(src, indices, table);
    }

    @Override
    public void random(Distribution dist, double a, double b, long seed, long offset, NDArray out) {
        CpuIndexing.random(dist, a, b, seed, offset, out);
    }

    @Override
    public void adamUpdate(NDArray param, NDArray grad, NDArray expAvg, NDArray expAvgSq, AdamStep hp) {
        CpuAdam.update(param, grad, expAvg, expAvgSq, hp);
    }

    // ---- spectral normalization ----

    @Override
    public void spectralNormPowerIteration(NDArray weight, NDArray u, NDArray sv, double eps, boolean update,
                                           NDArray sigma, NDArray v, NDArray uOut) {
        CpuSpectralNorm.powerIteration(weight, u, sv, eps, update, sigma, v, uOut);
    }

    @Override
    public void spectralNormScale(NDArray weight, NDArray sigma, NDArray out) {
        CpuSpectralNorm.scale(weight, sigma, out);
    }

    // ---- U-Net GAN losses and CutMix ----

    @Override
    public void ganLoss(GanLossKind kind, NDArray logits, NDArray target, double constantTarget, double weight,
                        NDArray loss, NDArray gradLogits) {
        CpuGanLoss.ganLoss(kind, logits, target, constantTarget, weight, loss, gradLogits);
    }

    @Override
    public void cutmixBlend(NDArray real, NDArray fake, CutMixBox[] boxes, NDArray mixed, NDArray mask) {
        CpuCutMix.blend(real, fake, boxes, mixed, mask);
    }

    @Override
    public void cutmixConsistency(NDArray decMixed, NDArray decReal, NDArray decFake, NDArray mask, double weight,
                                  NDArray loss, NDArray gradMixed, NDArray gradReal, NDArray gradFake) {
        CpuGanLoss.consistency(decMixed, decReal, decFake, mask, weight, loss, gradMixed, gradReal, gradFake);
    }
}
