package dev.unetgan.cuda;

import dev.unetgan.tensor.Conv2dSpec;
import dev.unetgan.tensor.NDArray;

/**
 * Matrix products and convolutions through the runtime's vendor contracts (cuBLAS, cuDNN), plus the bias kernel of
 * conv.cu.
 *
 * <p><b>The row-major GEMM swap</b>, in one place. cuBLAS is column-major: a row-major {@code [R, C]} array read
 * column-major with leading dimension {@code C} is its transpose. So for row-major {@code out[M,N] = op(A)·op(B)}
 * we ask cuBLAS for the column-major {@code out^T[N,M] = op(B)^T·op(A)^T}: the operands swap places, M and N swap,
 * each keeps its own transpose flag, and each leading dimension is the row length of the array as stored
 * ({@code B}: {@code transB ? K : N}; {@code A}: {@code transA ? M : K}; {@code out}: {@code N}).
 */
final class CudaLinear {
    private final KernelLauncher launcher;
    private final DeviceRuntime rt;
    private final CachingAllocator allocator;
    private final DeviceRuntime.Kernel biasAdd;
    private final DeviceScalars scalars;

    CudaLinear(KernelLauncher launcher, CachingAllocator allocator) {
        this.launcher = launcher;
        this.rt = launcher.runtime();
        this.allocator = allocator;
        biasAdd = rt.kernel("bias_add_kernel");
        scalars = new DeviceScalars(rt);
    }

    /** Frees the GEMM constants. */
    void close() {
        scalars.close();
    }

    /** One convolution pass with the workspace it asks for, taken from the caching allocator for the call. */
    private void withWorkspace(ConvGeometry g, DeviceRuntime.ConvPass pass, java.util.function.LongConsumer call) {
        long bytes = rt.convolutionWorkspaceBytes(g, pass);
        if (bytes == 0) {
            call.accept(0);
            return;
        }
        CachingAllocator.Block ws = allocator.allocate(bytes);
        try {
            call.accept(ws.address());
        } finally {
            allocator.free(ws);
        }
    }

    /** {@code a [Ba,M,K]} (or {@code [Ba,K,M]}), {@code b [Bb,K,N]} (or {@code [Bb,N,K]}), {@code out [B,M,N]}. */
    void matmul(NDArray a, boolean transA, NDArray b, boolean transB, NDArray out) {
        int batch = out.dim(0), m = out.dim(1), n = out.dim(2);
        int k = transA ? a.dim(1) : a.dim(2);
        if (m == 0 || n == 0 || batch == 0) {
            return;
        }
        if (k == 0) {
            rt.memsetD32(CudaStorage.address(out), 0, out.size());
            return;
        }
        long strideA = a.dim(0) == 1 ? 0 : (long) m * k;
        long strideB = b.dim(0) == 1 ? 0 : (long) k * n;
        rt.sgemmStridedBatched(transB, transA, n, m, k, scalars.of(1f),
                CudaStorage.address(b), transB ? k : n, strideB,
                CudaStorage.address(a), transA ? m : k, strideA,
                scalars.of(0f), CudaStorage.address(out), n, (long) m * n, batch);
    }

    private static ConvGeometry geometry(NDArray x, NDArray weight, Conv2dSpec spec) {
        return new ConvGeometry(x.dim(0), x.dim(1), x.dim(2), x.dim(3), weight.dim(0), weight.dim(2), weight.dim(3),
                spec.padH(), spec.padW(), spec.strideH(), spec.strideW(), spec.dilationH(), spec.dilationW());
    }

    void conv2dForward(NDArray x, NDArray weight, NDArray bias, Conv2dSpec spec, NDArray out) {
        ConvGeometry g = geometry(x, weight, spec);
        withWorkspace(g, DeviceRuntime.ConvPass.FORWARD, ws -> rt.convolutionForward(g, 1f, CudaStorage.address(x),
                CudaStorage.address(weight), 0f, CudaStorage.address(out), ws));
        if (bias != null) {
            launcher.args().ptr(CudaStorage.address(out)).ptr(CudaStorage.address(bias)).i64(out.size())
                    .i32(out.dim(1)).i64((long) out.dim(2) * out.dim(3));
            launcher.gridStride(biasAdd, out.size());
        }
    }

    void conv2dBackwardData(NDArray gradOut, NDArray weight, Conv2dSpec spec, NDArray gradIn) {
        ConvGeometry g = geometry(gradIn, weight, spec);
        withWorkspace(g, DeviceRuntime.ConvPass.BACKWARD_DATA, ws -> rt.convolutionBackwardData(g, 1f,
                CudaStorage.address(weight), CudaStorage.address(gradOut), 0f, CudaStorage.address(gradIn), ws));
    }

    void conv2dBackwardFilter(NDArray x, NDArray gradOut, Conv2dSpec spec, NDArray gradWeight) {
        ConvGeometry g = geometry(x, gradWeight, spec);
        withWorkspace(g, DeviceRuntime.ConvPass.BACKWARD_FILTER, ws -> rt.convolutionBackwardFilter(g, 1f,
                CudaStorage.address(x), CudaStorage.address(gradOut), 0f, CudaStorage.address(gradWeight), ws));
    }
}
