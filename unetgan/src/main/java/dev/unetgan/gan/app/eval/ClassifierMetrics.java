package dev.unetgan.gan.app.eval;

import dev.unetgan.autograd.NoGrad;
import dev.unetgan.autograd.Tensor;
import dev.unetgan.nn.data.Dataset;
import dev.unetgan.nn.models.FashionClassifier;
import dev.unetgan.tensor.Device;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Ops;
import dev.unetgan.tensor.Scope;
import dev.unetgan.tensor.Shape;

/**
 * The evaluation metrics of a Fashion-MNIST GAN, computed on the features of the project's own Fashion-MNIST
 * classifier ({@link FashionClassifier}, penultimate layer, 128 values) because FID's Inception-v3 weights cannot be
 * fetched here. These are <b>not FID</b> and their values are not comparable with published FIDs:
 * <ul>
 *   <li><b>FCD</b>, the Fréchet Classifier Distance: FID's formula on the classifier's features, generated images
 *       against the Fashion-MNIST test images (lower is better);</li>
 *   <li><b>classifier score</b>: Inception Score's formula on the classifier's class probabilities (higher is
 *       better, at most 10);</li>
 *   <li><b>precision</b> and <b>recall</b> (Kynkäänniemi et al., 2019, k = 3) on the same features.</li>
 * </ul>
 * The real statistics are computed once per instance from the first {@code n} test images.
 */
public final class ClassifierMetrics implements AutoCloseable {
    /** The k of the k-NN balls of precision and recall. */
    public static final int K = 3;
    private static final int BATCH = 250;

    /** One evaluation's numbers. */
    public record Scores(double fcd, double classifierScore, double precision, double recall, int samples) {
    }

    private final FashionClassifier classifier;
    private final Device device;
    private final double[][] realFeatures;
    private final double[] realMean;
    private final double[][] realCov;

    /**
     * @param classifier a trained classifier (owned from now on; closed with this object)
     * @param reference  the real images to compare with ({@code [1, 32, 32]} or 28x28)
     * @param n          how many reference images to use (the first n)
     */
    public ClassifierMetrics(FashionClassifier classifier, Dataset reference, int n, Device device) {
        if (n < K + 2 || n > reference.size()) {
            throw new IllegalArgumentException("classifier metrics: need between " + (K + 2) + " and "
                    + reference.size() + " reference images, got " + n);
        }
        this.classifier = classifier;
        this.device = device;
        classifier.eval();
        this.realFeatures = features(n, (start, count) -> read(reference, start, count)).features();
        this.realMean = FeatureMath.mean(realFeatures);
        this.realCov = FeatureMath.covariance(realFeatures, realMean);
    }

    /** Generated images in batches: {@code next(start, count)} gives {@code [count, 1, S, S]} images in [-1, 1]. */
    @FunctionalInterface
    public interface ImageSource {
        NDArray next(int start, int count);
    }

    /**
     * Scores {@code n} images from {@code images}, which is called inside a scope per batch (so the arrays it makes
     * are freed with the batch).
     */
    public Scores score(int n, ImageSource images) {
        if (n < K + 2) {
            throw new IllegalArgumentException("classifier metrics: need at least " + (K + 2) + " images, got " + n);
        }
        Features fake = features(n, images);
        double[] mu = FeatureMath.mean(fake.features());
        double fcd = FeatureMath.frechetDistance(realMean, realCov, mu, FeatureMath.covariance(fake.features(), mu));
        return new Scores(fcd, FeatureMath.classifierScore(fake.probs()),
                FeatureMath.coverage(realFeatures, fake.features(), K),
                FeatureMath.coverage(fake.features(), realFeatures, K), n);
    }

    private record Features(double[][] features, double[][] probs) {
    }

    private Features features(int n, ImageSource source) {
        double[][] feats = new double[n][];
        double[][] probs = new double[n][];
        for (int start = 0; start < n; start += BATCH) {
            int count = Math.min(BATCH, n - start);
            try (Scope scope = Scope.open(); NoGrad ignored = NoGrad.enter()) {
                Tensor images = Tensor.of(source.next(start, count).to(device));
                float[] fv = classifier.features(images).value().toFloatArray();
                float[] pv = Ops.softmax(classifier.logits(images).value(), 1).toFloatArray();
                for (int i = 0; i < count; i++) {
                    feats[start + i] = toDouble(fv, i * FashionClassifier.FEATURES, FashionClassifier.FEATURES);
                    probs[start + i] = toDouble(pv, i * FashionClassifier.CLASSES, FashionClassifier.CLASSES);
                }
            }
        }
        return new Features(feats, probs);
    }

    /** Examples {@code start .. start+count-1} of {@code data} as one {@code [count, C, H, W]} CPU array. */
    public static NDArray read(Dataset data, int start, int count) {
        int per = data.shape().size();
        float[] v = new float[count * per];
        for (int i = 0; i < count; i++) {
            data.read(start + i, 0L, v, i * per);
        }
        return NDArray.of(v, Shape.of(count, data.shape().channels(), data.shape().height(), data.shape().width()),
                Device.CPU);
    }

    private static double[] toDouble(float[] v, int from, int count) {
        double[] out = new double[count];
        for (int i = 0; i < count; i++) {
            out[i] = v[from + i];
        }
        return out;
    }

    @Override
    public void close() {
        classifier.close();
    }
}
