package dev.unetgan.gan.cli;

import dev.unetgan.nn.data.Dataset;
import dev.unetgan.nn.data.FashionMnist;
import dev.unetgan.nn.io.Checkpoints;
import dev.unetgan.nn.models.FashionClassifier;
import dev.unetgan.nn.models.FashionClassifierTrainer;
import dev.unetgan.tensor.Device;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * {@code unetgan classify}: trains the Fashion-MNIST classifier (the feature extractor of the GAN evaluation) and
 * saves it as a safetensors checkpoint.
 */
@Command(name = "classify", mixinStandardHelpOptions = true,
        description = "Train the Fashion-MNIST convnet classifier, report its test accuracy, and save it.")
final class ClassifyCommand implements Callable<Integer> {
    static final String FILE_NAME = "fashion-classifier.safetensors";

    @Option(names = "--epochs", defaultValue = "3", description = "Passes over the training set (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch", defaultValue = "64", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "2e-3", description = "Adam's initial learning rate, cosine-decayed (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the init and the shuffle (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--subset", description = "Train on only the first N training images (default: all 60000).")
    Integer subset;

    @Option(names = "--out", defaultValue = "runs/classifier", description = "Output folder of " + FILE_NAME
            + " (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws Exception {
        Dataset train = FashionMnist.train();
        if (subset != null) {
            train = train.subset(0, Math.min(subset, train.size()));
        }
        Dataset test = FashionMnist.test();
        Device device = Device.best();
        FashionClassifierTrainer.Config config = new FashionClassifierTrainer.Config(epochs, batch, lr, seed, device);
        System.out.printf("training on %d images, testing on %d: %s%n", train.size(), test.size(), config);
        FashionClassifierTrainer.Result r = new FashionClassifierTrainer(config).train(train, test, System.out::println);
        try (FashionClassifier model = r.model()) {
            Files.createDirectories(out);
            Path file = out.resolve(FILE_NAME);
            // Sorted for a stable header: Map.of's iteration order changes from one JVM to the next.
            Checkpoints.save(file, model, new TreeMap<>(Map.of(
                    "model", "FashionClassifier",
                    "test_accuracy", String.format(Locale.ROOT, "%.4f", r.testAccuracy()),
                    "epochs", Integer.toString(epochs),
                    "train_images", Integer.toString(train.size()),
                    "seed", Long.toString(seed))));
            System.out.printf("test accuracy %.2f%% on %d images after %d epochs in %.1f s; saved %s%n",
                    100 * r.testAccuracy(), test.size(), epochs, r.seconds(), file);
        }
        return 0;
    }
}
