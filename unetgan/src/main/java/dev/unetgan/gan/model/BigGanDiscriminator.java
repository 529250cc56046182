package dev.unetgan.gan.model;

import dev.unetgan.autograd.Tensor;
import dev.unetgan.gan.layers.SNEmbedding;
import dev.unetgan.gan.layers.SNLinear;
import dev.unetgan.nn.Layer;
import dev.unetgan.nn.Module;
import dev.unetgan.nn.ModuleList;
import dev.unetgan.tensor.Generator;
import dev.unetgan.tensor.NDArray;

import java.util.ArrayList;
import java.util.List;

/**
 * The baseline BigGAN discriminator (UNETGAN.md §2): the U-Net encoder of the same resolution, one more
 * non-down-sampling {@code DBlock(16ch -> 16ch)} at 4x4 (identity shortcut, as BigGAN's), and the global head.
 * State keys as BigGAN-PyTorch: {@code blocks.<i>.0.*}, {@code linear.*}, and {@code embed.*} when conditional.
 */
public final class BigGanDiscriminator extends Discriminator {
    private final ModelConfig config;
    private final List<Layer> levels = new ArrayList<>();
    private final SNLinear linear;
    private final SNEmbedding embed;

    /** Builds and initializes D; {@code gen == null} leaves the weights uninitialized. */
    public BigGanDiscriminator(ModelConfig config, Generator gen) {
        this.config = config;
        DArch arch = DArch.of(config.resolution());
        Layers layers = new Layers(config, gen);
        int ch = config.ch();
        ModuleList<Module> blocks = registerModule("blocks", new ModuleList<>());
        int top = arch.encoderOut()[arch.depth() - 1] * ch;
        for (int k = 0; k <= arch.depth(); k++) {
            DBlock.Spec spec = k < arch.depth()
                    ? new DBlock.Spec(arch.encoderIn(k, config.channels(), ch), arch.encoderOut()[k] * ch, k > 0, true)
                    : new DBlock.Spec(top, top, true, false);
            int size = arch.encoderSize(Math.min(k, arch.depth() - 1));
            blocks.add(Discriminators.level(layers, new DBlock(layers, spec), size, levels));
        }
        linear = registerModule("linear", layers.snLinear(top, 1, true));
        embed = config.conditional() ? registerModule("embed", layers.snEmbedding(config.nClasses(), top)) : null;
    }

    /** {@code enc [B,1]} only; {@code dec} is null. */
    @Override
    public Outputs forward(Tensor x, NDArray y) {
        Discriminators.checkImages(config, x);
        Tensor h = x;
        for (Layer level : levels) {
            h = level.forward(h);
        }
        return new Outputs(Heads.global(h, linear, embed, y), null);
    }

    @Override
    public ModelConfig config() {
        return config;
    }
}
