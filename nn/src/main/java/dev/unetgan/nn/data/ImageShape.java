package dev.unetgan.nn.data;

/**
 * The shape {@code [channels, height, width]} shared by every example of a {@link Dataset}, so that examples can
 * be stacked into {@code [B, C, H, W]} batches.
 */
public record ImageShape(int channels, int height, int width) {
    public ImageShape {
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("image shape must be positive, got [" + channels + ", " + height
                    + ", " + width + "]");
        }
    }

    /** Number of floats in one CHW image: {@code channels * height * width}. */
    public int size() {
        return channels * height * width;
    }

    @Override
    public String toString() {
        return "[" + channels + ", " + height + ", " + width + "]";
    }
}
