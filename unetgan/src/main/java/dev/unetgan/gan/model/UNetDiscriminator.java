package dev.unetgan.gan.model;

import dev.unetgan.autograd.Tensor;
import dev.unetgan.gan.layers.SNEmbedding;
import dev.unetgan.gan.layers.SNLinear;
import dev.unetgan.nn.Layer;
import dev.unetgan.nn.Module;
import dev.unetgan.nn.ModuleList;
import dev.unetgan.nn.layers.Conv2d;
import dev.unetgan.tensor.Generator;
import dev.unetgan.tensor.NDArray;

import java.util.ArrayList;
import java.util.List;

/**
 * The U-Net discriminator (UNETGAN.md §2) from the {@link DArch} row of the config's resolution: an encoder of
 * {@link DBlock}s with the global head at the bottleneck, a decoder of unnormalized {@link GBlock}s that
 * concatenates {@code [decoder_h, encoder_feat]} before each block but the first, and a plain 1x1 pixel head.
 * State keys: {@code blocks.<i>.0.*} (encoder, then decoder), {@code blocks.<last>.weight/bias} (pixel head),
 * {@code linear.*} (unused, kept so that official checkpoints load strictly), {@code linear_middle.*}, and when
 * conditional {@code embed.*} (pixel projection) and {@code embed_middle.*} (global projection).
 */
public final class UNetDiscriminator extends Discriminator {
    private final ModelConfig config;
    private final DArch arch;
    private final List<Layer> encoder = new ArrayList<>();
    private final List<GBlock> decoder = new ArrayList<>();
    private final Conv2d pixelHead;
    private final SNLinear linearMiddle;
    private final SNEmbedding embed;
    private final SNEmbedding embedMiddle;

    /**
     * Builds and initializes D.
     *
     * @param gen the initialization's random source; null leaves the weights uninitialized
     */
    public UNetDiscriminator(ModelConfig config, Generator gen) {
        this.config = config;
        this.arch = DArch.of(config.resolution());
        Layers layers = new Layers(config, gen);
        int ch = config.ch();
        ModuleList<Module> blocks = registerModule("blocks", new ModuleList<>());
        for (int k = 0; k < arch.depth(); k++) {
            DBlock.Spec spec = new DBlock.Spec(arch.encoderIn(k, config.channels(), ch), arch.encoderOut()[k] * ch,
                    k > 0, true);
            blocks.add(Discriminators.level(layers, new DBlock(layers, spec), arch.encoderSize(k), encoder));
        }
        for (int k = 0; k < arch.depth(); k++) {
            GBlock block = GBlock.decoder(layers, arch.decoderIn(k) * ch, arch.decoderOut()[k] * ch);
            decoder.add(block);
            blocks.add(new ModuleList<>(block));
        }
        int last = arch.decoderOut()[arch.depth() - 1] * ch;
        int bottleneck = arch.encoderOut()[arch.depth() - 1] * ch;
        pixelHead = layers.conv(last, 1, 1);
        blocks.add(pixelHead);
        registerModule("linear", layers.snLinear(last, 1, true));
        linearMiddle = registerModule("linear_middle", layers.snLinear(bottleneck, 1, true));
        embed = config.conditional() ? registerModule("embed", layers.snEmbedding(config.nClasses(), last)) : null;
        embedMiddle = config.conditional()
                ? registerModule("embed_middle", layers.snEmbedding(config.nClasses(), bottleneck)) : null;
    }

    /** {@code enc [B,1]} from the bottleneck, {@code dec [B,1,res,res]} per pixel. */
    @Override
    public Outputs forward(Tensor x, NDArray y) {
        Discriminators.checkImages(config, x);
        List<Tensor> features = new ArrayList<>(encoder.size());
        Tensor h = x;
        for (Layer level : encoder) {
            h = level.forward(h);
            features.add(h);
        }
        Tensor enc = Heads.global(h, linearMiddle, embedMiddle, y);
        for (int k = 0; k < decoder.size(); k++) {
            if (k > 0) {
                h = Tensor.concat(1, h, features.get(arch.skipSource(k)));
            }
            h = decoder.get(k).forward(h, null);
        }
        return new Outputs(enc, Heads.pixel(h, pixelHead, embed, y));
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    public DArch arch() {
        return arch;
    }
}
