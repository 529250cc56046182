package dev.unetgan.nn.data;

/**
 * One example: an image as CHW floats in [-1, 1] ({@code image.length == shape.size()}) and its integer label.
 * A plain host-side value, so it can be made on any thread; the {@link DataLoader} turns batches of these into
 * device arrays on the consumer's thread.
 */
public record Example(float[] image, ImageShape shape, int label) {
    public Example {
        if (image.length != shape.size()) {
            throw new IllegalArgumentException("image of " + image.length + " floats does not match shape " + shape);
        }
    }

    /** The value at channel {@code c}, row {@code y}, column {@code x}. */
    public float at(int c, int y, int x) {
        return image[(c * shape.height() + y) * shape.width() + x];
    }
}
