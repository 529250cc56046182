package dev.unetgan.tensor;

import java.util.Objects;

/**
 * A dense, contiguous, row-major array on one device: shape, dtype, device and storage, nothing more. Arithmetic
 * lives in {@link Ops}; gradients live in the autograd module.
 *
 * <p>Ownership: an array created while a {@link Scope} is open on this thread belongs to that scope and is closed
 * with it, unless {@link Scope#keep kept}. Otherwise its creator owns it. {@link #reshape} shares storage, which is
 * reference-counted, so closing the view and the original in any order is safe. Using a closed array throws
 * {@link IllegalStateException}; closing twice is harmless.
 */
public final class NDArray implements AutoCloseable {
    private final Shape shape;
    private final Backend backend;
    private final Storage storage;
    private volatile boolean closed;

    private NDArray(Shape shape, Backend backend, Storage storage) {
        this.shape = shape;
        this.backend = backend;
        this.storage = storage;
        Scope.adopt(this);
    }

    /** An array of the given shape whose contents are unspecified; the fastest way to get an output buffer. */
    public static NDArray empty(Shape shape, DType dtype, Device device) {
        Backend backend = Backends.of(device);
        return new NDArray(shape, backend, backend.allocate(dtype, shape.size()));
    }

    /** An array filled with {@code value}. */
    public static NDArray full(Shape shape, DType dtype, Device device, double value) {
        NDArray a = empty(shape, dtype, device);
        a.backend.fill(a, value);
        return a;
    }

    /** An array of zeros. */
    public static NDArray zeros(Shape shape, DType dtype, Device device) {
        return full(shape, dtype, device, 0);
    }

    /** An F32 array on {@code device} holding a copy of {@code data}. */
    public static NDArray of(float[] data, Shape shape, Device device) {
        return upload(data, data.length, DType.F32, shape, device);
    }

    /** An F64 array on {@code device} holding a copy of {@code data}. */
    public static NDArray of(double[] data, Shape shape, Device device) {
        return upload(data, data.length, DType.F64, shape, device);
    }

    /** An I32 array on {@code device} holding a copy of {@code data}. */
    public static NDArray of(int[] data, Shape shape, Device device) {
        return upload(data, data.length, DType.I32, shape, device);
    }

    /** An F32 CPU array; shorthand for tests and examples. */
    public static NDArray of(float[] data, int... dims) {
        return of(data, Shape.of(dims), Device.CPU);
    }

    /** An F64 CPU array; shorthand for tests and examples. */
    public static NDArray of(double[] data, int... dims) {
        return of(data, Shape.of(dims), Device.CPU);
    }

    private static NDArray upload(Object data, int length, DType dtype, Shape shape, Device device) {
        if (length != shape.size()) {
            throw new IllegalArgumentException("array of " + length + " elements does not fit shape " + shape);
        }
        NDArray a = empty(shape, dtype, device);
        a.backend.upload(data, a);
        return a;
    }

    public Shape shape() {
        return shape;
    }

    public DType dtype() {
        return storage.dtype();
    }

    public Device device() {
        return backend.device();
    }

    /** The backend that owns this array's storage. */
    public Backend backend() {
        return backend;
    }

    /** The backend buffer; for backend implementations only. */
    public Storage storage() {
        return storage;
    }

    /** Number of elements. */
    public long size() {
        return shape.size();
    }

    /** Dimension {@code axis} (negative counts from the end). */
    public int dim(int axis) {
        return shape.dim(axis);
    }

    public int rank() {
        return shape.rank();
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * The same data seen with another shape of equal size; free, since storage is shared. One dimension may be
     * {@code -1}, meaning "whatever is left".
     */
    public NDArray reshape(int... dims) {
        Shape target = Shape.of(inferDim(dims));
        if (target.size() != shape.size()) {
            throw new IllegalArgumentException("reshape: cannot view " + shape + " as " + target);
        }
        checkOpen("reshape");
        storage.retain();
        return new NDArray(target, backend, storage);
    }

    /** As {@link #reshape(int...)}. */
    public NDArray reshape(Shape target) {
        return reshape(target.dims());
    }

    private int[] inferDim(int[] dims) {
        int[] d = dims.clone();
        int unknown = -1;
        long known = 1;
        for (int i = 0; i < d.length; i++) {
            if (d[i] == -1) {
                if (unknown >= 0) {
                    throw new IllegalArgumentException("reshape: more than one -1 in " + java.util.Arrays.toString(dims));
                }
                unknown = i;
            } else {
                known *= d[i];
            }
        }
        if (unknown >= 0) {
            if (known == 0 || shape.size() % known != 0) {
                throw new IllegalArgumentException("reshape: cannot view " + shape + " as " + java.util.Arrays.toString(dims));
            }
            d[unknown] = (int) (shape.size() / known);
        }
        return d;
    }

    /** A copy on another device (or a new copy on the same one). */
    public NDArray to(Device device) {
        checkOpen("to");
        Object host = toHostArray();
        NDArray a = empty(shape, dtype(), device);
        a.backend.upload(host, a);
        return a;
    }

    /** The elements as floats (F32 arrays only). */
    public float[] toFloatArray() {
        requireDType("toFloatArray", DType.F32);
        return (float[]) toHostArray();
    }

    /** The elements as doubles, converting from any dtype. */
    public double[] toDoubleArray() {
        Object host = toHostArray();
        return switch (host) {
            case double[] d -> d;
            case float[] f -> {
                double[] d = new double[f.length];
                for (int i = 0; i < f.length; i++) d[i] = f[i];
                yield d;
            }
            case int[] n -> {
                double[] d = new double[n.length];
                for (int i = 0; i < n.length; i++) d[i] = n[i];
                yield d;
            }
            default -> throw new IllegalStateException("unexpected host array " + host.getClass());
        };
    }

    /** The elements as ints (I32 arrays only). */
    public int[] toIntArray() {
        requireDType("toIntArray", DType.I32);
        return (int[]) toHostArray();
    }

    /** The single element of a one-element array, as a double. */
    public double item() {
        if (shape.size() != 1) {
            throw new IllegalArgumentException("item: array of shape " + shape + " has " + shape.size() + " elements, not 1");
        }
        return toDoubleArray()[0];
    }

    private Object toHostArray() {
        checkOpen("download");
        int n = shape.sizeAsInt();
        Object host = switch (dtype()) {
            case F32 -> new float[n];
            case F64 -> new double[n];
            case I32 -> new int[n];
        };
        backend.download(this, host);
        return host;
    }

    private void requireDType(String op, DType dtype) {
        if (dtype() != dtype) {
            throw new IllegalArgumentException(op + ": needs " + dtype + ", array is " + dtype() + " " + shape);
        }
    }

    /** Throws {@link IllegalStateException} naming {@code op} if this array is closed. */
    public void checkOpen(String op) {
        if (closed) {
            throw new IllegalStateException(op + ": array " + shape + " " + dtype() + " is closed");
        }
    }

    /** Releases this array's reference to its storage and leaves its scope. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Scope.forget(this);
            storage.release();
        }
    }

    @Override
    public String toString() {
        return "NDArray" + shape + " " + dtype() + " on " + device() + (closed ? " (closed)" : "");
    }

    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(storage) * 31 + shape.hashCode();
    }
}
