package dev.unetgan.gan.cli;

import dev.unetgan.gan.app.Pictures;
import dev.unetgan.gan.app.RunFolder;
import dev.unetgan.gan.app.Sampler;
import dev.unetgan.gan.app.TrainConfig;
import dev.unetgan.gan.app.TrainingCheckpoint;
import dev.unetgan.tensor.Generator;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Scope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code unetgan sample}: a PNG grid from a checkpoint's EMA G, with fixed seeds, optionally one row per class. */
@Command(name = "sample", mixinStandardHelpOptions = true,
        description = "Write a PNG grid of images from a checkpoint's EMA G (after standing statistics).")
final class SampleCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, description = "A run folder (its checkpoints/latest.safetensors) or a checkpoint file.")
    Path checkpoint;

    @Option(names = "--out", defaultValue = "samples.png", description = "The PNG to write (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "-n", defaultValue = "64", description = "Number of images; with --per-class, per class (default: ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--per-class", description = "One row per class, in class order (class-conditional G only).")
    boolean perClass;

    @Option(names = "--seed", defaultValue = "" + Sampler.FIXED_Z_SEED, description = "Seed of z and the classes (default: the training grids' seed).")
    long seed;

    @Option(names = "--cols", defaultValue = "8", description = "Images per row without --per-class (default: ${DEFAULT-VALUE}).")
    int cols;

    @Option(names = "--standing-passes", description = "Standing-statistics passes (default: the run's).")
    Integer standingPasses;

    @Override
    public Integer call() throws Exception {
        if (n < 1 || cols < 1) {
            throw new IllegalArgumentException("-n and --cols must be positive, got " + n + " and " + cols);
        }
        try (TrainingCheckpoint.Loaded loaded = TrainingCheckpoint.read(RunFolder.checkpointIn(checkpoint))) {
            TrainConfig c = loaded.config();
            if (perClass && c.classes() == 0) {
                throw new IllegalArgumentException("--per-class needs a class-conditional G; " + checkpoint
                        + " was trained unconditionally");
            }
            try (Sampler sampler = Sampler.of(loaded, standingPasses != null ? standingPasses : c.standingPasses());
                 Scope scope = Scope.open()) {
                Generator rng = new Generator(seed);
                NDArray images = perClass ? sampler.generate(rng, c.classes() * n, sampler.classRows(n))
                        : sampler.generate(rng, n);
                Pictures.writePng(Pictures.grid(images, perClass ? n : cols, 2), out);
            }
            System.out.printf("wrote %s: %s from the EMA G of %s (iteration %d)%n", out,
                    perClass ? n + " per class, one row per class" : n + " images", loaded.file(),
                    loaded.progress().iteration());
        }
        return 0;
    }
}
