package dev.unetgan.gan.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unetgan.gan.app.Json;
import dev.unetgan.gan.app.TrainingCheckpoint;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code unetgan train}, {@code sample} and {@code inspect} end to end on tiny runs (32x32, ch 2, batch 4, a few
 * iterations, a generated image folder with two classes): what a run writes, bit-exact resume, the NaN stop, and the
 * input errors that must come before training.
 */
class TrainCommandTest {
    @TempDir
    Path tmp;

    private Path data() throws IOException {
        return TrainRun.folder(tmp.resolve("data"), 2, 6, true, 1);
    }

    @Test
    void runWritesItsFilesAndResumingContinuesBitForBit() throws IOException {
        Path data = data();
        Path whole = tmp.resolve("whole");
        Path split = tmp.resolve("split");
        assertEquals(0, TrainRun.run(TrainRun.train(data, whole, "--iterations", "4", "--sample-every", "4")).exitCode());
        assertEquals(0, TrainRun.run(TrainRun.train(data, split, "--iterations", "2", "--sample-every", "4")).exitCode());
        TrainRun.Outcome resumed = TrainRun.run(List.of("train", "--resume", split.toString(), "--iterations", "4"));
        assertEquals(0, resumed.exitCode(), resumed.err());

        for (String f : List.of("config.json", "metrics.csv", "checkpoints/latest.safetensors",
                "samples/samples-0000004.png", "samples/decision-maps-0000004.png", "plots/losses.png")) {
            assertTrue(Files.isRegularFile(whole.resolve(f)), f);
        }
        // An image folder has no metric, so the run writes no (empty) eval.csv.
        assertFalse(Files.exists(whole.resolve("eval.csv")));
        // The folder has two class sub-folders: the conditional preset takes its class count from them.
        assertEquals(2L, Json.read(Files.readString(whole.resolve("config.json"))).get("classes"));
        // Every loss term, accuracy and the CutMix probability of the resumed iterations 3 and 4 equal the
        // uninterrupted run's (timing and memory columns differ by nature).
        assertEquals(deterministicColumns(whole), deterministicColumns(split));
        assertEquals(4, deterministicColumns(split).size() - 1);
        // So do the models, both Adam states, the RNG and loader state: the checkpoints are the same bytes.
        assertEquals(-1, Files.mismatch(whole.resolve("checkpoints/latest.safetensors"),
                split.resolve("checkpoints/latest.safetensors")));

        // sample: one row per class from the EMA G.
        Path png = tmp.resolve("grid.png");
        TrainRun.Outcome sample = TrainRun.run(List.of("sample", "--checkpoint", whole.toString(), "--out",
                png.toString(), "-n", "3", "--per-class", "--standing-passes", "2"));
        assertEquals(0, sample.exitCode(), sample.err());
        BufferedImage grid = ImageIO.read(png.toFile());
        assertTrue(grid.getHeight() < grid.getWidth(), "2 rows of 3: " + grid.getWidth() + "x" + grid.getHeight());

        // inspect of a checkpoint: its architecture and iteration as JSON.
        var inspect = new java.io.ByteArrayOutputStream();
        var stdout = System.out;
        System.setOut(new java.io.PrintStream(inspect, true));
        try {
            assertEquals(0, TrainRun.run(List.of("inspect", "--checkpoint", whole.toString(), "--json")).exitCode());
        } finally {
            System.setOut(stdout);
        }
        Map<String, Object> json = Json.read(inspect.toString().lines().filter(l -> l.startsWith("{")).findFirst()
                .orElseThrow());
        assertEquals(4L, json.get("iteration"));
        assertEquals(2L, ((Map<?, ?>) json.get("config")).get("ch"));
        assertTrue((Long) ((Map<?, ?>) json.get("G")).get("params") > 0, json.toString());
    }

    private static List<String> deterministicColumns(Path run) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.csv"))) {
            String[] cells = line.split(",", -1);
            out.add(String.join(",", List.of(cells).subList(0, 16)));
        }
        return out;
    }

    @Test
    void nanLossStopsNamingTermAndIterationAndKeepsTheLastGoodCheckpoint() throws IOException {
        Path run = tmp.resolve("run");
        assertEquals(0, TrainRun.run(TrainRun.train(data(), run, "--iterations", "2", "--checkpoint-every", "1"))
                .exitCode());
        byte[] good = Files.readAllBytes(run.resolve("checkpoints/latest.safetensors"));
        // Continuing with an absurd D learning rate blows D's logits up to infinity at once.
        TrainRun.Outcome o = TrainRun.run(List.of("train", "--resume", run.toString(), "--iterations", "50",
                "--checkpoint-every", "1", "--d-lr", "1e30"));
        assertEquals(Main.DIVERGED, o.exitCode(), o.err());
        var m = java.util.regex.Pattern.compile("loss (\\w+) is (NaN|-?Infinity) at iteration (\\d+)").matcher(o.err());
        assertTrue(m.find(), o.err());
        assertEquals(3, Long.parseLong(m.group(3)), o.err());
        // The checkpoint of iteration 2 is untouched and loads.
        assertArrayEquals(good, Files.readAllBytes(run.resolve("checkpoints/latest.safetensors")));
        try (TrainingCheckpoint.Loaded last = TrainingCheckpoint.read(run.resolve("checkpoints/latest.safetensors"))) {
            assertEquals(2, last.progress().iteration());
        }
    }

    @Test
    void badInputIsAnErrorBeforeTraining() throws IOException {
        Path data = data();
        Path mixed = TrainRun.folder(tmp.resolve("mixed"), 0, 2, true, 2);
        TrainRun.writeImage(mixed.resolve("colour.png"), false, new Random(3));
        assertBadInput(TrainRun.train(tmp.resolve("missing"), tmp.resolve("o1")), "is not a folder");
        assertBadInput(TrainRun.train(mixed, tmp.resolve("o2")), "mixed channel counts");
        assertBadInput(TrainRun.train(data, tmp.resolve("o3"), "--res", "48"), "power of two");
        assertBadInput(TrainRun.train(data, tmp.resolve("o4"), "--batch", "13"), "larger than the dataset");
        assertBadInput(TrainRun.train(data, tmp.resolve("o5"), "--preset", "imagenet512"), "unknown preset");

        Path run = tmp.resolve("run");
        assertEquals(0, TrainRun.run(TrainRun.train(data, run, "--iterations", "1")).exitCode());
        assertBadInput(List.of("train", "--resume", run.toString(), "--ch", "4"), "another architecture");
        assertBadInput(TrainRun.train(data, run, "--iterations", "1"), "--resume");
        // --channels says what to convert a mixed folder to, and then it trains.
        assertEquals(0, TrainRun.run(TrainRun.train(mixed, tmp.resolve("o6"), "--iterations", "1", "--batch", "3",
                "--channels", "1")).exitCode());
    }

    private void assertBadInput(List<String> args, String hint) {
        int i = args.indexOf("--out");
        Path metrics = i < 0 ? null : Path.of(args.get(i + 1)).resolve("metrics.csv");
        boolean existed = metrics != null && Files.exists(metrics);
        TrainRun.Outcome o = TrainRun.run(args);
        assertEquals(Main.BAD_INPUT, o.exitCode(), args + ": " + o.err());
        assertTrue(o.err().startsWith("error: ") && o.err().contains(hint), args + ": " + o.err());
        assertFalse(o.err().contains("\tat "), "no stack trace: " + o.err());
        if (metrics != null && !existed) {
            assertFalse(Files.exists(metrics), "nothing trained: " + args);
        }
    }
}
