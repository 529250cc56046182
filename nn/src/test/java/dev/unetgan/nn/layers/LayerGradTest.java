package dev.unetgan.nn.layers;

import dev.unetgan.autograd.Tensor;
import dev.unetgan.nn.Layer;
import dev.unetgan.nn.Sequential;
import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.Device;
import dev.unetgan.tensor.Generator;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Shape;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static dev.unetgan.nn.NnTesting.checkModule;

/**
 * Module-level gradient checks in F64 for every layer: the gradient with respect to the input and to each of the
 * layer's own parameters (as registered, i.e. what an optimizer updates), against central differences.
 */
class LayerGradTest {
    private static final Generator GEN = new Generator(21);

    private static NDArray random(long seed, int... dims) {
        return NDArray.of(new SplittableRandom(seed).doubles(Shape.of(dims).size(), -1, 1).toArray(), dims);
    }

    /** Values at least 0.05 apart, so that max pooling has no ties and relu no kinks. */
    private static NDArray distinct(long seed, int... dims) {
        int n = Shape.of(dims).sizeAsInt();
        java.util.List<Double> grid = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) grid.add((i - n / 2.0) * 0.05 + 0.013);
        java.util.Collections.shuffle(grid, new java.util.Random(seed));
        return NDArray.of(grid.stream().mapToDouble(Double::doubleValue).toArray(), dims);
    }

    private static void check(String name, Layer layer, NDArray x) {
        try (layer) {
            checkModule(name, layer, layer::forward, x);
        }
    }

    @Test
    void linear() {
        check("Linear", Linear.builder(4, 3).dtype(DType.F64).build(GEN), random(1, 2, 4));
        check("Linear no bias", Linear.builder(4, 3).bias(false).dtype(DType.F64).build(GEN), random(2, 1, 2, 4));
    }

    @Test
    void conv2d() {
        check("Conv2d s2 p1", Conv2d.builder(2, 3, 3).stride(2).padding(1).dtype(DType.F64).build(GEN), random(3, 2, 2, 5, 5));
        check("Conv2d dilated", Conv2d.builder(2, 2, 2).kernel(2, 3).dilation(2).padding(1, 2).bias(false)
                .dtype(DType.F64).build(GEN), random(4, 1, 2, 4, 5));
    }

    @Test
    void batchNorm2dTrainAndEval() {
        BatchNorm2d train = BatchNorm2d.builder(3).dtype(DType.F64).build();
        Tensor g = train.weight();
        dev.unetgan.tensor.Ops.copyInto(random(5, 3), g.value());
        check("BatchNorm2d train", train, random(6, 2, 3, 2, 2));
        BatchNorm2d eval = BatchNorm2d.builder(3).dtype(DType.F64).build();
        dev.unetgan.tensor.Ops.copyInto(random(7, 3), eval.runningMean());
        eval.eval();
        check("BatchNorm2d eval", eval, random(8, 2, 3, 2, 2));
        check("BatchNorm2d no affine", BatchNorm2d.builder(2).affine(false).dtype(DType.F64).build(), random(9, 3, 2, 1, 2));
    }

    @Test
    void embedding() {
        try (Embedding e = new Embedding(5, 3, DType.F64, Device.CPU, GEN)) {
            NDArray idx = NDArray.of(new int[]{4, 1, 4, 0}, Shape.of(4), Device.CPU);
            // the input here is a dense weight mixed in, since indices themselves have no gradient
            checkModule("Embedding", e, x -> e.forward(idx).mul(x), random(10, 4, 3));
        }
    }

    @Test
    void parameterFreeLayers() {
        check("ReLU", new ReLU(), distinct(11, 2, 7));
        check("LeakyReLU", new LeakyReLU(0.2), distinct(12, 2, 7));
        check("Tanh", new Tanh(), random(13, 2, 7));
        check("Sigmoid", new Sigmoid(), random(14, 2, 7));
        check("Flatten", new Flatten(), random(15, 2, 2, 3));
        check("AvgPool2d", new AvgPool2d(3, 2, 1), random(16, 1, 2, 5, 5));
        check("MaxPool2d", new MaxPool2d(2), distinct(17, 1, 2, 4, 4));
        check("Upsample", new Upsample(3), random(18, 1, 2, 2, 2));
    }

    @Test
    void sequentialStack() {
        check("Sequential", new Sequential(
                Conv2d.builder(2, 3, 3).padding(1).dtype(DType.F64).build(GEN),
                BatchNorm2d.builder(3).dtype(DType.F64).build(),
                new Tanh(), new AvgPool2d(2), new Flatten(),
                Linear.builder(12, 2).dtype(DType.F64).build(GEN)), random(19, 2, 2, 4, 4));
    }

    /** The module check is not vacuous: a layer whose parameter is cut off from the graph fails it. */
    @Test
    void moduleCheckDetectsAMissingParameterGradient() {
        final class Detached extends Layer {
            final Tensor w = registerParameter("w", NDArray.of(new double[]{0.7, -0.4}, 2));

            @Override
            public Tensor forward(Tensor x) {
                return x.mul(w.detach());
            }
        }
        org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                () -> check("Detached", new Detached(), random(20, 3, 2)));
    }
}
