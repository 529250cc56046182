package dev.unetgan.nn.data;

import dev.unetgan.tensor.Device;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Shape;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Batches of a {@link Dataset}: images {@code F32 [B, C, H, W]} and labels {@code I32 [B]} on a chosen device, in
 * a seeded order, read ahead on a background thread.
 *
 * <p>The loader is an endless stream of batches that walks through epochs: {@link #next} after the last batch of
 * epoch {@code e} returns the first batch of epoch {@code e + 1}. {@link #position()} is the (epoch, index) of the
 * next batch, where index is the offset into that epoch's order; saving it and passing it to {@link #seek} on a
 * fresh loader with the same dataset, seed and batch options resumes exactly, because the order of epoch {@code e}
 * is a pure function of (seed, e), and so are the augmentation keys handed to {@link Dataset#read}.
 *
 * <p>Threading and memory. The prefetch thread only fills host {@code float[]}/{@code int[]} buffers (this is
 * where decoding and augmentation run, overlapping the consumer's compute). The {@code NDArray}s are created in
 * {@link #next} on the consumer's thread: an array belongs to the innermost {@code Scope} open on the thread that
 * creates it, so arrays made on the worker would belong to no scope of the training step and leak. Call {@code next}
 * inside the step's scope and the batch is freed with the step. The loader has one consumer; it is not thread-safe.
 *
 * <p>A failure in the worker (for example an I/O error in the dataset) is rethrown by the {@link #next} call that
 * would have returned the failed batch, as an {@link IllegalStateException} naming the position, with the
 * original exception as its cause. The position is not advanced, so a later {@code next} retries.
 *
 * <pre>{@code
 * try (DataLoader loader = DataLoader.builder(FashionMnist.train(), 64).shuffle(true).seed(1).build()) {
 *     for (int step = 0; step < steps; step++) {
 *         try (Scope scope = Scope.open()) {
 *             DataLoader.Batch batch = loader.next();
 *             ... // batch.images(), batch.labels() are closed with the scope
 *         }
 *     }
 * }
 * }</pre>
 */
public final class DataLoader implements AutoCloseable {
    private static final long AUGMENT_SALT = 0x5DEECE66DL;
    private static final AtomicInteger THREAD_IDS = new AtomicInteger();

    /** Where the loader is: the epoch, and the offset of the next example in that epoch's order. */
    public record Position(int epoch, int index) {
        public Position {
            if (epoch < 0 || index < 0) {
                throw new IllegalArgumentException("position must be non-negative, got (" + epoch + ", " + index
                        + ")");
            }
        }
    }

    /**
     * One batch: {@code images} F32 {@code [B, C, H, W]} and {@code labels} I32 {@code [B]}, plus the position it
     * was read from. Closing it closes both arrays (useful when no scope is open).
     */
    public record Batch(NDArray images, NDArray labels, Position position) implements AutoCloseable {
        /** Number of examples B. */
        public int size() {
            return labels.dim(0);
        }

        @Override
        public void close() {
            images.close();
            labels.close();
        }
    }

    private record HostBatch(float[] images, int[] labels, Position start, Position next, Throwable failure) {
    }

    private final Dataset dataset;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final boolean dropLast;
    private final Device device;
    private final int prefetch;
    private final ImageShape shape;
    private final ConcurrentLinkedQueue<float[]> freeBuffers = new ConcurrentLinkedQueue<>();

    private Position position = new Position(0, 0);
    private int cachedEpoch = -1;
    private int[] cachedOrder;
    private Prefetcher prefetcher;
    private boolean closed;

    private DataLoader(Builder b) {
        this.dataset = b.dataset;
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.seed = b.seed;
        this.dropLast = b.dropLast;
        this.device = b.device;
        this.prefetch = b.prefetch;
        this.shape = dataset.shape();
        if (dataset.size() == 0) {
            throw new IllegalArgumentException("DataLoader: the dataset is empty");
        }
        if (dropLast && dataset.size() < batchSize) {
            throw new IllegalArgumentException("DataLoader: with dropLast, a dataset of " + dataset.size()
                    + " examples gives no batch of " + batchSize);
        }
    }

    /** A builder for a loader of {@code dataset} in batches of {@code batchSize}. */
    public static Builder builder(Dataset dataset, int batchSize) {
        return new Builder(dataset, batchSize);
    }

    /** Options of a {@link DataLoader}; defaults: no shuffle, seed 0, keep the last short batch, CPU, prefetch 2. */
    public static final class Builder {
        private final Dataset dataset;
        private final int batchSize;
        private boolean shuffle;
        private long seed;
        private boolean dropLast;
        private Device device = Device.CPU;
        private int prefetch = 2;

        private Builder(Dataset dataset, int batchSize) {
            this.dataset = Objects.requireNonNull(dataset, "dataset");
            if (batchSize < 1) {
                throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
            }
            this.batchSize = batchSize;
        }

        /** Visit the examples in a new seeded random order every epoch. */
        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        /** The seed of the shuffle and of the augmentation keys. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Skip an epoch's last batch when it has fewer than {@code batchSize} examples. */
        public Builder dropLast(boolean dropLast) {
            this.dropLast = dropLast;
            return this;
        }

        /** The device of the batch arrays. */
        public Builder device(Device device) {
            this.device = Objects.requireNonNull(device, "device");
            return this;
        }

        /** How many batches the worker may prepare ahead; 0 reads synchronously in {@link #next} (no thread). */
        public Builder prefetch(int batches) {
            if (batches < 0) {
                throw new IllegalArgumentException("prefetch must be >= 0, got " + batches);
            }
            this.prefetch = batches;
            return this;
        }

        public DataLoader build() {
            return new DataLoader(this);
        }
    }

    /** The dataset being loaded. */
    public Dataset dataset() {
        return dataset;
    }

    /** Number of batches in one epoch: {@code floor(N / B)} with dropLast, else {@code ceil(N / B)}. */
    public int batchesPerEpoch() {
        int n = dataset.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** The position of the next batch; save it to resume with {@link #seek}. */
    public Position position() {
        return position;
    }

    /** The epoch of the next batch. */
    public int epoch() {
        return position.epoch();
    }

    /**
     * Continues from {@code p} (as returned by {@link #position()}), discarding batches read ahead. A position at
     * the end of an epoch (or before a dropped last batch) is the start of the next epoch.
     */
    public void seek(Position p) {
        checkOpen();
        if (p.index() > dataset.size()) {
            throw new IllegalArgumentException("position " + p + " is beyond the " + dataset.size()
                    + " examples of an epoch");
        }
        stopPrefetcher();
        position = normalize(p.epoch(), p.index());
    }

    /**
     * The next batch, as new arrays on the loader's device created on this thread (so they belong to this thread's
     * innermost {@code Scope}): images F32 {@code [B, C, H, W]}, labels I32 {@code [B]}; B is the batch size, or
     * less for an epoch's last batch when dropLast is off.
     *
     * @throws IllegalStateException if the loader is closed, or (with the cause) if reading the batch failed
     */
    public Batch next() {
        checkOpen();
        HostBatch host;
        if (prefetch == 0) {
            host = produce(position);
        } else {
            if (prefetcher == null) {
                prefetcher = new Prefetcher(position);
            }
            host = prefetcher.take();
        }
        if (host.failure() != null) {
            stopPrefetcher();
            throw new IllegalStateException("DataLoader: reading the batch at " + host.start() + " failed: "
                    + host.failure(), host.failure());
        }
        int b = host.labels().length;
        NDArray images = NDArray.of(host.images(), Shape.of(b, shape.channels(), shape.height(), shape.width()),
                device);
        NDArray labels;
        try {
            labels = NDArray.of(host.labels(), Shape.of(b), device);
        } catch (RuntimeException e) {
            images.close();
            throw e;
        }
        if (host.images().length == batchSize * shape.size() && freeBuffers.size() <= prefetch) {
            freeBuffers.offer(host.images());
        }
        position = host.next();
        return new Batch(images, labels, host.start());
    }

    /** Stops the prefetch thread (waiting for it to end) and discards batches read ahead. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            stopPrefetcher();
        }
    }

    /** The prefetch thread, or null when none runs; for tests. */
    Thread prefetchThread() {
        return prefetcher == null ? null : prefetcher.thread;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("DataLoader is closed");
        }
    }

    private void stopPrefetcher() {
        if (prefetcher != null) {
            prefetcher.stop();
            prefetcher = null;
        }
    }

    /** The position (epoch, index) if a batch starts there, else the start of the next epoch. */
    private Position normalize(int epoch, int index) {
        int remaining = dataset.size() - index;
        if (remaining <= 0 || (dropLast && remaining < batchSize)) {
            return new Position(epoch + 1, 0);
        }
        return new Position(epoch, index);
    }

    /** Reads the batch at {@code start} (a normalized position) into host buffers; runs on the worker. */
    private HostBatch produce(Position start) {
        try {
            int count = Math.min(batchSize, dataset.size() - start.index());
            int per = shape.size();
            float[] images = count == batchSize ? freeBuffers.poll() : null;
            if (images == null) {
                images = new float[count * per];
            }
            int[] labels = new int[count];
            int[] order = order(start.epoch());
            long augmentBase = Seeds.combine(seed ^ AUGMENT_SALT, start.epoch());
            for (int k = 0; k < count; k++) {
                int pos = start.index() + k;
                int index = order == null ? pos : order[pos];
                labels[k] = dataset.read(index, Seeds.combine(augmentBase, index), images, k * per);
            }
            return new HostBatch(images, labels, start, normalize(start.epoch(), start.index() + count), null);
        } catch (RuntimeException | Error e) {
            return new HostBatch(null, null, start, start, e);
        }
    }

    /**
     * The example order of one epoch (null: identity), cached because every batch of the epoch needs it. Only the
     * thread that produces batches touches the cache: the worker, or the consumer when prefetch is 0. Workers are
     * joined before another starts, and start/join order their memory effects, so no lock is needed.
     */
    private int[] order(int epoch) {
        if (!shuffle) {
            return null;
        }
        if (cachedEpoch != epoch) {
            cachedOrder = Seeds.permutation(dataset.size(), Seeds.combine(seed, epoch));
            cachedEpoch = epoch;
        }
        return cachedOrder;
    }


    /** The background reader: fills a bounded queue with host batches starting at one position. */
    private final class Prefetcher implements Runnable {
        private final BlockingQueue<HostBatch> queue = new ArrayBlockingQueue<>(prefetch);
        private final Position start;
        private final Thread thread;

        Prefetcher(Position start) {
            this.start = start;
            this.thread = new Thread(this, "DataLoader-prefetch-" + THREAD_IDS.incrementAndGet());
            // Daemon: a loader that is never closed must not keep the JVM alive.
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void run() {
            Position p = start;
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    HostBatch b = produce(p);
                    queue.put(b);
                    if (b.failure() != null) {
                        return;
                    }
                    p = b.next();
                }
            } catch (InterruptedException e) {
                // stop() interrupts a worker blocked on a full queue; ending is the point.
            }
        }

        HostBatch take() {
            try {
                return queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the next batch", e);
            }
        }

        void stop() {
            thread.interrupt();
            boolean interrupted = false;
            while (true) {
                try {
                    thread.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            queue.clear();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
