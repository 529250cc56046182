package dev.unetgan.gan.app;

import dev.unetgan.gan.model.BigGanDiscriminator;
import dev.unetgan.gan.model.BigGanGenerator;
import dev.unetgan.gan.model.Discriminator;
import dev.unetgan.gan.model.ModelConfig;
import dev.unetgan.gan.model.UNetDiscriminator;
import dev.unetgan.tensor.Device;
import dev.unetgan.tensor.Generator;

/**
 * The three networks of a run: G, D ({@code --d-arch}) and the EMA G that samples and evaluation use. Closing it
 * frees their parameters and buffers.
 */
public record GanModels(BigGanGenerator g, Discriminator d, BigGanGenerator gEma) implements AutoCloseable {
    /**
     * Builds the networks of {@code config} on {@code device}, initialized from {@code init} (null: uninitialized,
     * for loading a checkpoint into).
     */
    public static GanModels build(TrainConfig config, Device device, Generator init) {
        ModelConfig model = config.model(device);
        BigGanGenerator g = new BigGanGenerator(model, init);
        Discriminator d = config.dArch() == TrainConfig.DiscriminatorKind.UNET
                ? new UNetDiscriminator(model, init) : new BigGanDiscriminator(model, init);
        // The EMA G is overwritten with G's state when the step's Ema is created, so it needs no init.
        return new GanModels(g, d, new BigGanGenerator(model, null));
    }

    @Override
    public void close() {
        g.close();
        d.close();
        gEma.close();
    }
}
