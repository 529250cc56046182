package dev.unetgan.gan.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompareCommandTest {
    @TempDir
    Path tmp;

    private Path run(String name, String dArch, String... evalRows) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Files.writeString(dir.resolve("config.json"), "{\"d-arch\": \"" + dArch + "\", \"cutmix\": \"off\", \"seed\": 0,"
                + " \"iterations\": 300}");
        Files.writeString(dir.resolve("eval.csv"), "iteration,fcd,classifier_score,precision,recall\n"
                + String.join("\n", evalRows) + "\n");
        return dir;
    }

    @Test
    void tablesAndPlotsOneMetricOfSeveralRuns() throws IOException {
        Path a = run("unet", "unet", "100,900.25,2.5,0.8,0.0", "200,450.04,4.0,0.7,0.01", "300,500,4.5,0.6,0.02");
        // The second run was evaluated at other iterations too: its cells at 100 and 300 stay empty.
        Path b = run("biggan", "biggan", "200,610.5,3.25,0.75,0.0", "250,700,3.0,0.7,0.0");
        Path png = tmp.resolve("fcd.png");
        TrainRun.Outcome o = TrainRun.run(List.of("compare", a.toString(), b.toString(), "--out", png.toString()));
        assertEquals(0, o.exitCode(), o.err());
        assertEquals(List.of(
                "- unet: D unet, CutMix off, seed 0, 300 iterations",
                "- biggan: D biggan, CutMix off, seed 0, 300 iterations",
                "",
                "| iteration | unet | biggan |",
                "|---|---|---|",
                "| 100 | 900.3 |  |",
                "| 200 | 450.0 | 610.5 |",
                "| 250 |  | 700.0 |",
                "| 300 | 500.0 |  |",
                "| best | 450.0 | 610.5 |"), o.out().lines().limit(10).toList());
        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image);
        assertEquals(800, image.getWidth());

        // For the other metrics higher is better.
        o = TrainRun.run(List.of("compare", a.toString(), b.toString(), "--metric", "classifier_score", "--out",
                tmp.resolve("is.png").toString()));
        assertTrue(o.out().contains("| best | 4.500 | 3.250 |"), o.out());
    }

    @Test
    void aRunWithoutTheMetricOrAnUnknownColumnIsAClearError() throws IOException {
        Path a = run("unet", "unet", "100,900,2.5,0.8,0.0");
        Path empty = Files.createDirectories(tmp.resolve("folder-run"));
        TrainRun.Outcome o = TrainRun.run(List.of("compare", a.toString(), empty.toString()));
        assertEquals(Main.BAD_INPUT, o.exitCode());
        assertTrue(o.err().contains("folder-run has no eval.csv"), o.err());
        o = TrainRun.run(List.of("compare", a.toString(), "--metric", "fid"));
        assertEquals(Main.BAD_INPUT, o.exitCode());
        assertTrue(o.err().contains("no column 'fid'") && o.err().contains("fcd"), o.err());
    }
}
