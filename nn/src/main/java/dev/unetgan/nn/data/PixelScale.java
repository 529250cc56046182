package dev.unetgan.nn.data;

/** The map from an 8-bit value {@code v} to [-1, 1], {@code v / 127.5 - 1}, as a table shared by the readers. */
final class PixelScale {
    private static final float[] TABLE = new float[256];

    static {
        for (int v = 0; v < 256; v++) {
            TABLE[v] = (float) (v / 127.5 - 1.0);
        }
    }

    private PixelScale() {
    }

    /** The [-1, 1] value of the unsigned byte {@code b} (0 to -1, 255 to 1). */
    static float unit(byte b) {
        return TABLE[b & 0xFF];
    }
}
