package dev.unetgan.gan.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The files of a run folder ({@code --out}): {@code config.json}, {@code metrics.csv}, {@code eval.csv},
 * {@code samples/samples-NNNNNNN.png} and {@code samples/decision-maps-NNNNNNN.png}, {@code plots/*.png}, and
 * {@code checkpoints/latest.safetensors} and {@code checkpoints/best.safetensors}.
 */
public record RunFolder(Path root) {
    public Path config() {
        return root.resolve("config.json");
    }

    public Path metrics() {
        return root.resolve("metrics.csv");
    }

    public Path eval() {
        return root.resolve("eval.csv");
    }

    public Path latest() {
        return root.resolve("checkpoints").resolve("latest.safetensors");
    }

    public Path best() {
        return root.resolve("checkpoints").resolve("best.safetensors");
    }

    public Path samples(long iteration) {
        return root.resolve("samples").resolve(String.format(Locale.ROOT, "samples-%07d.png", iteration));
    }

    public Path decisionMaps(long iteration) {
        return root.resolve("samples").resolve(String.format(Locale.ROOT, "decision-maps-%07d.png", iteration));
    }

    public Path plot(String name) {
        return root.resolve("plots").resolve(name + ".png");
    }

    /**
     * The checkpoint that {@code path} names: {@code checkpoints/latest.safetensors} of a run folder, or the file
     * itself.
     */
    public static Path checkpointIn(Path path) {
        return Files.isDirectory(path) ? new RunFolder(path).latest() : path;
    }

    /** Creates the folders. */
    public RunFolder create() throws IOException {
        for (Path p : new Path[]{root, latest().getParent(), samples(0).getParent(), plot("x").getParent()}) {
            Files.createDirectories(p);
        }
        return this;
    }
}
