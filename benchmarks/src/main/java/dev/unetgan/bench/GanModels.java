package dev.unetgan.bench;

import dev.unetgan.gan.model.BigGanGenerator;
import dev.unetgan.gan.model.ModelConfig;
import dev.unetgan.gan.model.Preset;
import dev.unetgan.gan.model.UNetDiscriminator;
import dev.unetgan.gan.train.GanStep;
import dev.unetgan.tensor.Generator;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Shape;

/**
 * Freshly initialized G, U-Net D and EMA G, F32 on the CPU backend, with one batch of uniform "real" images (and
 * random labels when class-conditional), at one of two configurations:
 * <ul>
 * <li>{@link #anchor()}: where the PyTorch anchors were measured, 64x64 RGB, ch 32, batch 8, unconditional,
 *     no attention, with the celeba128 learning rates;</li>
 * <li>{@link #fashion32()}: the {@code fashion32} preset that {@code unetgan train} runs by default, 32x32 gray,
 *     ch 8, batch 64, 10 classes.</li>
 * </ul>
 */
final class GanModels implements AutoCloseable {
    final ModelConfig config;
    final int batch;
    final GanStep.Settings settings;
    final BigGanGenerator g;
    final UNetDiscriminator d;
    final BigGanGenerator gEma;
    final Generator rng = new Generator(2);
    final NDArray x;
    /** I32 {@code [batch]}, or null when unconditional. */
    final NDArray y;

    private GanModels(ModelConfig config, int batch, GanStep.Settings settings) {
        this.config = config;
        this.batch = batch;
        this.settings = settings;
        Generator init = new Generator(1);
        g = new BigGanGenerator(config, init);
        d = new UNetDiscriminator(config, init);
        gEma = new BigGanGenerator(config, null);
        x = rng.uniform(Shape.of(batch, config.channels(), config.resolution(), config.resolution()), config.dtype(),
                config.device(), -1, 1);
        y = g.sampleLabels(rng, batch);
        g.train();
        d.train();
    }

    static GanModels anchor() {
        return new GanModels(ModelConfig.of(64, 3, 32, 0), 8,
                GanStep.Settings.of(5e-5, 2e-4, Preset.CELEBA128.cutmix()));
    }

    static GanModels fashion32() {
        Preset p = Preset.FASHION32;
        return new GanModels(p.model(), p.batch(), GanStep.Settings.of(p.gLr(), p.dLr(), p.cutmix()));
    }

    /** {@code "anchor"} or {@code "fashion32"}, as the benchmarks' {@code config} parameter names them. */
    static GanModels named(String name) {
        return switch (name) {
            case "anchor" -> anchor();
            case "fashion32" -> fashion32();
            default -> throw new IllegalArgumentException("unknown config '" + name + "'; have anchor, fashion32");
        };
    }

    @Override
    public void close() {
        x.close();
        if (y != null) {
            y.close();
        }
        g.close();
        d.close();
        gEma.close();
    }
}
