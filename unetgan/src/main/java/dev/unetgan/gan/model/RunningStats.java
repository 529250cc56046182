package dev.unetgan.gan.model;

/**
 * A batch norm of G whose running-statistics momentum can be changed, so that "standing statistics" can average
 * over many batches with equal weight ({@link BigGanGenerator#standingStatistics}).
 */
sealed interface RunningStats permits ConditionalBatchNorm, OutputBatchNorm {
    /** PyTorch's default, used in training. */
    double DEFAULT_MOMENTUM = 0.1;

    /** The weight of the next batch's statistics in {@code stored = (1-m)·stored + m·batch}. */
    void momentum(double m);
}
