package dev.unetgan.gan.app;

import dev.unetgan.autograd.NoGrad;
import dev.unetgan.autograd.Tensor;
import dev.unetgan.gan.app.eval.ClassifierMetrics;
import dev.unetgan.gan.loss.CutMix;
import dev.unetgan.gan.model.Discriminator;
import dev.unetgan.gan.train.GanStep;
import dev.unetgan.nn.data.Dataset;
import dev.unetgan.tensor.GanOps;
import dev.unetgan.tensor.Generator;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Ops;
import dev.unetgan.tensor.Scope;
import dev.unetgan.tensor.Shape;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * What a run reports about D beyond its losses: its accuracy on a probe batch (real, fake, and per pixel on a CutMix
 * image), and the decision-map figure. Both run G and D in <b>eval mode without grad</b>: spectral norm then keeps
 * its {@code u} and batch norm its running statistics, so probing changes no state and a run stays bit-identical
 * however often it is probed. (D sees G's eval-mode images here, not the train-mode batch statistics of the step.)
 */
final class Probe {
    /** The columns of {@code metrics.csv}; the loss terms are {@link GanStep.Losses}'s, in its order. */
    static final List<String> COLUMNS = List.of("iteration", "epoch", "d_total", "d_real", "d_fake", "mix_dec",
            "mix_enc", "consistency", "g_total", "mixed", "acc_real", "acc_fake", "acc_real_pixels",
            "acc_fake_pixels", "acc_mixed_pixels", "cutmix_p", "it_per_s", "heap_mb", "rss_mb");
    private static final int FIGURE_ROWS = 6;
    private static final long FIGURE_SEED = 0xF16L;

    private Probe() {
    }

    /**
     * D's accuracies (fractions in [0, 1]) with a decision threshold at logit 0: on real and fake images by the
     * global head, and per pixel by the U-Net decoder on real, fake and CutMix images (NaN for the baseline D).
     */
    record Accuracy(double real, double fake, double realPixels, double fakePixels, double mixedPixels) {
    }

    /** D's accuracy on the real batch {@code x} (labels {@code y} or null) against fakes and mixes from {@code rng}. */
    static Accuracy accuracy(GanModels m, NDArray x, NDArray y, Generator rng) {
        int b = x.dim(0);
        try (Scope scope = Scope.open(); NoGrad ignored = NoGrad.enter()) {
            m.g().eval();
            m.d().eval();
            // Fakes take the real labels, so that each CutMix pair shares its class (UNETGAN.md §5).
            NDArray fake = m.g().forward(Tensor.of(m.g().sampleZ(rng, b)), y).value();
            GanOps.Mix mix = CutMix.sampleAndBlend(rng, x, fake);
            Discriminator.Outputs out = m.d().forward(Tensor.of(Ops.concat(0, x, fake, mix.mixed())),
                    y == null ? null : Ops.concat(0, y, y, y));
            float[] enc = out.enc().value().toFloatArray();
            double real = fraction(enc, 0, b, true);
            double fakeAcc = fraction(enc, b, 2 * b, false);
            if (!out.perPixel()) {
                return new Accuracy(real, fakeAcc, Double.NaN, Double.NaN, Double.NaN);
            }
            float[] dec = out.dec().value().toFloatArray();
            int pixels = x.dim(2) * x.dim(3);
            float[] mask = mix.mask().toFloatArray();
            int right = 0;
            for (int i = 0; i < b * pixels; i++) {
                right += (dec[2 * b * pixels + i] > 0) == (mask[i] > 0.5f) ? 1 : 0;
            }
            return new Accuracy(real, fakeAcc, fraction(dec, 0, b * pixels, true),
                    fraction(dec, b * pixels, 2 * b * pixels, false), (double) right / (b * pixels));
        } finally {
            m.g().train();
            m.d().train();
        }
    }

    private static double fraction(float[] logits, int from, int to, boolean real) {
        int right = 0;
        for (int i = from; i < to; i++) {
            right += (logits[i] > 0) == real ? 1 : 0;
        }
        return (double) right / (to - from);
    }

    /** One {@code metrics.csv} row, in {@link #COLUMNS} order. */
    static List<Object> row(long iteration, int epoch, GanStep.Losses l, Accuracy a, double cutmixP, double itPerS) {
        Runtime rt = Runtime.getRuntime();
        long heapMb = (rt.totalMemory() - rt.freeMemory()) >> 20;
        return Arrays.asList(iteration, epoch, l.dTotal(), l.dReal(), l.dFake(), l.mixDec(), l.mixEnc(),
                l.consistency(), l.gTotal(), l.mixed() ? 1 : 0, a.real(), a.fake(), blankIfNaN(a.realPixels()),
                blankIfNaN(a.fakePixels()), blankIfNaN(a.mixedPixels()), cutmixP,
                Math.round(itPerS * 1000) / 1000.0, heapMb, residentMb());
    }

    private static Object blankIfNaN(double v) {
        return Double.isNaN(v) ? null : v;
    }

    /** The process's resident set (heap plus the engine's native arrays) in MiB, or null where /proc is absent. */
    private static Long residentMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) >> 10;
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // Not Linux: the column stays empty.
        }
        return null;
    }

    /**
     * The paper's decision-map figure for the U-Net D: for the first {@value #FIGURE_ROWS} training images, a fake
     * of the same class from the EMA G ({@code sampler}), and their CutMix image with its mask (fixed seeds, so
     * figures of one run line up), D's per-pixel map of each (white: D says real).
     */
    static BufferedImage decisionMaps(GanModels m, Sampler sampler, Dataset data, boolean conditional) {
        int n = Math.min(FIGURE_ROWS, data.size());
        Generator rng = new Generator(FIGURE_SEED);
        try (Scope scope = Scope.open(); NoGrad ignored = NoGrad.enter()) {
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                labels[i] = data.get(i).label();
            }
            NDArray y = conditional ? NDArray.of(labels, Shape.of(n), sampler.config().device()) : null;
            NDArray real = ClassifierMetrics.read(data, 0, n).to(sampler.config().device());
            NDArray fake = sampler.generate(rng, n, y);
            GanOps.Mix mix = CutMix.sampleAndBlend(rng, real, fake);
            m.d().eval();
            Discriminator.Outputs out = m.d().forward(Tensor.of(Ops.concat(0, real, fake, mix.mixed())),
                    y == null ? null : Ops.concat(0, y, y, y));
            NDArray dec = out.dec().value();
            return Pictures.columns(List.of(
                    new Pictures.Column("real", real, Pictures.Column.Kind.IMAGE),
                    new Pictures.Column("D(real)", Ops.slice(dec, 0, 0, n), Pictures.Column.Kind.LOGITS),
                    new Pictures.Column("fake", fake, Pictures.Column.Kind.IMAGE),
                    new Pictures.Column("D(fake)", Ops.slice(dec, 0, n, 2 * n), Pictures.Column.Kind.LOGITS),
                    new Pictures.Column("CutMix", mix.mixed(), Pictures.Column.Kind.IMAGE),
                    new Pictures.Column("mask", mix.mask(), Pictures.Column.Kind.MASK),
                    new Pictures.Column("D(mix)", Ops.slice(dec, 0, 2 * n, 3 * n), Pictures.Column.Kind.LOGITS)), 3);
        } finally {
            m.d().train();
        }
    }
}
