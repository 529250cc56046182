package dev.unetgan.tensor;

/**
 * Element types. {@code F32} is the working type on every backend; {@code F64} exists on the CPU for gradient checks;
 * {@code I32} holds indices (labels, embedding rows, max-pool positions) and supports only fill, copy, cast and
 * host transfer. Half precision can be added here later.
 */
public enum DType {
    F32(4, true),
    F64(8, true),
    I32(4, false);

    private final int byteSize;
    private final boolean floating;

    DType(int byteSize, boolean floating) {
        this.byteSize = byteSize;
        this.floating = floating;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** Whether arithmetic ops accept this type. */
    public boolean isFloating() {
        return floating;
    }
}
