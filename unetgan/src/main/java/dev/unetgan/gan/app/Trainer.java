package dev.unetgan.gan.app;

import dev.unetgan.gan.app.eval.ClassifierMetrics;
import dev.unetgan.gan.train.GanStep;
import dev.unetgan.nn.data.DataLoader;
import dev.unetgan.nn.data.Dataset;
import dev.unetgan.tensor.Device;
import dev.unetgan.tensor.Generator;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Scope;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The training loop of {@code unetgan train}: {@link GanStep} iterations over a seeded {@link DataLoader}, with
 * everything a run writes to its folder ({@link RunFolder}): metrics every {@code log-every} iterations, sample grids
 * and decision maps every {@code sample-every}, the classifier metric every {@code eval-every} (with
 * {@code best.safetensors}), and {@code latest.safetensors} every {@code checkpoint-every} and at the end.
 *
 * <p>Reliability. A NaN or infinite loss throws {@link DivergedException} naming the term and the iteration before
 * anything of that iteration is saved, so the last checkpoint stays the last good one. SIGINT or SIGTERM (through a
 * shutdown hook) asks the loop to stop after the current iteration; it writes {@code latest} and returns
 * {@link Status#INTERRUPTED}, and the hook waits for that. A resumed run restores the models, both Adam states, the
 * step RNG and the loader position, so on the CPU it continues bit for bit; the probes, samples and metrics use
 * their own generators and copies of the models, so they never change the run.
 */
public final class Trainer {
    /** The step RNG's seed is derived from the run's seed, apart from the init's. */
    private static final long STEP_SEED_SALT = 0x7E57A11L;
    private static final long PROBE_SEED_SALT = 0x9B0BEL;
    private static final long SIGNAL_WAIT_SECONDS = 600;

    /** How a run ended. */
    public enum Status { FINISHED, INTERRUPTED }

    /** The outcome: how it ended, the iterations done, and the best metric (NaN when none was computed). */
    public record Result(Status status, long iterations, double bestMetric) {
    }

    /** A loss became NaN or infinite. */
    public static final class DivergedException extends RuntimeException {
        DivergedException(String message) {
            super(message);
        }
    }

    private final TrainConfig config;
    private final Dataset data;
    private final RunFolder run;
    private final PrintStream log;
    private final Supplier<ClassifierMetrics> metrics;
    private volatile boolean stopRequested;
    private final CountDownLatch finished = new CountDownLatch(1);

    /**
     * @param metrics makes the classifier metric when the first evaluation needs it (null: no metric)
     */
    public Trainer(TrainConfig config, Dataset data, RunFolder run, PrintStream log, Supplier<ClassifierMetrics> metrics) {
        this.config = config;
        this.data = data;
        this.run = run;
        this.log = log;
        this.metrics = metrics;
    }

    /** Asks the loop to stop after the current iteration and write a checkpoint (the signal handler calls it). */
    public void requestStop() {
        stopRequested = true;
    }

    /**
     * Trains from scratch, or from {@code resume} (a checkpoint of this run, whose configuration the caller has
     * checked), until {@code config.iterations()} or a stop request.
     *
     * @throws DivergedException on a NaN or infinite loss
     */
    public Result run(TrainingCheckpoint.Loaded resume) throws IOException {
        Thread hook = new Thread(this::stopAndWait, "unetgan-train-signal");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return loop(resume);
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // The hook is running: it returns now that the latch is open.
            }
        }
    }

    private void stopAndWait() {
        requestStop();
        try {
            finished.await(SIGNAL_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Result loop(TrainingCheckpoint.Loaded resume) throws IOException {
        long began = System.nanoTime();
        Device device = config.resolveDevice();
        Files.writeString(run.config(), config.toJson() + "\n", StandardCharsets.UTF_8);
        long start = resume == null ? 0 : resume.progress().iteration();
        double best = resume == null ? Double.NaN : resume.progress().bestMetric();
        Generator rng = resume == null ? new Generator(config.seed() ^ STEP_SEED_SALT)
                : new Generator(resume.progress().rngSeed(), resume.progress().rngOffset());
        boolean conditional = config.classes() > 0;
        boolean evaluating = metrics != null && config.evalEvery() > 0;
        try (GanModels models = GanModels.build(config, device, resume == null ? new Generator(config.seed()) : null);
             GanStep step = new GanStep(models.g(), models.d(), models.gEma(), config.stepSettings(), rng);
             DataLoader loader = DataLoader.builder(data, config.batch()).shuffle(true).dropLast(true)
                     .seed(config.seed()).device(device).build();
             Sampler sampler = new Sampler(config.model(device), config.standingPasses(), config.batch());
             CsvLog metricsCsv = CsvLog.open(run.metrics(), Probe.COLUMNS, start);
             // A run without the metric writes no eval.csv (a null resource is skipped at close).
             CsvLog evalCsv = evaluating ? CsvLog.open(run.eval(), EVAL_COLUMNS, start) : null;
             Progress progress = Progress.start("train", start, config.iterations(), log)) {
            if (resume != null) {
                resume.restore(models, step);
                loader.seek(resume.progress().position());
                progress.note("resumed " + run.root() + " at iteration " + start + " of " + config.iterations());
            }
            ClassifierMetrics metric = null;
            long intervalStart = System.nanoTime();
            long done = start;
            while (done < config.iterations()) {
                GanStep.Losses losses;
                try (Scope scope = Scope.open()) {
                    DataLoader.Batch batch = loader.next();
                    double p = cutmixProbability(batch.position().epoch());
                    NDArray y = conditional ? batch.labels() : null;
                    losses = step.step(batch.images(), y, done, p);
                    checkFinite(losses, done + 1);
                    done++;
                    if (done % config.logEvery() == 0 || done == config.iterations()) {
                        double seconds = (System.nanoTime() - intervalStart) / 1e9;
                        long its = (done - start) % config.logEvery() == 0 ? config.logEvery()
                                : (done - start) % config.logEvery();
                        Probe.Accuracy acc = Probe.accuracy(models, batch.images(), y, new Generator(
                                config.seed() ^ PROBE_SEED_SALT, done << 24));
                        metricsCsv.row(Probe.row(done, batch.position().epoch(), losses, acc, p, its / seconds));
                        progress.report(String.format(Locale.ROOT, "it %d/%d  D %.4f  G %.4f  acc real %.2f fake"
                                        + " %.2f  %.2f it/s", done, config.iterations(), losses.dTotal(),
                                losses.gTotal(), acc.real(), acc.fake(), its / seconds));
                        intervalStart = System.nanoTime();
                        bestEffort(progress, "plots", () -> {
                            Plots.lines(run.metrics(), List.of("d_total", "g_total", "d_real", "d_fake"), "Losses",
                                    "loss", run.plot("losses"));
                            Plots.lines(run.metrics(), List.of("acc_real", "acc_fake", "acc_mixed_pixels"),
                                    "D accuracy (probe batch)", "accuracy", run.plot("accuracy"));
                        });
                    }
                }
                progress.stepTo(done);
                boolean last = done == config.iterations();
                if (stopRequested && !last) {
                    // The JVM is shutting down: the checkpoint first, nothing optional.
                    TrainingCheckpoint.save(run.latest(), config, models, step, progress(done, rng, loader, best));
                    progress.note("stopped at iteration " + done + "; checkpoint " + run.latest() + " written; continue"
                            + " with: unetgan train --resume " + run.root());
                    if (metric != null) {
                        metric.close();
                    }
                    return new Result(Status.INTERRUPTED, done, best);
                }
                boolean sampled = false;
                if (done % config.sampleEvery() == 0 || last) {
                    sampler.refresh(models.gEma());
                    sampled = true;
                    long iteration = done;
                    bestEffort(progress, "samples", () -> writeSamples(sampler, models, iteration));
                }
                if (evaluating && (done % config.evalEvery() == 0 || last)) {
                    if (!sampled) {
                        sampler.refresh(models.gEma());
                    }
                    if (metric == null) {
                        metric = metrics.get();
                    }
                    ClassifierMetrics.Scores s = evaluate(metric, sampler, config.evalSamples());
                    evalCsv.row(List.of(done, s.fcd(), s.classifierScore(), s.precision(), s.recall()));
                    bestEffort(progress, "plots", () -> Plots.lines(run.eval(), List.of("fcd"),
                            "Fréchet Classifier Distance (EMA G; not FID)", "FCD", run.plot("fcd")));
                    progress.note(String.format(Locale.ROOT, "it %d: FCD %.3f  classifier score %.3f  precision %.3f"
                            + "  recall %.3f", done, s.fcd(), s.classifierScore(), s.precision(), s.recall()));
                    if (Double.isNaN(best) || s.fcd() < best) {
                        best = s.fcd();
                        TrainingCheckpoint.save(run.best(), config, models, step, progress(done, rng, loader, best));
                    }
                }
                if (done % config.checkpointEvery() == 0 || last) {
                    TrainingCheckpoint.save(run.latest(), config, models, step, progress(done, rng, loader, best));
                }
            }
            if (metric != null) {
                metric.close();
            }
            long seconds = (System.nanoTime() - began) / 1_000_000_000L;
            progress.note(String.format(Locale.ROOT, "finished: iterations %d to %d in %dh %02dm %02ds; outputs in %s",
                    start + 1, done, seconds / 3600, seconds / 60 % 60, seconds % 60, run.root()));
            return new Result(Status.FINISHED, done, best);
        }
    }

    /** A figure, which is output and not state: a failure to draw it is reported and training goes on. */
    @FunctionalInterface
    private interface Output {
        void write() throws IOException;
    }

    private static void bestEffort(Progress progress, String what, Output output) {
        try {
            output.write();
        } catch (IOException | RuntimeException e) {
            progress.note("warning: could not write the " + what + ": " + e);
        }
    }

    private TrainingCheckpoint.Progress progress(long done, Generator rng, DataLoader loader, double best) {
        return new TrainingCheckpoint.Progress(done, rng.seed(), rng.offset(), loader.position(), best);
    }

    /** The columns of {@code eval.csv}. */
    static final List<String> EVAL_COLUMNS = List.of("iteration", "fcd", "classifier_score", "precision", "recall");

    /**
     * The full-batch regime's mixing probability {@code 0.5·min(1, epoch/warmup)} (UNETGAN.md §5); the other
     * regimes report 1 (always mixed) or 0.
     */
    double cutmixProbability(int epoch) {
        return switch (config.cutmix()) {
            case FULL_BATCH -> config.warmupEpochs() == 0 ? 0.5 : 0.5 * Math.min(1.0, (double) epoch / config.warmupEpochs());
            case EVERY_BATCH, CONSISTENCY_ONLY -> 1;
            case OFF -> 0;
        };
    }

    private static void checkFinite(GanStep.Losses l, long iteration) {
        double[] values = {l.dTotal(), l.dReal(), l.dFake(), l.mixDec(), l.mixEnc(), l.consistency(), l.gTotal()};
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                throw new DivergedException("loss " + Probe.COLUMNS.get(2 + i) + " is " + values[i] + " at iteration "
                        + iteration + "; training stopped. The last checkpoint written before it is kept; resume"
                        + " from it with lower learning rates (--resume DIR --d-lr ... --g-lr ...) or another --seed");
            }
        }
    }

    private void writeSamples(Sampler sampler, GanModels models, long done) throws IOException {
        try (Scope scope = Scope.open()) {
            boolean perClass = config.classes() > 0;
            int n = perClass ? config.classes() * 8 : 64;
            Generator fixed = new Generator(Sampler.FIXED_Z_SEED);
            NDArray images = perClass ? sampler.generate(fixed, n, sampler.classRows(8)) : sampler.generate(fixed, n);
            Pictures.writePng(Pictures.grid(images, 8, 2), run.samples(done));
            if (config.dArch() == TrainConfig.DiscriminatorKind.UNET) {
                Pictures.writePng(Probe.decisionMaps(models, sampler, data, config.classes() > 0), run.decisionMaps(done));
            }
        }
    }

    private static ClassifierMetrics.Scores evaluate(ClassifierMetrics metric, Sampler sampler, int n) {
        Generator rng = new Generator(Sampler.FIXED_Z_SEED + 1);
        return metric.score(n, (start, count) -> sampler.generate(rng, count));
    }
}
