package dev.unetgan.gan.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import picocli.CommandLine;

/** Helpers of the command tests: tiny image folders, and running a command in-process with its output captured. */
final class TrainRun {
    /** Options that make a training run tiny: ch 2, batch 4, a metrics row every iteration, no metric. */
    static final List<String> TINY = List.of("--ch", "2", "--batch", "4", "--log-every", "1", "--sample-every", "100",
            "--checkpoint-every", "100", "--eval-every", "0", "--standing-passes", "2", "--device", "cpu");

    record Outcome(int exitCode, String out, String err) {
    }

    private TrainRun() {
    }

    static Outcome run(List<String> args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args.toArray(String[]::new));
        return new Outcome(code, out.toString(), err.toString());
    }

    /** {@code train} on {@code data} into {@code out} with {@link #TINY}, where {@code more} (option, value pairs) wins. */
    static List<String> train(Path data, Path out, String... more) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < TINY.size(); i += 2) {
            options.put(TINY.get(i), TINY.get(i + 1));
        }
        for (int i = 0; i < more.length; i += 2) {
            options.put(more[i], more[i + 1]);
        }
        List<String> args = new ArrayList<>(List.of("train", "--data", data.toString(), "--out", out.toString()));
        options.forEach((k, v) -> args.addAll(List.of(k, v)));
        return args;
    }

    /**
     * A folder of {@code perClass} random 32x32 images in each of {@code classes} class sub-folders (none when
     * {@code classes} is 0), grey ({@code TYPE_BYTE_GRAY}) or colour.
     */
    static Path folder(Path root, int classes, int perClass, boolean grey, long seed) throws IOException {
        Random random = new Random(seed);
        for (int c = 0; c < Math.max(1, classes); c++) {
            Path dir = classes == 0 ? root : root.resolve("class" + c);
            Files.createDirectories(dir);
            for (int i = 0; i < perClass; i++) {
                writeImage(dir.resolve("img" + i + ".png"), grey, random);
            }
        }
        return root;
    }

    static void writeImage(Path file, boolean grey, Random random) throws IOException {
        BufferedImage img = new BufferedImage(32, 32, grey ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                int v = (Math.hypot(x - 16, y - 16) < 8 + random.nextInt(4) ? 200 : 30) + random.nextInt(20);
                img.setRGB(x, y, (v << 16) | (v << 8) | v);
            }
        }
        ImageIO.write(img, "png", file.toFile());
    }
}
