package dev.unetgan.cuda;

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
 * The CUDA backend: every {@link Backend} primitive as kernel launches and vendor calls on one
 * {@link DeviceRuntime} (the real driver, or the host emulation in CI), with memory from a
 * {@link CachingAllocator}. F32 and I32 only (F64 stays on the CPU). Calls are serialized, as on one stream.
 * Each kernel family has its own class; this one routes.
 */
public final class CudaBackend implements Backend, AutoCloseable {
    private final Device device;
    private final DeviceRuntime runtime;
    private final CachingAllocator allocator;
    private final CudaLayout layout;
    private final CudaElementwise elementwise;
    private final CudaReduce reduce;
    private final CudaLinear linear;
    private final CudaGan gan;
    private final CudaSpatial spatial;
    private final CudaIndexing indexing;

    public CudaBackend(Device device, DeviceRuntime runtime) {
        this.device = device;
        this.runtime = runtime;
        this.allocator = new CachingAllocator(runtime);
        KernelLauncher launcher = new KernelLauncher(runtime);
        this.layout = new CudaLayout(launcher);
        this.elementwise = new CudaElementwise(launcher);
        this.reduce = new CudaReduce(launcher);
        this.linear = new CudaLinear(launcher, allocator);
        this.gan = new CudaGan(launcher, allocator);
        this.spatial = new CudaSpatial(launcher);
        this.indexing = new CudaIndexing(launcher);
    }

    /** The allocator's counters (current and peak bytes, device calls). */
    public CachingAllocator.Stats memoryStats() {
        return allocator.stats();
    }

    /** The runtime this backend drives. */
    public DeviceRuntime runtime() {
        return runtime;
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public synchronized Storage allocate(DType dtype, long length) {
        if (dtype == DType.F64) {
            throw new UnsupportedOperationException("cuda: F64 arrays live on the CPU only (gradient checks)");
        }
        return new CudaStorage(allocator, dtype, length);
    }

    @Override
    public synchronized void upload(Object hostArray, NDArray dst) {
        layout.upload(hostArray, dst);
    }

    @Override
    public synchronized void download(NDArray src, Object hostArray) {
        layout.download(src, hostArray);
    }

    @Override
    public synchronized void fill(NDArray out, double value) {
        layout.fill(out, value);
    }

    @Override
    public synchronized void cast(NDArray src, NDArray dst) {
        layout.cast(src, dst);
    }

    @Override
    public synchronized void copyAlongAxis(NDArray src, int srcStart, NDArray dst, int dstStart, int axis, int count) {
        layout.copyAlongAxis(src, srcStart, dst, dstStart, axis, count);
    }

    @Override
    public synchronized void permute(NDArray x, int[] perm, NDArray out) {
        layout.permute(x, perm, out);
    }

    @Override
    public synchronized void unary(UnaryOp op, double param, NDArray x, NDArray out) {
        elementwise.unary(op, param, x, out);
    }

    @Override
    public synchronized void unaryBackward(UnaryOp op, double param, NDArray x, NDArray y, NDArray gradOut,
                                           NDArray gradIn) {
        elementwise.unaryBackward(op, param, x, y, gradOut, gradIn);
    }

    @Override
    public synchronized void binary(BinaryOp op, NDArray a, NDArray b, NDArray out) {
        elementwise.binary(op, a, b, out);
    }

    @Override
    public synchronized void binaryBackward(BinaryOp op, int input, NDArray a, NDArray b, NDArray gradOut,
                                            NDArray gradIn) {
        elementwise.binaryBackward(op, input, a, b, gradOut, gradIn);
    }

    @Override
    public synchronized void ternary(TernaryOp op, NDArray x, NDArray a, NDArray b, NDArray out) {
        elementwise.ternary(op, x, a, b, out);
    }

    @Override
    public synchronized void ternaryBackward(TernaryOp op, int input, NDArray x, NDArray a, NDArray b,
                                             NDArray gradOut, NDArray gradIn) {
        elementwise.ternaryBackward(op, input, x, a, b, gradOut, gradIn);
    }

    @Override
    public synchronized void reduce(ReduceOp op, NDArray x, int[] axes, NDArray out) {
        reduce.reduce(op, x, axes, out);
    }

    @Override
    public synchronized void argmax(NDArray x, int axis, NDArray out) {
        reduce.argmax(x, axis, out);
    }

    @Override
    public synchronized void matmul(NDArray a, boolean transA, NDArray b, boolean transB, NDArray out) {
        linear.matmul(a, transA, b, transB, out);
    }

    @Override
    public synchronized void conv2dForward(NDArray x, NDArray weight, NDArray bias, Conv2dSpec spec, NDArray out) {
        linear.conv2dForward(x, weight, bias, spec, out);
    }

    @Override
    public synchronized void conv2dBackwardData(NDArray gradOut, NDArray weight, Conv2dSpec spec, NDArray gradIn) {
        linear.conv2dBackwardData(gradOut, weight, spec, gradIn);
    }

    @Override
    public synchronized void conv2dBackwardFilter(NDArray x, NDArray gradOut, Conv2dSpec spec, NDArray gradWeight) {
        linear.conv2dBackwardFilter(x, gradOut, spec, gradWeight);
    }

    @Override
    public synchronized void pool2dForward(PoolMode mode, NDArray x, Pool2dSpec spec, NDArray out, NDArray indices) {
        spatial.pool2dForward(mode, x, spec, out, indices);
    }

    @Override
    public synchronized void pool2dBackward(PoolMode mode, NDArray gradOut, NDArray indices, Pool2dSpec spec, NDArray gradIn) {
        spatial.pool2dBackward(mode, gradOut, indices, spec, gradIn);
    }

    @Override
    public synchronized void upsampleNearest2d(NDArray x, int factor, NDArray out) {
        spatial.upsampleNearest2d(x, factor, out);
    }

    @Override
    public synchronized void upsampleNearest2dBackward(NDArray gradOut, int factor, NDArray gradIn) {
        spatial.upsampleNearest2dBackward(gradOut, factor, gradIn);
    }

    @Override
    public synchronized void batchNormStats(NDArray x, NDArray mean, NDArray var) {
        spatial.batchNormStats(x, mean, var);
    }

    @Override
    public synchronized void batchNormApply(NDArray x, NDArray mean, NDArray var, NDArray gamma, NDArray beta,
                                            double eps, NDArray out) {
        spatial.batchNormApply(x, mean, var, gamma, beta, eps, out);
    }

    @Override
    public synchronized void batchNormBackward(NDArray x, NDArray mean, NDArray var, NDArray gamma, double eps,
                                               NDArray gradOut, NDArray gradIn, NDArray gradGamma, NDArray gradBeta) {
        spatial.batchNormBackward(x, mean, var, gamma, eps, gradOut, gradIn, gradGamma, gradBeta);
    }

    @Override
    public synchronized void softmax(NDArray x, int axis, boolean log, NDArray out) {
        reduce.softmax(x, axis, log, out);
    }

    @Override
    public synchronized void softmaxBackward(NDArray y, NDArray gradOut, int axis, boolean log, NDArray gradIn) {
        reduce.softmaxBackward(y, gradOut, axis, log, gradIn);
    }

    @Override
    public synchronized void gather(NDArray table, NDArray indices, NDArray out) {
        indexing.gather(table, indices, out);
    }

    @Override
    public synchronized void scatterAdd(NDArray src, NDArray indices, NDArray table) {
        indexing.scatterAdd(src, indices, table);
    }

    @Override
    public synchronized void random(Distribution dist, double a, double b, long seed, long offset, NDArray out) {
        indexing.random(dist, a, b, seed, offset, out);
    }

    @Override
    public synchronized void adamUpdate(NDArray param, NDArray grad, NDArray expAvg, NDArray expAvgSq, AdamStep hp) {
        gan.adamUpdate(param, grad, expAvg, expAvgSq, hp);
    }

    @Override
    public synchronized void spectralNormPowerIteration(NDArray weight, NDArray u, NDArray sv, double eps,
                                                        boolean update, NDArray sigma, NDArray v, NDArray uOut) {
        gan.spectralNormPowerIteration(weight, u, sv, eps, update, sigma, v, uOut);
    }

    @Override
    public synchronized void spectralNormScale(NDArray weight, NDArray sigma, NDArray out) {
        gan.spectralNormScale(weight, sigma, out);
    }

    @Override
    public synchronized void ganLoss(GanLossKind kind, NDArray logits, NDArray target, double constantTarget,
                                     double weight, NDArray loss, NDArray gradLogits) {
        gan.ganLoss(kind, logits, target, constantTarget, weight, loss, gradLogits);
    }

    @Override
    public synchronized void cutmixBlend(NDArray real, NDArray fake, CutMixBox[] boxes, NDArray mixed, NDArray mask) {
        gan.cutmixBlend(real, fake, boxes, mixed, mask);
    }

    @Override
    public synchronized void cutmixConsistency(NDArray decMixed, NDArray decReal, NDArray decFake, NDArray mask,
                                               double weight, NDArray loss, NDArray gradMixed, NDArray gradReal,
                                               NDArray gradFake) {
        gan.cutmixConsistency(decMixed, decReal, decFake, mask, weight, loss, gradMixed, gradReal, gradFake);
    }

    /** Frees all device memory of this backend and closes the runtime; its arrays must not be used afterwards. */
    @Override
    public synchronized void close() {
        linear.close();
        allocator.close();
        runtime.close();
    }
}
