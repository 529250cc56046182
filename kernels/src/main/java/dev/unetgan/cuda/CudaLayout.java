package dev.unetgan.cuda;

import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Shape;

import java.lang.foreign.MemorySegment;

/** Transfers, fill, cast, axis copies and permutes (layout.cu, and the runtime's copies and memsets). */
final class CudaLayout {
    private final KernelLauncher launcher;
    private final DeviceRuntime rt;
    private final DeviceRuntime.Kernel castF32ToI32, castI32ToF32, copyAlongAxis, permute;
    private final int[] indexer = IndexerStruct.create();

    CudaLayout(KernelLauncher launcher) {
        this.launcher = launcher;
        this.rt = launcher.runtime();
        castF32ToI32 = rt.kernel("cast_f32_to_i32_kernel");
        castI32ToF32 = rt.kernel("cast_i32_to_f32_kernel");
        copyAlongAxis = rt.kernel("copy_along_axis_kernel");
        permute = rt.kernel("permute_kernel");
    }

    private static long bytes(NDArray a) {
        return a.size() * a.dtype().byteSize();
    }

    void upload(Object host, NDArray dst) {
        MemorySegment src = switch (host) {
            case float[] f -> MemorySegment.ofArray(f);
            case int[] i -> MemorySegment.ofArray(i);
            default -> throw new IllegalArgumentException("cuda upload: needs float[] or int[] for " + dst.dtype()
                    + ", got " + host.getClass().getSimpleName());
        };
        rt.copyToDevice(src, CudaStorage.address(dst), bytes(dst));
    }

    void download(NDArray src, Object host) {
        MemorySegment dst = switch (host) {
            case float[] f -> MemorySegment.ofArray(f);
            case int[] i -> MemorySegment.ofArray(i);
            default -> throw new IllegalArgumentException("cuda download: needs float[] or int[] for " + src.dtype()
                    + ", got " + host.getClass().getSimpleName());
        };
        rt.synchronize();
        rt.copyToHost(CudaStorage.address(src), dst, bytes(src));
    }

    void fill(NDArray out, double value) {
        int bits = out.dtype() == DType.F32 ? Float.floatToRawIntBits((float) value) : (int) value;
        rt.memsetD32(CudaStorage.address(out), bits, out.size());
    }

    void cast(NDArray src, NDArray dst) {
        if (src.dtype() == dst.dtype()) {
            rt.copyOnDevice(CudaStorage.address(src), CudaStorage.address(dst), bytes(src));
            return;
        }
        launcher.args().ptr(CudaStorage.address(src)).ptr(CudaStorage.address(dst)).i64(src.size());
        launcher.gridStride(src.dtype() == DType.F32 ? castF32ToI32 : castI32ToF32, src.size());
    }

    void copyAlongAxis(NDArray src, int srcStart, NDArray dst, int dstStart, int axis, int count) {
        Shape s = src.shape();
        long outer = 1, inner = 1;
        for (int d = 0; d < axis; d++) {
            outer *= s.dim(d);
        }
        for (int d = axis + 1; d < s.rank(); d++) {
            inner *= s.dim(d);
        }
        launcher.args().ptr(CudaStorage.address(src)).ptr(CudaStorage.address(dst)).i64(outer)
                .i32(s.dim(axis)).i32(srcStart).i32(dst.dim(axis)).i32(dstStart).i32(count).i64(inner);
        launcher.gridStride(copyAlongAxis, outer * count * inner);
    }

    void permute(NDArray x, int[] perm, NDArray out) {
        int rank = x.rank();
        IndexerStruct.checkRank(rank, x.shape());
        int[] xStrides = IndexerStruct.strides(x.shape());
        int[] strides = new int[rank];
        for (int d = 0; d < rank; d++) {
            strides[d] = xStrides[perm[d]];
        }
        java.util.Arrays.fill(indexer, 0);
        IndexerStruct.set(indexer, 0, rank, out.shape().dims(), 0, strides, 0);
        launcher.args().ptr(CudaStorage.address(x)).ptr(CudaStorage.address(out)).i64(out.size()).ints(indexer);
        launcher.gridStride(permute, out.size());
    }
}
