package dev.unetgan.tensor.cpu;

import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Storage;

/**
 * CPU storage: one Java array, of the dtype's element type. Exactly one of {@link #f32}, {@link #f64} and
 * {@link #i32} is non-null. Large buffers come from and return to {@link BufferPool}, so the array may be longer
 * than {@link #length()}.
 */
final class CpuStorage extends Storage {
    final float[] f32;
    final double[] f64;
    final int[] i32;

    CpuStorage(DType dtype, int length) {
        super(dtype, length);
        this.f32 = dtype == DType.F32 ? BufferPool.takeFloats(length) : null;
        this.f64 = dtype == DType.F64 ? new double[length] : null;
        this.i32 = dtype == DType.I32 ? new int[length] : null;
    }

    @Override
    protected void free() {
        if (f32 != null) {
            BufferPool.give(f32);
        }
    }

    static CpuStorage of(NDArray a) {
        return (CpuStorage) a.storage();
    }

    /** The float data of an F32 array. */
    static float[] f32(NDArray a) {
        return of(a).f32;
    }

    /** The double data of an F64 array. */
    static double[] f64(NDArray a) {
        return of(a).f64;
    }

    /** The int data of an I32 array. */
    static int[] i32(NDArray a) {
        return of(a).i32;
    }

    /** Element {@code i} as a double, whatever the dtype (for the scalar reference paths). */
    double get(int i) {
        return f32 != null ? f32[i] : f64 != null ? f64[i] : i32[i];
    }

    /** Sets element {@code i}, converting from double (for the scalar reference paths). */
    void set(int i, double v) {
        if (f32 != null) {
            f32[i] = (float) v;
        } else if (f64 != null) {
            f64[i] = v;
        } else {
            i32[i] = (int) v;
        }
    }
}
