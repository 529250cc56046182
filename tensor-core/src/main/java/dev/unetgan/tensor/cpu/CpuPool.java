package dev.unetgan.tensor.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The CPU backend's fixed worker pool, sized to the cores ({@code -Dunetgan.cpu.threads=N} overrides). A parallel
 * loop splits {@code [0, n)} into one contiguous chunk per thread. Chunks are claimed from a counter, by the calling
 * thread and by the T-1 workers it wakes: when a worker wakes late (its core is busy with another process), the
 * caller runs that worker's chunk itself instead of waiting for it, which is what kept two threads from scaling on
 * a loaded machine (benchmarks/README.md). A loop started from inside a worker runs serially, so nested parallel
 * ops cannot deadlock.
 */
public final class CpuPool {
    /** A loop body over the half-open range {@code [start, end)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    private static final int THREADS = Integer.getInteger("unetgan.cpu.threads",
            Runtime.getRuntime().availableProcessors());
    private static final Worker[] WORKERS = new Worker[THREADS - 1];
    private static final ThreadLocal<Boolean> IN_WORKER = ThreadLocal.withInitial(() -> false);

    static {
        for (int i = 0; i < WORKERS.length; i++) {
            WORKERS[i] = new Worker(i + 1);
            WORKERS[i].start();
        }
    }

    private CpuPool() {
    }

    /** The number of threads a parallel loop uses. */
    public static int threads() {
        return THREADS;
    }

    /**
     * Runs {@code body} over {@code [0, n)} split into at most {@link #threads()} chunks of at least {@code grain}
     * iterations each. Returns when every chunk is done; an exception in any chunk is rethrown.
     */
    public static void parallelFor(int n, int grain, RangeBody body) {
        int chunks = Math.min(THREADS, Math.max(1, n / Math.max(1, grain)));
        if (chunks <= 1 || IN_WORKER.get()) {
            if (n > 0) {
                body.run(0, n);
            }
            return;
        }
        synchronized (CpuPool.class) {
            Job job = new Job(body, n, chunks);
            for (int c = 1; c < chunks; c++) {
                WORKERS[c - 1].submit(job);
            }
            IN_WORKER.set(true);
            try {
                job.runChunks();
            } finally {
                IN_WORKER.set(false);
            }
            job.await();
        }
    }

    private static final class Job {
        final RangeBody body;
        final int n;
        final int chunks;
        final AtomicInteger pending;
        final AtomicInteger nextChunk = new AtomicInteger();
        final Thread caller = Thread.currentThread();
        volatile Throwable failure;

        Job(RangeBody body, int n, int chunks) {
            this.body = body;
            this.n = n;
            this.chunks = chunks;
            this.pending = new AtomicInteger(chunks);
        }

        /** Claims and runs chunks until none is left unclaimed. */
        void runChunks() {
            for (int c; (c = nextChunk.getAndIncrement()) < chunks; ) {
                runChunk(c);
            }
        }

        private void runChunk(int c) {
            try {
                int start = (int) ((long) n * c / chunks);
                int end = (int) ((long) n * (c + 1) / chunks);
                body.run(start, end);
            } catch (Throwable t) {
                failure = t;
            } finally {
                if (pending.decrementAndGet() == 0) {
                    LockSupport.unpark(caller);
                }
            }
        }

        void await() {
            // Spin briefly: most chunks of a balanced loop finish within microseconds of each other.
            for (int spin = 0; pending.get() != 0 && spin < 20_000; spin++) {
                Thread.onSpinWait();
            }
            while (pending.get() != 0) {
                LockSupport.park(this);
            }
            Throwable t = failure;
            if (t instanceof RuntimeException re) throw re;
            if (t instanceof Error e) throw e;
            if (t != null) throw new IllegalStateException(t);
        }
    }

    private static final class Worker extends Thread {
        private volatile Job job;

        Worker(int index) {
            super("unetgan-cpu-" + index);
            setDaemon(true);
        }

        void submit(Job j) {
            job = j;
            LockSupport.unpark(this);
        }

        @Override
        public void run() {
            IN_WORKER.set(true);
            while (true) {
                Job j = job;
                if (j == null) {
                    for (int spin = 0; spin < 20_000 && (j = job) == null; spin++) {
                        Thread.onSpinWait();
                    }
                    if (j == null) {
                        LockSupport.park(this);
                        continue;
                    }
                }
                job = null;
                j.runChunks();
            }
        }
    }
}
