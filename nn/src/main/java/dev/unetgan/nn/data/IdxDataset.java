package dev.unetgan.nn.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * Grayscale images and labels from a pair of IDX files (MNIST layout: images {@code [N, H, W]}, labels {@code [N]}).
 *
 * <p>The pixels stay as the file's bytes (one byte per pixel, 47 MB for Fashion-MNIST's training set rather than 188
 * MB of floats) and are converted on {@link #read} through a 256-entry table, which is cheaper than the memory
 * traffic a float copy would cost. Pixel {@code v} maps to {@code v / 127.5 - 1}, so 0 is -1 and 255 is 1.
 * Optional symmetric padding (for example 28x28 to 32x32) is filled with a given value.
 */
public final class IdxDataset implements Dataset {
    private final byte[] pixels;
    private final byte[] labels;
    private final int count;
    private final int height;
    private final int width;
    private final int pad;
    private final float padValue;
    private final ImageShape shape;

    private IdxDataset(Idx.Data images, Idx.Data labels, int pad, float padValue) {
        this.pixels = images.bytes();
        this.labels = labels.bytes();
        this.count = images.dim(0);
        this.height = images.dim(1);
        this.width = images.dim(2);
        this.pad = pad;
        this.padValue = padValue;
        this.shape = new ImageShape(1, height + 2 * pad, width + 2 * pad);
    }

    /** Reads images and labels without padding. */
    public static IdxDataset read(Path images, Path labels) throws IOException {
        return read(images, labels, 0, -1f);
    }

    /**
     * Reads an image file {@code [N, H, W]} and a label file {@code [N]}.
     *
     * @param pad pixels added on every side (0 for none)
     * @param padValue the value of added pixels, in [-1, 1] units (-1 is black, the MNIST background)
     * @throws IOException naming the file if either is unreadable, malformed or truncated, or if their counts differ
     */
    public static IdxDataset read(Path images, Path labels, int pad, float padValue) throws IOException {
        if (pad < 0) {
            throw new IllegalArgumentException("pad must be >= 0, got " + pad);
        }
        Idx.Data img = Idx.read(images);
        Idx.Data lab = Idx.read(labels);
        if (img.dims().length != 3) {
            throw new IOException(images + ": expected images of rank 3 [N, H, W], got " + Arrays.toString(img.dims()));
        }
        if (lab.dims().length != 1) {
            throw new IOException(labels + ": expected labels of rank 1 [N], got " + Arrays.toString(lab.dims()));
        }
        if (img.dim(0) != lab.dim(0)) {
            throw new IOException("image/label count mismatch: " + images + " has " + img.dim(0) + " images but "
                    + labels + " has " + lab.dim(0) + " labels");
        }
        if (img.dim(1) == 0 || img.dim(2) == 0) {
            throw new IOException(images + ": empty image size " + Arrays.toString(img.dims()));
        }
        return new IdxDataset(img, lab, pad, padValue);
    }

    @Override
    public int size() {
        return count;
    }

    @Override
    public ImageShape shape() {
        return shape;
    }

    /** The label of example {@code index}, without decoding its image. */
    public int label(int index) {
        return labels[Objects.checkIndex(index, count)] & 0xFF;
    }

    /** IDX images have no random augmentation, so {@code augmentKey} is ignored. */
    @Override
    public int read(int index, long augmentKey, float[] dst, int offset) {
        Objects.checkIndex(index, count);
        int outW = shape.width();
        int outH = shape.height();
        if (pad > 0) {
            Arrays.fill(dst, offset, offset + pad * outW, padValue);
            Arrays.fill(dst, offset + (outH - pad) * outW, offset + outH * outW, padValue);
        }
        int src = index * height * width;
        for (int y = 0; y < height; y++) {
            int row = offset + (y + pad) * outW;
            for (int x = 0; x < pad; x++) {
                dst[row + x] = padValue;
                dst[row + outW - 1 - x] = padValue;
            }
            for (int x = 0; x < width; x++) {
                dst[row + pad + x] = PixelScale.unit(pixels[src++]);
            }
        }
        return labels[index] & 0xFF;
    }
}
