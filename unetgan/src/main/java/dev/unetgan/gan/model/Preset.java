package dev.unetgan.gan.model;

import dev.unetgan.gan.train.CutMixRegime;

import java.util.Locale;

/**
 * The training presets of UNETGAN.md §6 (each field can be overridden). {@code nClasses} is the default class
 * count of a conditional preset (COCO-Animals and Fashion-MNIST have 10; an image folder's sub-folders decide at
 * training time). {@code fashion32}'s {@code ch} is 8 so that a CPU run is practical: measured with
 * {@code unetgan train} on this 2-core machine (shared, load ~6) at batch 64, ch 8 ran 0.23 it/s with about 2 GB of heap
 * in use, ch 16 0.10 it/s with 5.6 GB, and ch 32 ran out of the default 6 GB heap in its first iteration; the
 * 32x32 one-channel garments need far less width than the paper's 128x128 photographs.
 */
public record Preset(String name, int resolution, int channels, int ch, int nClasses, int batch, double gLr,
                     double dLr, double adamEps, double snEps, CutMixRegime cutmix, int warmupEpochs, int emaStart) {
    public static final Preset FFHQ256 = new Preset("ffhq256", 256, 3, 64, 0, 20, 1e-4, 5e-4, 1e-6, 1e-6, CutMixRegime.FULL_BATCH, 100, 21000);
    public static final Preset CELEBA128 = new Preset("celeba128", 128, 3, 64, 0, 50, 5e-5, 2e-4, 1e-6, 1e-6, CutMixRegime.EVERY_BATCH, 0, 21000);
    public static final Preset COCO128 = new Preset("coco128", 128, 3, 64, 10, 80, 5e-5, 2e-4, 1e-8, 1e-8, CutMixRegime.FULL_BATCH, 200, 0);
    public static final Preset FASHION32 = new Preset("fashion32", 32, 1, 8, 10, 64, 1e-4, 4e-4, 1e-6, 1e-6, CutMixRegime.EVERY_BATCH, 0, 1000);

    private static final Preset[] ALL = {FFHQ256, CELEBA128, COCO128, FASHION32};

    /** The preset called {@code name} (case-insensitive). */
    public static Preset named(String name) {
        for (Preset p : ALL) {
            if (p.name.equals(name.toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown preset '" + name + "'; have ffhq256, celeba128, coco128, fashion32");
    }

    /** The model part of the preset. */
    public ModelConfig model() {
        return ModelConfig.of(resolution, channels, ch, nClasses).withSnEps(snEps);
    }
}
