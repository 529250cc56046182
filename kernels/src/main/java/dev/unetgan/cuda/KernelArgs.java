package dev.unetgan.cuda;

import java.util.Arrays;

/**
 * The parameters of one kernel launch, in order, as CUDA's {@code kernelParams} take them. One instance is reused
 * for every launch of a backend ({@link #clear} then append), so a launch allocates nothing; a runtime packs the
 * values into its own reused native buffer. Kinds: a device pointer, {@code long long} or {@code double} (8 bytes),
 * an {@code int} or {@code float} (4 bytes), and a struct of ints passed by value (the shape metadata of {@code common.cuh}).
 */
public final class KernelArgs {
    /** How a parameter is passed. */
    public enum Kind { I64, F64, I32, F32, INTS }

    private Kind[] kinds = new Kind[16];
    private long[] values = new long[16];
    private int[][] structs = new int[16][];
    private int count;

    /** Empties the list for the next launch. */
    public KernelArgs clear() {
        count = 0;
        return this;
    }

    /** A device pointer ({@code 0} is a null pointer). */
    public KernelArgs ptr(long address) {
        return add(Kind.I64, address, null);
    }

    /** A {@code long long}. */
    public KernelArgs i64(long v) {
        return add(Kind.I64, v, null);
    }

    /** A {@code double}. */
    public KernelArgs f64(double v) {
        return add(Kind.F64, Double.doubleToRawLongBits(v), null);
    }

    /** An {@code int}. */
    public KernelArgs i32(int v) {
        return add(Kind.I32, v, null);
    }

    /** A {@code float}. */
    public KernelArgs f32(float v) {
        return add(Kind.F32, Float.floatToRawIntBits(v), null);
    }

    /** A struct of {@code ints.length} ints by value; the array is read at launch, so it may be reused. */
    public KernelArgs ints(int[] ints) {
        return add(Kind.INTS, 0, ints);
    }

    private KernelArgs add(Kind kind, long value, int[] struct) {
        if (count == kinds.length) {
            kinds = Arrays.copyOf(kinds, count * 2);
            values = Arrays.copyOf(values, count * 2);
            structs = Arrays.copyOf(structs, count * 2);
        }
        kinds[count] = kind;
        values[count] = value;
        structs[count] = struct;
        count++;
        return this;
    }

    public int count() {
        return count;
    }

    public Kind kind(int i) {
        return kinds[i];
    }

    /** The raw bits of parameter {@code i} (a float as its int bits). */
    public long value(int i) {
        return values[i];
    }

    /** The ints of a struct parameter. */
    public int[] struct(int i) {
        return structs[i];
    }

    /** Bytes that parameter {@code i} occupies. */
    public int size(int i) {
        return switch (kinds[i]) {
            case I64, F64 -> 8;
            case I32, F32 -> 4;
            case INTS -> 4 * structs[i].length;
        };
    }
}
