package dev.unetgan.nn.io;

import dev.unetgan.tensor.DType;
import java.nio.ByteBuffer;
import java.nio.ShortBuffer;

/**
 * The safetensors dtypes this package reads, each with the engine dtype it becomes and a decoder from little-endian
 * bytes. Half-precision types widen to F32 exactly; I64 narrows to I32 only when every value fits.
 */
enum FileDType {
    F64(8, DType.F64) {
        @Override
        void decode(ByteBuffer src, Object dst, int off, int count) {
            src.asDoubleBuffer().get((double[]) dst, off, count);
        }
    },
    F32(4, DType.F32) {
        @Override
        void decode(ByteBuffer src, Object dst, int off, int count) {
            src.asFloatBuffer().get((float[]) dst, off, count);
        }
    },
    F16(2, DType.F32) {
        @Override
        void decode(ByteBuffer src, Object dst, int off, int count) {
            float[] out = (float[]) dst;
            ShortBuffer in = src.asShortBuffer();
            for (int i = 0; i < count; i++) {
                out[off + i] = Float.float16ToFloat(in.get(i));
            }
        }
    },
    BF16(2, DType.F32) {
        @Override
        void decode(ByteBuffer src, Object dst, int off, int count) {
            float[] out = (float[]) dst;
            ShortBuffer in = src.asShortBuffer();
            for (int i = 0; i < count; i++) {
                // bfloat16 is the top half of an IEEE float, so widening is a shift (NaN payloads survive).
                out[off + i] = Float.intBitsToFloat((in.get(i) & 0xFFFF) << 16);
            }
        }
    },
    I64(8, DType.I32) {
        @Override
        void decode(ByteBuffer src, Object dst, int off, int count) {
            int[] out = (int[]) dst;
            var in = src.asLongBuffer();
            for (int i = 0; i < count; i++) {
                long v = in.get(i);
                if (v != (int) v) {
                    throw new OutOfRange(i, v);
                }
                out[off + i] = (int) v;
            }
        }
    },
    I32(4, DType.I32) {
        @Override
        void decode(ByteBuffer src, Object dst, int off, int count) {
            src.asIntBuffer().get((int[]) dst, off, count);
        }
    };

    /** Thrown by a narrowing decoder; {@code index} is relative to the decoded chunk. */
    static final class OutOfRange extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int index;
        final long value;

        OutOfRange(int index, long value) {
            super(null, null, false, false);
            this.index = index;
            this.value = value;
        }
    }

    final int byteSize;
    final DType target;

    FileDType(int byteSize, DType target) {
        this.byteSize = byteSize;
        this.target = target;
    }

    /**
     * Decodes {@code count} elements from {@code src} (little-endian, positioned at the first element) into
     * {@code dst[off, off + count)}; {@code dst} is the Java array of {@link #target}.
     */
    abstract void decode(ByteBuffer src, Object dst, int off, int count);

    /** A new Java array for {@code n} elements of {@link #target}. */
    Object newArray(int n) {
        return switch (target) {
            case F32 -> new float[n];
            case F64 -> new double[n];
            case I32 -> new int[n];
        };
    }

    /** The file dtype with this exact name, or null. Names are case-sensitive, as in the format. */
    static FileDType named(String name) {
        for (FileDType t : values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }
}
