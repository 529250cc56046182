package dev.unetgan.gan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.unetgan.gan.app.TrainingCheckpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ctrl-C on a real {@code unetgan train} process: it writes a checkpoint of the iteration it reached, then exits. */
class SignalTest {
    @TempDir
    Path tmp;

    @Test
    void sigintWritesACheckpointThenExits() throws Exception {
        assumeFalse(sigintIgnored(), "this process ignores SIGINT (a background job of a non-interactive shell),"
                + " and so would the training process it starts: the JVM then installs no handler, as Ctrl-C cannot"
                + " reach such a job anyway");
        Path data = TrainRun.folder(tmp.resolve("data"), 0, 8, true, 4);
        Path run = tmp.resolve("run");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        // No checkpoint interval is reached: whatever is on disk afterwards was written by the signal.
        cmd.addAll(TrainRun.train(data, run, "--iterations", "100000", "--checkpoint-every", "100000"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("log").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (rows(run) < 2 && System.nanoTime() < deadline && p.isAlive()) {
                Thread.sleep(100);
            }
            assertTrue(rows(run) >= 2, "training did not start: " + Files.readString(tmp.resolve("log")));
            assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "still running after SIGINT");
        } finally {
            p.destroyForcibly();
        }
        String log = Files.readString(tmp.resolve("log"));
        assertTrue(log.contains("stopped at iteration"), "exit " + p.exitValue() + ": " + log);
        try (TrainingCheckpoint.Loaded last = TrainingCheckpoint.read(run.resolve("checkpoints/latest.safetensors"))) {
            assertTrue(last.progress().iteration() >= 2, "iteration " + last.progress().iteration());
            assertTrue(last.progress().iteration() >= rows(run), "checkpoint after the last metrics row");
        }
    }

    /** Whether SIGINT (signal 2: bit 1 of {@code SigIgn} in {@code /proc/self/status}) is ignored here; children inherit that. */
    private static boolean sigintIgnored() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return false;
        }
        return Files.readAllLines(status).stream().filter(l -> l.startsWith("SigIgn:")).findFirst()
                .map(l -> (Long.parseLong(l.substring("SigIgn:".length()).trim(), 16) & 0b10) != 0).orElse(false);
    }

    private static long rows(Path run) throws IOException {
        Path csv = run.resolve("metrics.csv");
        return Files.exists(csv) ? Files.readAllLines(csv).size() - 1 : 0;
    }
}
