package dev.unetgan.gan.app;

import dev.unetgan.autograd.NoGrad;
import dev.unetgan.autograd.Tensor;
import dev.unetgan.gan.model.BigGanGenerator;
import dev.unetgan.gan.model.ModelConfig;
import dev.unetgan.nn.Module;
import dev.unetgan.tensor.Generator;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Shape;

/**
 * Images from the EMA G, as samples and evaluation need them (UNETGAN.md §6): a private copy of the EMA G receives
 * its state, then BigGAN's standing statistics, then runs in eval mode. Working on a copy keeps the EMA G's own
 * buffers exactly what the EMA computes, so sampling during training never changes the run.
 */
public final class Sampler implements AutoCloseable {
    /** The seed of the fixed {@code z} of sample grids, so that grids of one run are comparable over time. */
    public static final long FIXED_Z_SEED = 0x5A3D1E;
    private static final long STANDING_SEED = 0x57A4D;

    private final BigGanGenerator g;
    private final int standingPasses;
    private final int standingBatch;

    public Sampler(ModelConfig config, int standingPasses, int standingBatch) {
        this.g = new BigGanGenerator(config, null);
        this.standingPasses = standingPasses;
        this.standingBatch = standingBatch;
    }

    /**
     * A sampler of the EMA G of a checkpoint, with {@code standingPasses} passes of standing statistics (at the run's
     * batch size), on the run's device.
     */
    public static Sampler of(TrainingCheckpoint.Loaded checkpoint, int standingPasses) {
        TrainConfig c = checkpoint.config();
        Sampler s = new Sampler(c.model(c.resolveDevice()), standingPasses, c.batch());
        try {
            checkpoint.loadInto(TrainingCheckpoint.G_EMA, s.g);
            return s.standing();
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** Takes {@code ema}'s current state and recomputes the standing statistics (from a fixed seed). */
    public Sampler refresh(Module ema) {
        g.loadStateDict(ema.stateDict());
        return standing();
    }

    private Sampler standing() {
        g.standingStatistics(standingPasses, standingBatch, new Generator(STANDING_SEED));
        return this;
    }

    /** {@code [n, c, S, S]} images in (-1, 1) from {@code n} draws of {@code rng}, with classes {@code y} (or null). */
    public NDArray generate(Generator rng, int n, NDArray y) {
        try (NoGrad ignored = NoGrad.enter()) {
            return g.forward(Tensor.of(g.sampleZ(rng, n)), y).value();
        }
    }

    /** {@code n} images of random classes (uniform; none when unconditional) from {@code rng}. */
    public NDArray generate(Generator rng, int n) {
        return generate(rng, n, g.sampleLabels(rng, n));
    }

    /**
     * The labels of a grid with {@code perClass} images of each class, in class order (I32 {@code [classes·perClass]}).
     */
    public NDArray classRows(int perClass) {
        int classes = g.config().nClasses();
        int[] labels = new int[classes * perClass];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i / perClass;
        }
        return NDArray.of(labels, Shape.of(labels.length), g.config().device());
    }

    public ModelConfig config() {
        return g.config();
    }

    @Override
    public void close() {
        g.close();
    }
}
