package dev.unetgan.cuda;

import dev.unetgan.tensor.AdamStep;
import dev.unetgan.tensor.CutMixBox;
import dev.unetgan.tensor.GanLossKind;
import dev.unetgan.tensor.NDArray;

import java.lang.foreign.MemorySegment;

/**
 * The mission's fused kernels: GAN and consistency losses with their gradients (gan_loss.cu), CutMix
 * mask-and-blend (cutmix.cu), the spectral-norm power iteration and scaling (spectral_norm.cu), and Adam (adam.cu).
 * Scratch (loss partials, boxes) comes from the caching allocator and goes back right after the launches that use
 * it, which is safe on one stream.
 */
final class CudaGan {
    /** Elements per loss partial; CHUNK in gan_loss.cu. */
    static final int CHUNK = 4096;

    private final KernelLauncher launcher;
    private final DeviceRuntime rt;
    private final CachingAllocator allocator;
    private final DeviceRuntime.Kernel ganLossPartial, consistencyPartial, sumPartials, cutmixBlend, snUTimesW,
            snWTimesV, snNormalize, snScale, adam;

    CudaGan(KernelLauncher launcher, CachingAllocator allocator) {
        this.launcher = launcher;
        this.rt = launcher.runtime();
        this.allocator = allocator;
        ganLossPartial = rt.kernel("gan_loss_partial_kernel");
        consistencyPartial = rt.kernel("consistency_partial_kernel");
        sumPartials = rt.kernel("sum_partials_kernel");
        cutmixBlend = rt.kernel("cutmix_blend_kernel");
        snUTimesW = rt.kernel("sn_u_times_w_kernel");
        snWTimesV = rt.kernel("sn_w_times_v_kernel");
        snNormalize = rt.kernel("sn_normalize_kernel");
        snScale = rt.kernel("sn_scale_kernel");
        adam = rt.kernel("adam_kernel");
    }

    private static long at(NDArray a) {
        return CudaStorage.address(a);
    }

    private static long atOrNull(NDArray a) {
        return CudaStorage.addressOrNull(a);
    }

    /** A loss partial per chunk (the grid is exactly the chunk count), then their fixed-order sum times {@code factor}. */
    private void lossFromPartials(DeviceRuntime.Kernel partialKernel, long n, double factor, NDArray loss,
                                  java.util.function.Consumer<KernelArgs> partialArgs) {
        long chunks = (n + CHUNK - 1) / CHUNK;
        CachingAllocator.Block partials = allocator.allocate(8 * Math.max(1, chunks));
        try {
            if (chunks > 0) {
                KernelArgs args = launcher.args();
                partialArgs.accept(args);
                args.ptr(partials.address()).i64(n);
                launcher.launch(partialKernel, (int) chunks, KernelLauncher.BLOCK);
            }
            launcher.args().ptr(partials.address()).i64(chunks).f64(factor).ptr(at(loss));
            launcher.launch(sumPartials, 1, KernelLauncher.BLOCK);
        } finally {
            allocator.free(partials);
        }
    }

    void ganLoss(GanLossKind kind, NDArray logits, NDArray target, double constantTarget, double weight,
                 NDArray loss, NDArray gradLogits) {
        long n = logits.size();
        lossFromPartials(ganLossPartial, n, weight / n, loss, args -> args.i32(kind.ordinal()).ptr(at(logits))
                .ptr(atOrNull(target)).f32((float) constantTarget).f32((float) (weight / n)).ptr(atOrNull(gradLogits)));
    }

    void cutmixConsistency(NDArray decMixed, NDArray decReal, NDArray decFake, NDArray mask, double weight,
                           NDArray loss, NDArray gradMixed, NDArray gradReal, NDArray gradFake) {
        long n = decMixed.size();
        lossFromPartials(consistencyPartial, n, weight / n, loss, args -> args.ptr(at(decMixed)).ptr(at(decReal))
                .ptr(at(decFake)).ptr(at(mask)).f32((float) (2 * weight / n)).ptr(atOrNull(gradMixed))
                .ptr(atOrNull(gradReal)).ptr(atOrNull(gradFake)));
    }

    void cutmixBlend(NDArray real, NDArray fake, CutMixBox[] boxes, NDArray mixed, NDArray mask) {
        int[] packed = new int[5 * boxes.length];
        for (int b = 0; b < boxes.length; b++) {
            CutMixBox box = boxes[b];
            packed[5 * b] = box.rowStart();
            packed[5 * b + 1] = box.rowEnd();
            packed[5 * b + 2] = box.colStart();
            packed[5 * b + 3] = box.colEnd();
            packed[5 * b + 4] = box.inverted() ? 1 : 0;
        }
        CachingAllocator.Block device = allocator.allocate(4L * packed.length);
        try {
            rt.copyToDevice(MemorySegment.ofArray(packed), device.address(), 4L * packed.length);
            int batch = real.dim(0), h = real.dim(2), w = real.dim(3);
            launcher.args().ptr(at(real)).ptr(at(fake)).ptr(at(mixed)).ptr(at(mask)).ptr(device.address())
                    .i32(batch).i32(real.dim(1)).i32(h).i32(w);
            launcher.gridStride(cutmixBlend, (long) batch * h * w);
        } finally {
            allocator.free(device);
        }
    }

    void spectralNormPowerIteration(NDArray weight, NDArray u, NDArray sv, double eps, boolean update,
                                    NDArray sigma, NDArray v, NDArray uOut) {
        int rows = weight.dim(0);
        int cols = (int) (weight.size() / rows);
        launcher.args().ptr(at(weight)).ptr(at(u)).ptr(at(v)).i32(rows).i32(cols);
        launcher.gridStride(snUTimesW, cols);
        launcher.args().ptr(at(v)).i32(cols).f32((float) eps).ptr(0).ptr(0).ptr(0);
        launcher.launch(snNormalize, 1, KernelLauncher.BLOCK);
        int warpsPerBlock = KernelLauncher.BLOCK / 32;
        launcher.args().ptr(at(weight)).ptr(at(v)).ptr(at(uOut)).i32(rows).i32(cols);
        launcher.launch(snWTimesV, Math.min(KernelLauncher.MAX_GRID, (rows + warpsPerBlock - 1) / warpsPerBlock),
                KernelLauncher.BLOCK);
        launcher.args().ptr(at(uOut)).i32(rows).f32((float) eps).ptr(at(sigma)).ptr(update ? at(u) : 0)
                .ptr(update ? atOrNull(sv) : 0);
        launcher.launch(snNormalize, 1, KernelLauncher.BLOCK);
    }

    void spectralNormScale(NDArray weight, NDArray sigma, NDArray out) {
        launcher.args().ptr(at(weight)).ptr(at(sigma)).ptr(at(out)).i64(out.size());
        launcher.gridStride(snScale, out.size());
    }

    /** The derived scalars are computed in double and rounded to float once, as the Backend contract says. */
    void adamUpdate(NDArray param, NDArray grad, NDArray expAvg, NDArray expAvgSq, AdamStep hp) {
        launcher.args().ptr(at(param)).ptr(at(grad)).ptr(at(expAvg)).ptr(at(expAvgSq)).i64(param.size())
                .f32((float) hp.beta1()).f32((float) (1 - hp.beta1())).f32((float) hp.beta2())
                .f32((float) (1 - hp.beta2())).f32((float) Math.sqrt(hp.biasCorrection2()))
                .f32((float) -hp.stepSize()).f32((float) hp.eps()).f32((float) hp.weightDecay());
        launcher.gridStride(adam, param.size());
    }
}
