package dev.unetgan.gan.train;

import dev.unetgan.autograd.NoGrad;
import dev.unetgan.autograd.Tensor;
import dev.unetgan.gan.loss.CutMix;
import dev.unetgan.gan.loss.GanLoss;
import dev.unetgan.gan.model.BigGanGenerator;
import dev.unetgan.gan.model.BigGanDiscriminator;
import dev.unetgan.gan.model.Discriminator;
import dev.unetgan.nn.optim.Adam;
import dev.unetgan.nn.optim.Ema;
import dev.unetgan.tensor.GanOps;
import dev.unetgan.tensor.Generator;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Ops;
import dev.unetgan.tensor.Scope;

import java.util.function.BiFunction;

/**
 * One U-Net GAN training iteration (UNETGAN.md §3, §5, §6): a D step, then a G step, then the EMA update of G. The
 * training application, the benchmarks and the CUDA parity test all call it.
 *
 * <p>The D step runs D <em>once</em>, in train mode, on the concatenation {@code [G(z), x, mixed]} (or
 * {@code [G(z), x]} without CutMix), so every SN layer of D updates its {@code u} exactly once; G runs in train mode
 * without grad. The G step runs D once more, with D's parameters frozen. Each call runs inside its own {@link Scope}, so nothing leaks across
 * iterations; the optimizers, the EMA and the models own everything that survives.
 */
public final class GanStep implements AutoCloseable {
    /**
     * Hyper-parameters of a step. Adam uses {@code betas = (beta1, beta2)}; {@code cutmixProbability} is the
     * full-batch regime's mixing probability for the current epoch (callers warm it up).
     */
    public record Settings(GanLoss loss, CutMixRegime regime, double gLr, double dLr, double beta1, double beta2,
                           double adamEps, double emaDecay, long emaStart) {
        /** UNETGAN.md §6 defaults around the given learning rates: betas (0, 0.999), Adam eps 1e-6, EMA 0.9999. */
        public static Settings of(double gLr, double dLr, CutMixRegime regime) {
            return new Settings(GanLoss.BCE, regime, gLr, dLr, 0, 0.999, 1e-6, 0.9999, 0);
        }
    }

    /**
     * The loss terms of one iteration, as host doubles (reading them synchronizes a GPU; callers log every N
     * iterations). Terms that did not run are 0; {@code mixed} tells whether the D step used CutMix. (D's accuracies
     * are measured apart from training, in eval mode, by the training application's probe.)
     */
    public record Losses(double dTotal, double dReal, double dFake, double mixDec, double mixEnc, double consistency,
                         double gTotal, boolean mixed) {
    }

    private final BigGanGenerator g;
    private final Discriminator d;
    private final Settings settings;
    private final Adam gOpt;
    private final Adam dOpt;
    private final Ema ema;
    private final Generator rng;

    /**
     * @param g     the generator (trained)
     * @param d     the discriminator (trained): the U-Net D, or the BigGAN baseline, which allows only
     *              {@link CutMixRegime#OFF} (CutMix needs a per-pixel decision)
     * @param gEma  a second generator of the same architecture that receives the EMA of {@code g}
     * @param rng   the seeded source of z, fake labels and CutMix boxes
     */
    public GanStep(BigGanGenerator g, Discriminator d, BigGanGenerator gEma, Settings settings, Generator rng) {
        if (!d.config().equals(g.config()) || !gEma.config().equals(g.config())) {
            throw new IllegalArgumentException("GanStep: G, D and the EMA G must share one model config, got "
                    + g.config() + ", " + d.config() + ", " + gEma.config());
        }
        if (d instanceof BigGanDiscriminator && settings.regime() != CutMixRegime.OFF) {
            throw new IllegalArgumentException("GanStep: CutMix regime " + settings.regime()
                    + " needs the U-Net D's per-pixel output; the BigGAN baseline D runs only with OFF");
        }
        this.g = g;
        this.d = d;
        this.settings = settings;
        this.rng = rng;
        this.gOpt = new Adam(g.namedParameters(), adam(settings, settings.gLr()));
        this.dOpt = new Adam(d.namedParameters(), adam(settings, settings.dLr()));
        this.ema = new Ema(g, gEma, settings.emaDecay(), settings.emaStart());
    }

    private static Adam.Options adam(Settings s, double lr) {
        return Adam.Options.lr(lr).withBetas(s.beta1(), s.beta2()).withEps(s.adamEps());
    }

    public Adam generatorOptimizer() {
        return gOpt;
    }

    public Adam discriminatorOptimizer() {
        return dOpt;
    }

    public Ema ema() {
        return ema;
    }

    /**
     * Runs one iteration on the real batch {@code x [B,c,S,S]} with labels {@code y} (I32 {@code [B]}, or null when
     * unconditional). {@code cutmixProbability} matters only for {@link CutMixRegime#FULL_BATCH}.
     */
    public Losses step(NDArray x, NDArray y, long iteration, double cutmixProbability) {
        try (Scope scope = Scope.open()) {
            int batch = x.dim(0);
            boolean cutmix = switch (settings.regime()) {
                case OFF -> false;
                case EVERY_BATCH, CONSISTENCY_ONLY -> true;
                case FULL_BATCH -> rng.nextDouble() < cutmixProbability;
            };
            // One scope per phase: an engine array lives until its scope closes, so without these the G step would
            // run on top of every activation and gradient of the D step, and the peak would be their sum.
            double[] dTerms;
            try (Scope phase = Scope.open()) {
                dTerms = discriminatorStep(x, y, batch, cutmix);
            }
            double gTotal;
            try (Scope phase = Scope.open()) {
                gTotal = generatorStep(batch, y);
            }
            ema.update(iteration);
            return new Losses(dTerms[0], dTerms[1], dTerms[2], dTerms[3], dTerms[4], dTerms[5], gTotal, cutmix);
        }
    }

    /** Returns {dTotal, dReal, dFake, mixDec, mixEnc, consistency}. */
    private double[] discriminatorStep(NDArray x, NDArray y, int batch, boolean cutmix) {
        // In conditional mode the fakes of a CutMix step use the real labels, so that the pairs align (§5).
        NDArray yFake = y == null ? null : cutmix ? y : g.sampleLabels(rng, batch);
        NDArray fake;
        try (Scope scope = Scope.open(); NoGrad ignored = NoGrad.enter()) {
            g.train();
            fake = scope.keep(g.forward(Tensor.of(g.sampleZ(rng, batch)), yFake).value());
        }
        GanOps.Mix mix = cutmix ? CutMix.blend(x, fake, CutMix.sample(rng, batch, x.dim(2))) : null;
        NDArray input = cutmix ? Ops.concat(0, fake, x, mix.mixed()) : Ops.concat(0, fake, x);
        NDArray labels = y == null ? null : cutmix ? Ops.concat(0, yFake, y, y) : Ops.concat(0, yFake, y);

        d.train();
        dOpt.zeroGrad();
        Discriminator.Outputs out = d.forward(Tensor.of(input), labels);
        GanLoss loss = settings.loss();
        Tensor real = term(out, 1, 2, batch, loss::real);
        Tensor fakeTerm = term(out, 0, 1, batch, loss::fake);
        Tensor mixDec = null, mixEnc = null, cons = null;
        if (cutmix) {
            Tensor decMixed = out.dec().slice(0, 2 * batch, 3 * batch);
            cons = GanLoss.consistency(decMixed, out.dec().slice(0, batch, 2 * batch), out.dec().slice(0, 0, batch),
                    mix.mask(), 1);
            if (settings.regime() != CutMixRegime.CONSISTENCY_ONLY) {
                mixDec = loss.masked(decMixed, mix.mask(), 1);
                mixEnc = loss.fake(out.enc().slice(0, 2 * batch, 3 * batch), 1);
            }
        }
        Tensor total = switch (settings.regime()) {
            case OFF -> real.add(fakeTerm);
            case EVERY_BATCH -> real.add(fakeTerm).add(mixDec).add(mixEnc).add(cons);
            case CONSISTENCY_ONLY -> real.add(fakeTerm).add(cons);
            case FULL_BATCH -> cutmix ? mixDec.add(mixEnc).add(cons) : real.add(fakeTerm);
        };
        total.backward();
        dOpt.step();
        return new double[]{total.item(), real.item(), fakeTerm.item(), value(mixDec), value(mixEnc), value(cons)};
    }

    private double generatorStep(int batch, NDArray realLabels) {
        NDArray y = realLabels == null ? null : g.sampleLabels(rng, batch);
        g.train();
        d.train();
        gOpt.zeroGrad();
        // D is frozen, as in the official code's toggle_grad(D, False): the gradient flows through D into G(z), but
        // D's own parameter gradients (every conv's filter gradient) would be computed only to be thrown away.
        d.requiresGrad(false);
        try {
            Tensor fake = g.forward(Tensor.of(g.sampleZ(rng, batch)), y);
            Tensor total = term(d.forward(fake, y), 0, 1, batch, settings.loss()::generator);
            total.backward();
            gOpt.step();
            return total.item();
        } finally {
            d.requiresGrad(true);
        }
    }

    /**
     * One loss on the rows {@code [from·B, to·B)} of D's outputs: {@code 0.5·enc + 0.5·dec} for the U-Net D
     * (UNETGAN.md §3), the encoder term alone with weight 1 for the baseline.
     */
    private static Tensor term(Discriminator.Outputs out, int from, int to, int batch,
                               BiFunction<Tensor, Double, Tensor> loss) {
        Tensor enc = out.enc().slice(0, from * batch, to * batch);
        if (!out.perPixel()) {
            return loss.apply(enc, 1.0);
        }
        return loss.apply(enc, 0.5).add(loss.apply(out.dec().slice(0, from * batch, to * batch), 0.5));
    }

    private static double value(Tensor t) {
        return t == null ? 0 : t.item();
    }

    /** Frees the optimizer state and the EMA's private arrays (the models belong to the caller). */
    @Override
    public void close() {
        gOpt.close();
        dOpt.close();
        ema.close();
    }
}
