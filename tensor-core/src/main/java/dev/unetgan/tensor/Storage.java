package dev.unetgan.tensor;

/**
 * A backend's buffer behind one or more {@link NDArray}s (a reshape shares it). Reference-counted: the memory goes
 * back to its backend when the last array that uses it is closed.
 */
public abstract class Storage {
    private final DType dtype;
    private final long length;
    private int refs = 1;

    protected Storage(DType dtype, long length) {
        this.dtype = dtype;
        this.length = length;
    }

    public final DType dtype() {
        return dtype;
    }

    /** Capacity in elements. */
    public final long length() {
        return length;
    }

    final synchronized void retain() {
        if (refs <= 0) {
            throw new IllegalStateException("storage already released");
        }
        refs++;
    }

    final synchronized void release() {
        if (--refs == 0) {
            free();
        }
    }

    /** Returns the memory to the backend. Called once, when the last reference goes. */
    protected abstract void free();
}
