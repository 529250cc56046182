package dev.unetgan.bench;

import dev.unetgan.gan.model.BigGanGenerator;
import dev.unetgan.gan.model.ModelConfig;
import dev.unetgan.gan.model.UNetDiscriminator;
import dev.unetgan.tensor.Generator;
import dev.unetgan.tensor.NDArray;

/**
 * The configuration the PyTorch anchors were measured at: 64x64 RGB, ch 32, batch 8, unconditional, no
 * attention, F32 on the CPU backend; with freshly initialized G, U-Net D and EMA G.
 */
final class GanModels implements AutoCloseable {
    static final int BATCH = 8;
    static final ModelConfig CONFIG = ModelConfig.of(64, 3, 32, 0);

    final BigGanGenerator g;
    final UNetDiscriminator d;
    final BigGanGenerator gEma;
    final Generator rng = new Generator(2);
    final NDArray x;

    GanModels() {
        Generator init = new Generator(1);
        g = new BigGanGenerator(CONFIG, init);
        d = new UNetDiscriminator(CONFIG, init);
        gEma = new BigGanGenerator(CONFIG, null);
        x = rng.uniform(dev.unetgan.tensor.Shape.of(BATCH, 3, 64, 64), CONFIG.dtype(), CONFIG.device(), -1, 1);
        g.train();
        d.train();
    }

    @Override
    public void close() {
        x.close();
        g.close();
        d.close();
        gEma.close();
    }
}
