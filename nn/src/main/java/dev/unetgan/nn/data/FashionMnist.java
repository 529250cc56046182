package dev.unetgan.nn.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Fashion-MNIST (Xiao et al. 2017): 60000 training and 10000 test grayscale 28x28 images of ten clothing classes,
 * read from the gzipped IDX files that Debian's {@code dataset-fashion-mnist} package installs in
 * {@value #DEFAULT_DIR}.
 */
public final class FashionMnist {
    /** Where Debian's {@code dataset-fashion-mnist} installs the files. */
    public static final String DEFAULT_DIR = "/usr/share/datasets/fashion-mnist";

    /** Class names, indexed by label. */
    public static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    /** Which half of the dataset. */
    public enum Split {
        TRAIN("train"), TEST("t10k");

        private final String prefix;

        Split(String prefix) {
            this.prefix = prefix;
        }
    }

    private FashionMnist() {
    }

    /** The 60000 training images, 28x28. */
    public static IdxDataset train() {
        return load(Path.of(DEFAULT_DIR), Split.TRAIN, false);
    }

    /** The 10000 test images, 28x28. */
    public static IdxDataset test() {
        return load(Path.of(DEFAULT_DIR), Split.TEST, false);
    }

    /** The training images, padded to 32x32 with the background value -1 if {@code pad32}. */
    public static IdxDataset train(boolean pad32) {
        return load(Path.of(DEFAULT_DIR), Split.TRAIN, pad32);
    }

    /** The test images, padded to 32x32 with the background value -1 if {@code pad32}. */
    public static IdxDataset test(boolean pad32) {
        return load(Path.of(DEFAULT_DIR), Split.TEST, pad32);
    }

    /**
     * Loads one split from {@code dir} (files {@code <train|t10k>-{images-idx3,labels-idx1}-ubyte.gz}).
     *
     * @param pad32 pad each 28x28 image by 2 pixels of -1 on every side, to 32x32 (powers of two suit the GAN's
     *     down- and up-sampling stages)
     * @throws UncheckedIOException if the files are missing (telling how to install them) or malformed
     */
    public static IdxDataset load(Path dir, Split split, boolean pad32) {
        Path images = dir.resolve(split.prefix + "-images-idx3-ubyte.gz");
        Path labels = dir.resolve(split.prefix + "-labels-idx1-ubyte.gz");
        for (Path p : List.of(images, labels)) {
            if (!Files.isRegularFile(p)) {
                throw new UncheckedIOException(new IOException("Fashion-MNIST file " + p + " not found; install it"
                        + " with `apt-get install dataset-fashion-mnist` (Debian), or put the gzipped IDX files in "
                        + dir));
            }
        }
        try {
            return IdxDataset.read(images, labels, pad32 ? 2 : 0, -1f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
