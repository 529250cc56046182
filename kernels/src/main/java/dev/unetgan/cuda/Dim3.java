package dev.unetgan.cuda;

/** A CUDA launch dimension. */
public record Dim3(int x, int y, int z) {
    public Dim3 {
        if (x < 1 || y < 1 || z < 1) {
            throw new IllegalArgumentException("launch dimension must be positive, got (" + x + "," + y + "," + z + ")");
        }
    }

    /** A one-dimensional size. */
    public static Dim3 of(int x) {
        return new Dim3(x, 1, 1);
    }

    /** The product of the three. */
    public long count() {
        return (long) x * y * z;
    }
}
