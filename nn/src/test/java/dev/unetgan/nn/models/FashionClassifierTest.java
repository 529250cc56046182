package dev.unetgan.nn.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.unetgan.autograd.NoGrad;
import dev.unetgan.autograd.Tensor;
import dev.unetgan.nn.data.Dataset;
import dev.unetgan.nn.data.FashionMnist;
import dev.unetgan.nn.io.Checkpoints;
import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.Generator;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Scope;
import dev.unetgan.tensor.Shape;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proof that the engine learns, on a subset so that it stays fast: 3000 training images, 2 epochs, scored on
 * 1000 test images (chance is 10%). The full run is {@code unetgan classify}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FashionClassifierTest {
    private static final int TRAIN = 3000;
    private static final int TEST = 1000;

    private Dataset test;
    private FashionClassifierTrainer.Result result;
    private final List<String> log = new ArrayList<>();

    @BeforeAll
    void train() {
        assumeTrue(Files.isRegularFile(Path.of(FashionMnist.DEFAULT_DIR, "train-images-idx3-ubyte.gz")),
                "dataset-fashion-mnist is not installed");
        test = FashionMnist.test().subset(0, TEST);
        FashionClassifierTrainer.Config config = FashionClassifierTrainer.Config.defaults().withEpochs(2).withSeed(7);
        result = new FashionClassifierTrainer(config).train(FashionMnist.train().subset(0, TRAIN), test, log::add);
        log.forEach(System.out::println);
    }

    @AfterAll
    void close() {
        if (result != null) {
            result.model().close();
        }
    }

    @Test
    void learnsWellAboveChance() {
        assertEquals(2, result.epochs().size());
        assertEquals(2, log.size());
        assertTrue(log.getFirst().startsWith("epoch 1/2  loss "), log.getFirst());
        FashionClassifierTrainer.EpochStats first = result.epochs().getFirst();
        FashionClassifierTrainer.EpochStats last = result.epochs().getLast();
        // Untrained, the loss is about ln 10 = 2.30; learning must bring the second epoch's mean well below that.
        assertTrue(first.loss() < 2.0 && last.loss() < first.loss(), "losses " + result.epochs());
        assertTrue(last.trainAccuracy() > 0.7, "train accuracy " + last.trainAccuracy());
        assertTrue(result.testAccuracy() > 0.75, "test accuracy " + result.testAccuracy());
        assertFalse(result.model().isTraining(), "the trained model is returned in eval mode");
        // Re-evaluating gives the reported number: evaluation reads the running statistics, not batch statistics.
        assertEquals(result.testAccuracy(), FashionClassifierTrainer.accuracy(result.model(), test,
                result.model().parameters().getFirst().device()), 0.0);
    }

    @Test
    void checkpointRoundTripGivesIdenticalLogits(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("fashion-classifier.safetensors");
        Checkpoints.save(file, result.model(), Map.of("test_accuracy", Double.toString(result.testAccuracy())));
        try (FashionClassifier loaded = new FashionClassifier(new Generator(12345));
             Scope scope = Scope.open(); NoGrad ignored = NoGrad.enter()) {
            loaded.eval();
            NDArray x = images(FashionMnist.test(), 0, 64, 28);
            float[] expected = result.model().logits(Tensor.of(x)).value().toFloatArray();
            assertFalse(Arrays.equals(expected, loaded.logits(Tensor.of(x)).value().toFloatArray()),
                    "a differently seeded model must differ before loading");
            Map<String, String> meta = Checkpoints.load(file, loaded);
            assertEquals(Double.toString(result.testAccuracy()), meta.get("test_accuracy"));
            assertArrayEquals(expected, loaded.logits(Tensor.of(x)).value().toFloatArray());
            assertArrayEquals(result.model().features(Tensor.of(x)).value().toFloatArray(),
                    loaded.features(Tensor.of(x)).value().toFloatArray());
        }
    }

    @Test
    void paddedImagesGiveTheSameFeatures() {
        try (Scope scope = Scope.open(); NoGrad ignored = NoGrad.enter()) {
            FashionClassifier model = result.model();
            Tensor plain = model.features(Tensor.of(images(FashionMnist.test(), 100, 5, 28)));
            Tensor padded = model.features(Tensor.of(images(FashionMnist.test(true), 100, 5, 32)));
            assertEquals(Shape.of(5, FashionClassifier.FEATURES), plain.shape());
            assertArrayEquals(plain.value().toFloatArray(), padded.value().toFloatArray());
            float[] f = plain.value().toFloatArray();
            float max = 0;
            for (float v : f) {
                assertTrue(v >= 0, "features come after a ReLU");
                max = Math.max(max, v);
            }
            assertTrue(max > 0, "features are not all zero");
        }
    }

    @Test
    void rejectsOtherImageSizes() {
        try (Scope scope = Scope.open(); NoGrad ignored = NoGrad.enter()) {
            for (int[] dims : new int[][] {{2, 1, 30, 30}, {2, 3, 28, 28}, {2, 1, 28, 32}, {1, 28, 28}}) {
                Tensor x = Tensor.of(NDArray.zeros(Shape.of(dims), DType.F32, result.model().parameters().getFirst()
                        .device()));
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> result.model().logits(x));
                assertTrue(e.getMessage().contains(x.shape().toString()), e.getMessage());
            }
        }
    }

    /**
     * The seed fixes the init and the shuffle, and the CPU kernels add in a fixed order (no {@code reduceLanes(ADD)},
     * whose order changes between JIT tiers), so two runs give bit-identical weights.
     */
    @Test
    void sameSeedSameWeights() {
        FashionClassifierTrainer trainer = new FashionClassifierTrainer(FashionClassifierTrainer.Config.defaults()
                .withEpochs(1).withSeed(3));
        Dataset small = FashionMnist.train().subset(0, 300);
        Dataset tiny = test.subset(0, 100);
        try (FashionClassifier a = trainer.train(small, tiny, line -> { }).model();
             FashionClassifier b = trainer.train(small, tiny, line -> { }).model();
             FashionClassifier fresh = new FashionClassifier(new Generator(3))) {
            Map<String, NDArray> sa = a.stateDict();
            Map<String, NDArray> sb = b.stateDict();
            assertEquals(sa.keySet(), sb.keySet());
            sa.forEach((k, v) -> assertArrayEquals(v.toDoubleArray(), sb.get(k).toDoubleArray(), 0, k));
            double moved = maxAbsDiff(fresh.stateDict().get("fc.weight"), sa.get("fc.weight"));
            assertTrue(moved > 1e-3, "training moved fc.weight by only " + moved);
        }
    }

    private static double maxAbsDiff(NDArray x, NDArray y) {
        double[] a = x.toDoubleArray();
        double[] b = y.toDoubleArray();
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    @Test
    void learningRateFollowsAHalfCosine() {
        FashionClassifierTrainer t = new FashionClassifierTrainer(FashionClassifierTrainer.Config.defaults()
                .withLr(1e-3));
        assertEquals(1e-3, t.learningRate(0, 101), 1e-15);
        assertEquals((1e-3 + 5e-5) / 2, t.learningRate(50, 101), 1e-15);
        assertEquals(5e-5, t.learningRate(100, 101), 1e-15);
    }

    /** Images {@code [start, start + n)} of {@code data} as an {@code [n, 1, size, size]} array. */
    private static NDArray images(Dataset data, int start, int n, int size) {
        assertEquals(size, data.shape().height());
        float[] x = new float[n * size * size];
        for (int i = 0; i < n; i++) {
            data.read(start + i, 0, x, i * size * size);
        }
        return NDArray.of(x, n, 1, size, size);
    }
}
