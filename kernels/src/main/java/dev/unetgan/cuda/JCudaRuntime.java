package dev.unetgan.cuda;

import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;
import jcuda.jcudnn.JCudnn;

import java.lang.foreign.MemorySegment;

/**
 * The real {@link DeviceRuntime} (DESIGN.md §4): the driver API through JCuda on one device's primary context and
 * one stream; the kernels from {@link KernelModules}; GEMM through cuBLAS, or the {@link TiledSgemm} kernel without
 * it; convolution through cuDNN, or {@link KernelConvolution} (im2col + GEMM) without it. Construct only after
 * {@link DriverProbe} passed; every failing call throws {@link CudaException} with the CUDA error name.
 *
 * <p>Host transfers go through {@link PinnedStaging} (bounded, reused {@code cuMemAllocHost} slots): JCuda pins a
 * heap array only for a call, so an async copy straight from one would be unsafe (notes/jcuda.md §3).
 */
public final class JCudaRuntime implements DeviceRuntime {
    private final CUcontext context = new CUcontext();
    private final CUstream stream = new CUstream();
    private final String description;
    private final KernelModules modules;
    private final CublasGemm cublas;
    private final CudnnConvolution cudnn;
    private final GemmTier gemm;
    private final ConvolutionTier convolution;
    private final LaunchParams params = new LaunchParams();
    private final PinnedStaging staging = new PinnedStaging(new JCudaPinnedPort(stream));

    private JCudaRuntime(int index) {
        JCudaDriver.setExceptionsEnabled(false);
        check(JCudaDriver.cuInit(0), "cuInit");
        CUdevice device = new CUdevice();
        check(JCudaDriver.cuDeviceGet(device, index), "cuDeviceGet(" + index + ")");
        check(JCudaDriver.cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
        check(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent");
        check(JCudaDriver.cuStreamCreate(stream, 0), "cuStreamCreate");
        int major = attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
        int minor = attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
        int[] driver = new int[1];
        check(JCudaDriver.cuDriverGetVersion(driver), "cuDriverGetVersion");
        this.modules = new KernelModules(CudaSources.bundled(), major, minor);
        this.cublas = optional(() -> new CublasGemm(stream));
        this.gemm = cublas != null ? cublas : new TiledSgemm(this);
        this.cudnn = optional(() -> new CudnnConvolution(stream));
        this.convolution = cudnn != null ? cudnn : new KernelConvolution(this);
        this.description = "cuda: driver " + driver[0] / 1000 + "." + driver[0] % 1000 / 10 + ", sm_" + major + minor
                + ", cuBLAS " + (cublas != null ? "yes" : "no (tiled SGEMM kernel)")
                + ", cuDNN " + (cudnn != null ? cudnnVersion() + " yes" : "no (im2col + GEMM)");
    }

    /** Opens device {@code index}: context, stream, kernel modules and the optional vendor tiers. */
    public static JCudaRuntime open(int index) {
        return new JCudaRuntime(index);
    }

    private static String cudnnVersion() {
        long v = JCudnn.cudnnGetVersion();  // cuDNN 9: major*10000 + minor*100 + patch
        return v >= 90000 ? v / 10000 + "." + v / 100 % 100 : v / 1000 + "." + v / 100 % 10;
    }

    /** An optional tier: null when its library is missing or fails to start. */
    private static <T> T optional(java.util.function.Supplier<T> tier) {
        try {
            return tier.get();
        } catch (LinkageError | RuntimeException e) {
            return null;
        }
    }

    private static int attribute(CUdevice device, int attribute) {
        int[] v = new int[1];
        check(JCudaDriver.cuDeviceGetAttribute(v, attribute, device), "cuDeviceGetAttribute");
        return v[0];
    }

    static void check(int status, String call) {
        if (status != CUresult.CUDA_SUCCESS) {
            throw new CudaException(call + ": " + CUresult.stringFor(status));
        }
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public long malloc(long bytes) {
        JCudaAddress p = new JCudaAddress();
        check(JCudaDriver.cuMemAlloc(p, Math.max(1, bytes)), "cuMemAlloc(" + bytes + ")");
        return p.address();
    }

    @Override
    public void free(long address) {
        check(JCudaDriver.cuMemFree(JCudaAddress.at(address)), "cuMemFree");
    }

    /** Through the pinned slots: returns once the data is staged; the device sees it in stream order. */
    @Override
    public void copyToDevice(MemorySegment src, long dst, long bytes) {
        staging.toDevice(src, dst, bytes);
    }

    @Override
    public void copyToHost(long src, MemorySegment dst, long bytes) {
        staging.toHost(src, dst, bytes);
    }

    @Override
    public void copyOnDevice(long src, long dst, long bytes) {
        check(JCudaDriver.cuMemcpyDtoDAsync(JCudaAddress.at(dst), JCudaAddress.at(src), bytes, stream),
                "cuMemcpyDtoDAsync");
    }

    @Override
    public void memsetD32(long dst, int value, long count) {
        check(JCudaDriver.cuMemsetD32Async(JCudaAddress.at(dst), value, count, stream), "cuMemsetD32Async");
    }

    private record JCudaKernel(String name, jcuda.driver.CUfunction function) implements Kernel {
    }

    @Override
    public Kernel kernel(String name) {
        return new JCudaKernel(name, modules.function(name));
    }

    @Override
    public synchronized void launch(Kernel kernel, Dim3 grid, Dim3 block, int sharedBytes, KernelArgs args) {
        JCudaKernel k = (JCudaKernel) kernel;
        check(JCudaDriver.cuLaunchKernel(k.function(), grid.x(), grid.y(), grid.z(), block.x(), block.y(), block.z(),
                sharedBytes, stream, params.pack(args), null), "cuLaunchKernel(" + k.name() + ")");
    }

    /**
     * The kernelParams of a launch: one reused {@code long[1]}/{@code int[1]} and its {@link Pointer} per parameter
     * slot, refilled per launch (JCuda reads the values at the call), so scalars allocate nothing.
     */
    private static final class LaunchParams {
        private long[][] longs = new long[0][];
        private int[][] ints = new int[0][];
        private Pointer[] longPointers = new Pointer[0];
        private Pointer[] intPointers = new Pointer[0];

        Pointer pack(KernelArgs args) {
            int n = args.count();
            if (longs.length < n) {
                longs = new long[n][1];
                ints = new int[n][1];
                longPointers = new Pointer[n];
                intPointers = new Pointer[n];
                for (int i = 0; i < n; i++) {
                    longPointers[i] = Pointer.to(longs[i]);
                    intPointers[i] = Pointer.to(ints[i]);
                }
            }
            NativePointerObject[] slots = new NativePointerObject[n];
            for (int i = 0; i < n; i++) {
                switch (args.kind(i)) {
                    case I64, F64 -> {
                        longs[i][0] = args.value(i);
                        slots[i] = longPointers[i];
                    }
                    case I32, F32 -> {
                        ints[i][0] = (int) args.value(i);
                        slots[i] = intPointers[i];
                    }
                    case INTS -> slots[i] = Pointer.to(args.struct(i));
                }
            }
            return Pointer.to(slots);
        }
    }

    @Override
    public void sgemmStridedBatched(boolean transA, boolean transB, int m, int n, int k, long alpha,
                                    long a, int lda, long strideA, long b, int ldb, long strideB,
                                    long beta, long c, int ldc, long strideC, int batch) {
        gemm.sgemmStridedBatched(transA, transB, m, n, k, alpha, a, lda, strideA, b, ldb, strideB, beta, c, ldc,
                strideC, batch);
    }

    @Override
    public long convolutionWorkspaceBytes(ConvGeometry g, ConvPass pass) {
        return convolution.workspaceBytes(g, pass);
    }

    @Override
    public void convolutionForward(ConvGeometry g, float alpha, long x, long w, float beta, long y, long workspace) {
        convolution.forward(g, alpha, x, w, beta, y, workspace);
    }

    @Override
    public void convolutionBackwardData(ConvGeometry g, float alpha, long w, long dy, float beta, long dx,
                                        long workspace) {
        convolution.backwardData(g, alpha, w, dy, beta, dx, workspace);
    }

    @Override
    public void convolutionBackwardFilter(ConvGeometry g, float alpha, long x, long dy, float beta, long dw,
                                          long workspace) {
        convolution.backwardFilter(g, alpha, x, dy, beta, dw, workspace);
    }

    @Override
    public void synchronize() {
        check(JCudaDriver.cuStreamSynchronize(stream), "cuStreamSynchronize");
    }

    @Override
    public void close() {
        synchronize();
        if (cublas != null) {
            cublas.destroy();
        }
        convolution.close();
        staging.close();
        modules.unload();
        JCudaDriver.cuStreamDestroy(stream);
    }
}
