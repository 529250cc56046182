package dev.unetgan.nn.models;

import dev.unetgan.autograd.Tensor;
import dev.unetgan.nn.F;
import dev.unetgan.nn.Module;
import dev.unetgan.nn.layers.BatchNorm2d;
import dev.unetgan.nn.layers.Conv2d;
import dev.unetgan.nn.layers.Linear;
import dev.unetgan.tensor.Device;
import dev.unetgan.tensor.Generator;
import dev.unetgan.tensor.Pool2dSpec;

/**
 * A small convnet for Fashion-MNIST, and the feature extractor of the Fréchet Classifier Distance used to evaluate
 * generated images.
 *
 * <h2>Input</h2>
 * Grayscale images {@code x [B, 1, 28, 28]} or {@code [B, 1, 32, 32]}, F32, with pixel values in {@code [-1, 1]}
 * (background -1, as {@link dev.unetgan.nn.data.FashionMnist} reads them). A 32x32 image is taken to be a 28x28
 * image padded by 2 pixels on each side ({@code FashionMnist.train(true)}, and the GAN's output size): its border is
 * cropped away, so both forms of one image give the same output. Any other size is rejected.
 *
 * <h2>Network</h2>
 * <pre>
 * conv3x3(1→32)  + BN + ReLU                    28x28
 * conv3x3(32→32) + BN + ReLU, maxpool 2         → 14x14
 * conv3x3(32→64) + BN + ReLU, maxpool 2         → 7x7
 * flatten, linear(3136→128) + ReLU              = features [B, 128]
 * linear(128→10)                                = logits   [B, 10]
 * </pre>
 * Convolutions carry no bias (the batch norm that follows has one). Batch norm makes the outputs depend on the mode:
 * call {@link #eval()} before using the classifier as a fixed feature extractor, so that each image's features do
 * not depend on the rest of its batch.
 *
 * <p>State-dict names: {@code conv1.weight}, {@code bn1.{weight,bias,running_mean,running_var,num_batches_tracked}},
 * likewise {@code conv2/bn2}, {@code conv3/bn3}, then {@code fc.{weight,bias}} and {@code out.{weight,bias}}.
 */
public final class FashionClassifier extends Module {
    /** The side of the images the convolutions see. */
    public static final int IMAGE_SIZE = 28;
    /** The side of the padded form, whose 2-pixel border is cropped. */
    public static final int PADDED_SIZE = 32;
    /** Length of the {@link #features} vector. */
    public static final int FEATURES = 128;
    /** Number of classes. */
    public static final int CLASSES = 10;

    private static final Pool2dSpec POOL = Pool2dSpec.of(2);
    private static final int C1 = 32;
    private static final int C2 = 32;
    private static final int C3 = 64;
    /** Spatial side after the two 2x poolings. */
    private static final int FINAL_SIZE = IMAGE_SIZE / 4;

    private final Conv2d conv1;
    private final BatchNorm2d bn1;
    private final Conv2d conv2;
    private final BatchNorm2d bn2;
    private final Conv2d conv3;
    private final BatchNorm2d bn3;
    private final Linear fc;
    private final Linear out;

    /** A freshly initialized classifier (PyTorch's default layer init, drawn from {@code gen}), F32 on the CPU. */
    public FashionClassifier(Generator gen) {
        this(Device.CPU, gen);
    }

    /** A freshly initialized classifier (PyTorch's default layer init, drawn from {@code gen}), F32 on {@code device}. */
    public FashionClassifier(Device device, Generator gen) {
        conv1 = registerModule("conv1", conv3x3(1, C1, device, gen));
        bn1 = registerModule("bn1", BatchNorm2d.builder(C1).device(device).build());
        conv2 = registerModule("conv2", conv3x3(C1, C2, device, gen));
        bn2 = registerModule("bn2", BatchNorm2d.builder(C2).device(device).build());
        conv3 = registerModule("conv3", conv3x3(C2, C3, device, gen));
        bn3 = registerModule("bn3", BatchNorm2d.builder(C3).device(device).build());
        fc = registerModule("fc", Linear.builder(C3 * FINAL_SIZE * FINAL_SIZE, FEATURES).device(device).build(gen));
        out = registerModule("out", Linear.builder(FEATURES, CLASSES).device(device).build(gen));
    }

    private static Conv2d conv3x3(int in, int outChannels, Device device, Generator gen) {
        return Conv2d.builder(in, outChannels, 3).padding(1).bias(false).device(device).build(gen);
    }

    /**
     * The penultimate activations, {@code x [B,1,28,28] or [B,1,32,32] -> [B, 128]} (non-negative: after ReLU). This
     * is the embedding the Fréchet Classifier Distance compares; use it in eval mode.
     */
    public Tensor features(Tensor x) {
        Tensor h = cropToImage(x);
        h = F.relu(bn1.forward(conv1.forward(h)));
        h = F.relu(bn2.forward(conv2.forward(h))).maxPool2d(POOL);
        h = F.relu(bn3.forward(conv3.forward(h))).maxPool2d(POOL);
        return F.relu(fc.forward(F.flatten(h)));
    }

    /** Class scores (before softmax), {@code x [B,1,28,28] or [B,1,32,32] -> [B, 10]}. */
    public Tensor logits(Tensor x) {
        return out.forward(features(x));
    }

    /** {@code x} itself if 28x28; the central 28x28 of a 32x32 image; otherwise an error naming the shape. */
    private static Tensor cropToImage(Tensor x) {
        if (x.rank() != 4 || x.dim(1) != 1 || x.dim(2) != x.dim(3)
                || (x.dim(2) != IMAGE_SIZE && x.dim(2) != PADDED_SIZE)) {
            throw new IllegalArgumentException("FashionClassifier: needs images [B,1,28,28] or [B,1,32,32], got "
                    + x.shape());
        }
        if (x.dim(2) == IMAGE_SIZE) {
            return x;
        }
        int border = (PADDED_SIZE - IMAGE_SIZE) / 2;
        return x.slice(2, border, border + IMAGE_SIZE).slice(3, border, border + IMAGE_SIZE);
    }
}
