package dev.unetgan.gan.cli;

import dev.unetgan.gan.app.Json;
import dev.unetgan.gan.app.RunFolder;
import dev.unetgan.gan.app.Sampler;
import dev.unetgan.gan.app.TrainConfig;
import dev.unetgan.gan.app.TrainingCheckpoint;
import dev.unetgan.gan.app.eval.ClassifierCache;
import dev.unetgan.gan.app.eval.ClassifierMetrics;
import dev.unetgan.nn.data.FashionMnist;
import dev.unetgan.nn.data.IdxDataset;
import dev.unetgan.tensor.Device;
import dev.unetgan.tensor.Generator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code unetgan evaluate}: the classifier metrics of a checkpoint's EMA G ({@link ClassifierMetrics}: Fréchet
 * Classifier Distance, classifier score, precision and recall on the Fashion-MNIST classifier's features; not FID).
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = {"Score a checkpoint's EMA G against the Fashion-MNIST test set on the features of the project's"
                + " Fashion-MNIST classifier: Fréchet Classifier Distance (FID's formula, not FID), classifier score"
                + " (Inception Score's formula), precision and recall (k = 3)."})
final class EvaluateCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, description = "A run folder (its checkpoints/latest.safetensors) or a checkpoint file.")
    Path checkpoint;

    @Option(names = "--samples", defaultValue = "5000", description = "Generated and real images compared (default: ${DEFAULT-VALUE}; at most 10000).")
    int samples;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the generated images (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--classifier", description = "The cached classifier (default: ~/.cache/unetgan/fashion-classifier.safetensors; trained once if missing).")
    Path classifier;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        try (TrainingCheckpoint.Loaded loaded = TrainingCheckpoint.read(RunFolder.checkpointIn(checkpoint))) {
            TrainConfig c = loaded.config();
            if (c.res() != 32 || c.channels() != 1) {
                throw new IllegalArgumentException("the classifier metrics compare with Fashion-MNIST and need a"
                        + " 1-channel 32x32 G; " + checkpoint + " makes " + c.channels() + "x" + c.res() + "x" + c.res());
            }
            IdxDataset test = FashionMnist.test(true);
            if (samples < ClassifierMetrics.K + 2 || samples > test.size()) {
                throw new IllegalArgumentException("--samples must be between " + (ClassifierMetrics.K + 2) + " and "
                        + test.size() + ", got " + samples);
            }
            Device device = c.resolveDevice();
            Path file = classifier != null ? classifier : ClassifierCache.defaultFile();
            try (Sampler sampler = Sampler.of(loaded, c.standingPasses());
                 ClassifierMetrics metrics = new ClassifierMetrics(ClassifierCache.load(file, device, System.err), test,
                         samples, device)) {
                Generator rng = new Generator(seed);
                ClassifierMetrics.Scores s = metrics.score(samples, (start, count) -> sampler.generate(rng, count));
                if (json) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("checkpoint", loaded.file().toString());
                    m.put("iteration", loaded.progress().iteration());
                    m.put("samples", s.samples());
                    m.put("fcd", s.fcd());
                    m.put("classifier_score", s.classifierScore());
                    m.put("precision", s.precision());
                    m.put("recall", s.recall());
                    System.out.println(Json.write(m, false));
                } else {
                    System.out.printf("%s (iteration %d), %d samples vs %d test images:%n", loaded.file(),
                            loaded.progress().iteration(), s.samples(), s.samples());
                    System.out.printf("  Fréchet Classifier Distance (not FID): %.4f%n", s.fcd());
                    System.out.printf("  classifier score (Inception Score's formula; max 10): %.4f%n", s.classifierScore());
                    System.out.printf("  precision %.4f, recall %.4f (k = %d)%n", s.precision(), s.recall(),
                            ClassifierMetrics.K);
                }
            }
        }
        return 0;
    }
}
