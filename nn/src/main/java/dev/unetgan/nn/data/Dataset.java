package dev.unetgan.nn.data;

/**
 * A fixed-size, random-access collection of labelled images of one {@link #shape() shape}.
 *
 * <p>Implementations write directly into a caller's buffer ({@link #read}) so that a {@link DataLoader} fills a
 * whole batch without a temporary array per example; {@link #get} is the convenient form built on it.
 *
 * <p>Threading: {@link #read} is called from the loader's prefetch thread, possibly while other threads call
 * {@link #get}; implementations must be safe for concurrent reads (the ones here are immutable after
 * construction). A dataset never creates {@code NDArray}s: those belong to the thread-local {@code Scope} of the
 * thread that creates them, which must be the consumer.
 *
 * <p>Randomness: augmentations (for example {@link ImageFolder}'s horizontal flip) draw only from the
 * {@code augmentKey} passed in, never from hidden state, so a result depends only on (index, key) and training runs
 * reproduce regardless of which thread reads which example when.
 */
public interface Dataset {
    /** Number of examples. */
    int size();

    /** The shape {@code [C, H, W]} of every image. */
    ImageShape shape();

    /**
     * Writes example {@code index} as CHW floats in [-1, 1] into {@code dst[offset .. offset + shape().size())} and
     * returns its label.
     *
     * @param augmentKey the key from which random augmentations are drawn; the same key gives the same output
     */
    int read(int index, long augmentKey, float[] dst, int offset);

    /** Example {@code index} with augmentation key 0 (a fixed, reproducible draw). */
    default Example get(int index) {
        return get(index, 0L);
    }

    /** Example {@code index}, augmented from {@code augmentKey}; a new array of {@code shape().size()} floats. */
    default Example get(int index, long augmentKey) {
        float[] image = new float[shape().size()];
        int label = read(index, augmentKey, image, 0);
        return new Example(image, shape(), label);
    }

    /** The examples {@code [start, end)} of this dataset, as a view (no copy). */
    default Dataset subset(int start, int end) {
        if (start < 0 || end > size() || start > end) {
            throw new IndexOutOfBoundsException("subset [" + start + ", " + end + ") of a dataset of " + size());
        }
        Dataset parent = this;
        return new Dataset() {
            @Override
            public int size() {
                return end - start;
            }

            @Override
            public ImageShape shape() {
                return parent.shape();
            }

            @Override
            public int read(int index, long augmentKey, float[] dst, int offset) {
                return parent.read(start + java.util.Objects.checkIndex(index, end - start), augmentKey, dst, offset);
            }
        };
    }
}
