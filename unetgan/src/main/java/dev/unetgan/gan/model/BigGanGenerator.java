package dev.unetgan.gan.model;

import dev.unetgan.autograd.NoGrad;
import dev.unetgan.autograd.Tensor;
import dev.unetgan.gan.layers.SNLinear;
import dev.unetgan.nn.Module;
import dev.unetgan.nn.ModuleList;
import dev.unetgan.nn.Sequential;
import dev.unetgan.nn.layers.ReLU;
import dev.unetgan.tensor.Generator;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Scope;
import dev.unetgan.tensor.Shape;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * BigGAN's generator (UNETGAN.md §1) from the {@link GArch} row of the config's resolution:
 * {@code SNLinear(dim_z -> 16ch·4·4)} reshaped to {@code [B,16ch,4,4]}, one {@link GBlock} per level (each
 * optionally followed by {@link SelfAttention}), then BN -> ReLU -> SNConv3x3(ch_last -> c) -> tanh.
 * State keys: {@code linear.*}, {@code blocks.<i>.0.*} (GBlock), {@code blocks.<i>.1.*} (attention),
 * {@code output_layer.0.*} (BN), {@code output_layer.2.*} (conv).
 */
public final class BigGanGenerator extends Module {
    private final ModelConfig config;
    private final GArch arch;
    private final SNLinear linear;
    private final List<GBlock> blocks = new ArrayList<>();
    private final List<SelfAttention> attention = new ArrayList<>();
    private final Sequential outputLayer;

    /**
     * Builds and initializes G.
     *
     * @param gen the initialization's random source; null leaves the weights uninitialized (for counting, or
     *            before loading a checkpoint)
     */
    public BigGanGenerator(ModelConfig config, Generator gen) {
        this.config = config;
        this.arch = GArch.of(config.resolution());
        Layers layers = new Layers(config, gen);
        int ch = config.ch();
        linear = registerModule("linear", layers.snLinear(config.dimZ(), arch.in()[0] * ch * GArch.BOTTOM * GArch.BOTTOM, true));
        ModuleList<ModuleList<Module>> levels = registerModule("blocks", new ModuleList<>());
        int[] in = arch.in();
        int[] out = arch.out();
        for (int k = 0; k < arch.blocks(); k++) {
            ModuleList<Module> level = new ModuleList<>();
            blocks.add((GBlock) level.add(GBlock.generator(layers, in[k] * ch, out[k] * ch)).get(0));
            SelfAttention sa = config.attention().contains(arch.outputSize(k)) ? new SelfAttention(layers, out[k] * ch) : null;
            if (sa != null) {
                level.add(sa);
            }
            attention.add(sa);
            levels.add(level);
        }
        int last = out[out.length - 1] * ch;
        outputLayer = registerModule("output_layer", new Sequential(new OutputBatchNorm(config, last), new ReLU(),
                layers.snConv(last, config.channels(), 3, true)));
    }

    /**
     * Images {@code [B, c, res, res]} in (-1, 1) from {@code z [B, dim_z]} and, when conditional, the classes
     * {@code y} (I32 {@code [B]}; null otherwise).
     */
    public Tensor forward(Tensor z, NDArray y) {
        if (z.rank() != 2 || z.dim(1) != config.dimZ()) {
            throw new IllegalArgumentException("G: z must be [B, " + config.dimZ() + "], got " + z.shape());
        }
        Cond cond = new Cond(z, y);
        Tensor h = linear.forward(z).reshape(z.dim(0), -1, GArch.BOTTOM, GArch.BOTTOM);
        for (int k = 0; k < blocks.size(); k++) {
            h = blocks.get(k).forward(h, cond);
            if (attention.get(k) != null) {
                h = attention.get(k).forward(h);
            }
        }
        return outputLayer.forward(h).tanh();
    }

    /** A latent batch {@code z ~ N(0,1) [B, dim_z]} in the parameters' dtype and device, from {@code rng}. */
    public NDArray sampleZ(Generator rng, int batch) {
        return rng.normal(Shape.of(batch, config.dimZ()), config.dtype(), config.device(), 0, 1);
    }

    /** Uniform class labels (I32 {@code [B]}) from {@code rng}, or null when G is unconditional. */
    public NDArray sampleLabels(Generator rng, int batch) {
        if (!config.conditional()) {
            return null;
        }
        int[] labels = new int[batch];
        for (int i = 0; i < batch; i++) {
            labels[i] = (int) (rng.nextDouble() * config.nClasses());
        }
        return NDArray.of(labels, Shape.of(batch), config.device());
    }

    /**
     * BigGAN's "standing statistics" (UNETGAN.md §6), run on the EMA G before sampling or evaluation: {@code passes}
     * train-mode forward passes without grad on fresh {@code z} (and labels), whose batch statistics every batch
     * norm averages with equal weight (momentum {@code 1/(k+1)} at pass k), then eval mode. SN {@code u} updates as
     * in any train-mode pass, as in the official code.
     */
    public void standingStatistics(int passes, int batch, Generator rng) {
        if (passes < 1 || batch < 2) {
            throw new IllegalArgumentException("standing statistics: need passes >= 1 and batch >= 2, got " + passes
                    + " and " + batch);
        }
        List<RunningStats> norms = namedModules().values().stream()
                .filter(RunningStats.class::isInstance).map(RunningStats.class::cast).toList();
        train();
        try (NoGrad ignored = NoGrad.enter()) {
            for (int k = 0; k < passes; k++) {
                double momentum = 1.0 / (k + 1);
                norms.forEach(n -> n.momentum(momentum));
                try (Scope scope = Scope.open()) {
                    forward(Tensor.of(sampleZ(rng, batch)), sampleLabels(rng, batch));
                }
            }
        } finally {
            norms.forEach(n -> n.momentum(RunningStats.DEFAULT_MOMENTUM));
            eval();
        }
    }

    public ModelConfig config() {
        return config;
    }

    public GArch arch() {
        return arch;
    }

    /** The GBlocks, in order. */
    public List<GBlock> blocks() {
        return Collections.unmodifiableList(blocks);
    }
}
