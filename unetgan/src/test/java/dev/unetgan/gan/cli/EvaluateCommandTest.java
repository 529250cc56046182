package dev.unetgan.gan.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unetgan.gan.app.Json;
import dev.unetgan.gan.app.eval.ClassifierCache;
import dev.unetgan.nn.data.FashionMnist;
import dev.unetgan.nn.models.FashionClassifier;
import dev.unetgan.nn.models.FashionClassifierTrainer;
import dev.unetgan.tensor.Device;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code unetgan evaluate} on a tiny run, with a classifier trained once (on a small subset) and then cached. */
class EvaluateCommandTest {
    @TempDir
    Path tmp;

    @Test
    void classifierIsCachedAndEvaluateReportsTheFourMetrics() throws Exception {
        Path file = tmp.resolve("classifier.safetensors");
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        FashionClassifierTrainer.Config small = FashionClassifierTrainer.Config.defaults().withEpochs(1);
        float[] trained;
        try (FashionClassifier c = ClassifierCache.load(file, Device.CPU, quiet, small,
                FashionMnist.train(true).subset(0, 512), "test: 1 epoch on 512 images")) {
            trained = c.stateDict().get("fc.weight").toFloatArray();
        }
        // The second load reads the cache: same weights, no training (which would need the data argument).
        try (FashionClassifier c = ClassifierCache.load(file, Device.CPU, quiet, small, null, "unused")) {
            assertArrayEquals(trained, c.stateDict().get("fc.weight").toFloatArray());
        }

        Path run = tmp.resolve("run");
        Path data = TrainRun.folder(tmp.resolve("data"), 0, 8, true, 5);
        assertEquals(0, TrainRun.run(TrainRun.train(data, run, "--iterations", "1")).exitCode());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(out, true));
        TrainRun.Outcome o;
        try {
            o = TrainRun.run(List.of("evaluate", "--checkpoint", run.toString(), "--samples", "40", "--classifier",
                    file.toString(), "--json"));
        } finally {
            System.setOut(stdout);
        }
        assertEquals(0, o.exitCode(), o.err());
        Map<String, Object> m = Json.read(out.toString().strip());
        assertEquals(1L, m.get("iteration"));
        assertTrue((Double) m.get("fcd") > 0, m.toString());
        double score = (Double) m.get("classifier_score");
        assertTrue(score >= 1 && score <= FashionClassifier.CLASSES, m.toString());
        for (String k : List.of("precision", "recall")) {
            double v = (Double) m.get(k);
            assertTrue(v >= 0 && v <= 1, m.toString());
        }
    }
}
