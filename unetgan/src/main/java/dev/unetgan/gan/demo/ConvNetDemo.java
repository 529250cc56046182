package dev.unetgan.gan.demo;

import dev.unetgan.autograd.NoGrad;
import dev.unetgan.autograd.Tensor;
import dev.unetgan.tensor.Conv2dSpec;
import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.Device;
import dev.unetgan.tensor.Generator;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Ops;
import dev.unetgan.tensor.Pool2dSpec;
import dev.unetgan.tensor.Scope;
import dev.unetgan.tensor.Shape;
import dev.unetgan.tensor.UnaryOp;

import java.io.PrintStream;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A small end-to-end example of the engine: a two-layer convnet, written directly with autograd tensors, learns to
 * tell four kinds of noisy 16x16 line images apart (horizontal, vertical, diagonal, anti-diagonal, at random
 * positions), trained by SGD with momentum. It exercises conv2d, pooling, matmul, log-softmax and their gradients.
 */
public final class ConvNetDemo {
    static final int SIZE = 16;
    static final int CLASSES = 4;

    private final Device device;
    private final SplittableRandom random;
    private final Tensor conv1;
    private final Tensor bias1;
    private final Tensor conv2;
    private final Tensor bias2;
    private final Tensor linear;
    private final Tensor linearBias;
    private final List<Tensor> parameters;
    private final List<NDArray> velocities;

    /** Elapsed time and the accuracy on a fresh test set. */
    public record Result(double finalLoss, double testAccuracy, double seconds) {
    }

    public ConvNetDemo(Device device, long seed) {
        this.device = device;
        this.random = new SplittableRandom(seed);
        Generator init = new Generator(seed);
        conv1 = heNormal(init, 8, 1, 3, 3);
        bias1 = Tensor.parameter(NDArray.zeros(Shape.of(8), DType.F32, device));
        conv2 = heNormal(init, 16, 8, 3, 3);
        bias2 = Tensor.parameter(NDArray.zeros(Shape.of(16), DType.F32, device));
        linear = heNormal(init, 16 * 4 * 4, CLASSES);
        linearBias = Tensor.parameter(NDArray.zeros(Shape.of(1, CLASSES), DType.F32, device));
        parameters = List.of(conv1, bias1, conv2, bias2, linear, linearBias);
        velocities = parameters.stream().map(p -> NDArray.zeros(p.shape(), DType.F32, device)).toList();
    }

    private Tensor heNormal(Generator g, int... dims) {
        Shape s = Shape.of(dims);
        int fanIn = dims.length == 4 ? dims[1] * dims[2] * dims[3] : dims[0];
        return Tensor.parameter(g.normal(s, DType.F32, device, 0, Math.sqrt(2.0 / fanIn)));
    }

    /** Logits {@code [B, 4]} for images {@code [B, 1, 16, 16]}. */
    Tensor forward(Tensor x) {
        Conv2dSpec same = Conv2dSpec.of(1, 1, 1);
        Tensor h = x.conv2d(conv1, bias1, same).relu().maxPool2d(Pool2dSpec.of(2));
        h = h.conv2d(conv2, bias2, same).relu().avgPool2d(Pool2dSpec.of(2));
        return h.reshape(x.dim(0), -1).matmul(linear).add(linearBias);
    }

    /** Trains for {@code steps} SGD steps, printing the loss every 50, and evaluates on 512 fresh images. */
    public Result train(int steps, int batch, PrintStream log) {
        long start = System.nanoTime();
        double lr = 0.05, momentum = 0.9;
        double loss = Double.NaN;
        for (int step = 1; step <= steps; step++) {
            try (Scope scope = Scope.open()) {
                Batch b = sample(batch);
                Tensor logp = forward(Tensor.of(b.images)).logSoftmax(1);
                Tensor l = logp.mul(Tensor.of(b.oneHot)).sum().mul(-1.0 / batch);
                parameters.forEach(Tensor::zeroGrad);
                l.backward();
                loss = l.item();
                for (int i = 0; i < parameters.size(); i++) {
                    NDArray p = parameters.get(i).value(), v = velocities.get(i);
                    Ops.copyInto(Ops.add(Ops.unary(UnaryOp.MUL_SCALAR, momentum, v), parameters.get(i).grad()), v);
                    Ops.copyInto(Ops.sub(p, Ops.unary(UnaryOp.MUL_SCALAR, lr, v)), p);
                }
            }
            if (step % 50 == 0 || step == 1) {
                log.printf("step %4d  loss %.4f%n", step, loss);
            }
        }
        return new Result(loss, accuracy(512), (System.nanoTime() - start) / 1e9);
    }

    /** Fraction of {@code n} fresh images classified correctly. */
    double accuracy(int n) {
        try (Scope scope = Scope.open(); NoGrad ignored = NoGrad.enter()) {
            Batch b = sample(n);
            int[] predicted = Ops.argmax(forward(Tensor.of(b.images)).value(), 1).toIntArray();
            int correct = 0;
            for (int i = 0; i < n; i++) {
                correct += predicted[i] == b.labels[i] ? 1 : 0;
            }
            return correct / (double) n;
        }
    }

    private record Batch(NDArray images, NDArray oneHot, int[] labels) {
    }

    /** Noisy line images: class 0 horizontal, 1 vertical, 2 diagonal, 3 anti-diagonal, at a random offset. */
    private Batch sample(int n) {
        float[] img = new float[n * SIZE * SIZE];
        float[] hot = new float[n * CLASSES];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int c = random.nextInt(CLASSES);
            int offset = random.nextInt(2, SIZE - 2);
            labels[i] = c;
            hot[i * CLASSES + c] = 1;
            for (int y = 0; y < SIZE; y++) {
                for (int x = 0; x < SIZE; x++) {
                    boolean on = switch (c) {
                        case 0 -> y == offset;
                        case 1 -> x == offset;
                        case 2 -> Math.floorMod(x - y, SIZE) == offset;
                        default -> Math.floorMod(x + y, SIZE) == offset;
                    };
                    img[(i * SIZE + y) * SIZE + x] = (on ? 1f : -1f) + (float) (0.4 * random.nextGaussian());
                }
            }
        }
        return new Batch(NDArray.of(img, Shape.of(n, 1, SIZE, SIZE), device),
                NDArray.of(hot, Shape.of(n, CLASSES), device), labels);
    }
}
