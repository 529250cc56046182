package dev.unetgan.gan.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unetgan.autograd.NoGrad;
import dev.unetgan.autograd.Tensor;
import dev.unetgan.gan.loss.CutMix;
import dev.unetgan.gan.model.BigGanDiscriminator;
import dev.unetgan.gan.model.BigGanGenerator;
import dev.unetgan.gan.model.Discriminator;
import dev.unetgan.gan.model.ModelConfig;
import dev.unetgan.gan.model.UNetDiscriminator;
import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.Device;
import dev.unetgan.tensor.GanOps;
import dev.unetgan.tensor.Generator;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Ops;
import dev.unetgan.tensor.Scope;
import dev.unetgan.tensor.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * {@link GanStep} on tiny models (32x32, one channel, ch 2 or 4): which loss terms each regime runs, determinism,
 * the baseline D, and on a toy distribution that D learns to tell real from fake (per image and per pixel) and that
 * G then learns to fool a fixed D.
 */
class GanStepTest {
    private static final int B = 4;

    /** The toy "real" distribution: a bright disc on a dark background, with a little noise. */
    private static NDArray realBatch(Generator rng, int batch) {
        int s = 32;
        float[] v = new float[batch * s * s];
        float[] noise = rng.normal(Shape.of(v.length), DType.F32, Device.CPU, 0, 0.05).toFloatArray();
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < s; i++) {
                for (int j = 0; j < s; j++) {
                    double r = Math.hypot(i - 15.5, j - 15.5);
                    int k = (b * s + i) * s + j;
                    v[k] = (float) ((r < 10 ? 0.8 : -0.8) + noise[k]);
                }
            }
        }
        return NDArray.of(v, Shape.of(batch, 1, s, s), Device.CPU);
    }

    private record Models(BigGanGenerator g, Discriminator d, BigGanGenerator gEma) implements AutoCloseable {
        static Models of(ModelConfig cfg, long seed, boolean unet) {
            Generator init = new Generator(seed);
            return new Models(new BigGanGenerator(cfg, init),
                    unet ? new UNetDiscriminator(cfg, init) : new BigGanDiscriminator(cfg, init),
                    new BigGanGenerator(cfg, null));
        }

        GanStep step(GanStep.Settings settings, long seed) {
            return new GanStep(g, d, gEma, settings, new Generator(seed));
        }

        @Override
        public void close() {
            g.close();
            d.close();
            gEma.close();
        }
    }

    private static List<GanStep.Losses> run(GanStep step, Generator data, int iterations, double p) {
        List<GanStep.Losses> out = new ArrayList<>();
        for (int i = 0; i < iterations; i++) {
            try (Scope scope = Scope.open()) {
                out.add(step.step(realBatch(data, B), null, i, p));
            }
        }
        return out;
    }

    private static double mean(List<GanStep.Losses> losses, int from, int to, Function<GanStep.Losses, Double> f) {
        return losses.subList(from, to).stream().mapToDouble(f::apply).average().orElseThrow();
    }

    @ParameterizedTest
    @EnumSource(CutMixRegime.class)
    void eachRegimeRunsItsTermsAndTheTotalIsTheirSum(CutMixRegime regime) {
        try (Models m = Models.of(ModelConfig.of(32, 1, 2, 0), 1, true);
             GanStep step = m.step(GanStep.Settings.of(1e-4, 4e-4, regime), 2)) {
            Generator data = new Generator(3);
            for (double p : new double[]{0, 1}) {
                GanStep.Losses l = run(step, data, 1, p).getFirst();
                boolean mixed = regime == CutMixRegime.EVERY_BATCH || regime == CutMixRegime.CONSISTENCY_ONLY
                        || (regime == CutMixRegime.FULL_BATCH && p == 1);
                assertEquals(mixed, l.mixed(), regime + " p=" + p);
                boolean normal = regime != CutMixRegime.FULL_BATCH || !mixed;
                boolean mixTerms = mixed && regime != CutMixRegime.CONSISTENCY_ONLY;
                assertEquals(mixTerms, l.mixDec() > 0, "mixDec");
                assertEquals(mixTerms, l.mixEnc() > 0, "mixEnc");
                assertEquals(mixed, l.consistency() > 0, "consistency");
                double expected = (normal ? l.dReal() + l.dFake() : 0) + l.mixDec() + l.mixEnc() + l.consistency();
                assertEquals(expected, l.dTotal(), 1e-5 * Math.abs(expected), regime + " p=" + p);
                assertTrue(l.dReal() > 0 && l.dFake() > 0 && l.gTotal() > 0 && Double.isFinite(l.dTotal()), l.toString());
            }
        }
    }

    /**
     * The same seeds give bit-identical losses, also when other work ran in between: the second run sees a JIT-compiled
     * engine and a buffer pool full of old arrays (a lane sum whose order the JIT changed once broke this).
     */
    @Test
    void sameSeedsGiveBitIdenticalLossesWhateverRanBefore() {
        List<GanStep.Losses> first = seeded(4, 3);
        seeded(2, 12);
        assertEquals(first, seeded(4, 3));
    }

    private static List<GanStep.Losses> seeded(int ch, int iterations) {
        try (Models m = Models.of(ModelConfig.of(32, 1, ch, 3), 5, true);
             GanStep step = m.step(GanStep.Settings.of(1e-4, 4e-4, CutMixRegime.EVERY_BATCH), 6)) {
            Generator data = new Generator(7);
            List<GanStep.Losses> losses = new ArrayList<>();
            for (int i = 0; i < iterations; i++) {
                try (Scope scope = Scope.open()) {
                    NDArray y = NDArray.of(new int[]{0, 1, 2, 1}, Shape.of(B), Device.CPU);
                    losses.add(step.step(realBatch(data, B), y, i, 0));
                }
            }
            return losses;
        }
    }

    @Test
    void baselineDiscriminatorTrainsWithoutCutMixOnly() {
        try (Models m = Models.of(ModelConfig.of(32, 1, 2, 0), 8, false)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> m.step(GanStep.Settings.of(1e-4, 4e-4, CutMixRegime.EVERY_BATCH), 9));
            assertTrue(e.getMessage().contains("baseline"), e.getMessage());
            try (GanStep step = m.step(GanStep.Settings.of(1e-4, 4e-4, CutMixRegime.OFF), 9)) {
                GanStep.Losses l = run(step, new Generator(10), 1, 0).getFirst();
                assertFalse(l.mixed());
                assertEquals(0, l.mixDec() + l.mixEnc() + l.consistency());
                assertEquals(l.dReal() + l.dFake(), l.dTotal(), 1e-6);
            }
        }
    }

    @Test
    void mismatchedConfigsAreRefused() {
        try (Models a = Models.of(ModelConfig.of(32, 1, 2, 0), 1, true);
             BigGanGenerator other = new BigGanGenerator(ModelConfig.of(32, 1, 4, 0), null)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new GanStep(a.g(), a.d(),
                    other, GanStep.Settings.of(1e-4, 4e-4, CutMixRegime.OFF), new Generator(1)));
            assertTrue(e.getMessage().contains("one model config"), e.getMessage());
        }
    }

    /**
     * Phase 1, G frozen (lr 0): D's loss falls, and D's per-pixel map of a fresh CutMix image correlates with the
     * mask. Phase 2, D frozen: G's loss falls. Every-batch CutMix, BCE, the official betas.
     */
    @Test
    void onAToyDistributionDLearnsThePixelsAndGLearnsToFoolAFixedD() {
        try (Models m = Models.of(ModelConfig.of(32, 1, 4, 0), 11, true)) {
            Generator data = new Generator(12);
            List<GanStep.Losses> dPhase;
            try (GanStep step = m.step(GanStep.Settings.of(0, 1e-3, CutMixRegime.EVERY_BATCH), 13)) {
                dPhase = run(step, data, 120, 0);
            }
            double dStart = mean(dPhase, 0, 10, GanStep.Losses::dTotal);
            double dEnd = mean(dPhase, 110, 120, GanStep.Losses::dTotal);
            double corr = maskCorrelation(m, data, new Generator(14));
            System.out.printf("toy: D loss %.4f -> %.4f, pixel-map/mask correlation %.3f%n", dStart, dEnd, corr);
            assertTrue(dEnd < 0.5 * dStart, "D loss " + dStart + " -> " + dEnd);
            assertTrue(corr > 0.5, "correlation of D's pixel map with the CutMix mask: " + corr);

            List<GanStep.Losses> gPhase;
            try (GanStep step = m.step(GanStep.Settings.of(1e-3, 0, CutMixRegime.OFF), 15)) {
                gPhase = run(step, data, 60, 0);
            }
            double gStart = mean(gPhase, 0, 5, GanStep.Losses::gTotal);
            double gEnd = mean(gPhase, 55, 60, GanStep.Losses::gTotal);
            System.out.printf("toy: G loss %.4f -> %.4f%n", gStart, gEnd);
            assertTrue(gEnd < 0.5 * gStart, "G loss " + gStart + " -> " + gEnd);
        }
    }

    /** Pearson correlation, over all pixels of a CutMix batch, between D's per-pixel logits and the mask. */
    private static double maskCorrelation(Models m, Generator data, Generator rng) {
        try (Scope scope = Scope.open(); NoGrad ng = NoGrad.enter()) {
            m.g().eval();
            m.d().eval();
            NDArray fake = m.g().forward(Tensor.of(m.g().sampleZ(rng, B)), null).value();
            GanOps.Mix mix = CutMix.blend(realBatch(data, B), fake, CutMix.sample(rng, B, 32));
            double[] map = m.d().forward(Tensor.of(mix.mixed()), null).dec().value().toDoubleArray();
            double[] mask = mix.mask().toDoubleArray();
            return pearson(map, mask);
        }
    }

    private static double pearson(double[] a, double[] b) {
        double ma = 0, mb = 0;
        for (int i = 0; i < a.length; i++) {
            ma += a[i];
            mb += b[i];
        }
        ma /= a.length;
        mb /= b.length;
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.length; i++) {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return sab / Math.sqrt(saa * sbb);
    }

    /** 200 iterations: after a warm-up, the live heap after GC stays flat (nothing leaks across steps). */
    @Test
    void twoHundredIterationsDoNotGrowTheHeap() {
        try (Models m = Models.of(ModelConfig.of(32, 1, 2, 0), 30, true);
             GanStep step = m.step(GanStep.Settings.of(1e-4, 4e-4, CutMixRegime.EVERY_BATCH), 31)) {
            Generator data = new Generator(32);
            run(step, data, 20, 0);
            long warm = usedHeapAfterGc();
            run(step, data, 180, 0);
            long growth = usedHeapAfterGc() - warm;
            assertTrue(growth < 8L << 20, "heap grew by " + (growth >> 10) + " KiB over 180 iterations");
        }
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    @Test
    void standingStatisticsForgetThePastAndEndInEvalMode() {
        ModelConfig cfg = ModelConfig.of(32, 1, 2, 0);
        List<Map<String, double[]>> results = new ArrayList<>();
        for (double garbage : new double[]{0, 100}) {
            try (BigGanGenerator g = new BigGanGenerator(cfg, new Generator(20))) {
                g.namedBuffers().forEach((k, v) -> {
                    if (k.endsWith("stored_mean")) {
                        Ops.copyInto(NDArray.full(v.shape(), v.dtype(), v.device(), garbage), v);
                    }
                });
                g.standingStatistics(5, 4, new Generator(21));
                assertFalse(g.isTraining());
                Map<String, double[]> stats = new java.util.TreeMap<>();
                g.namedBuffers().forEach((k, v) -> stats.put(k, v.toDoubleArray()));
                results.add(stats);
            }
        }
        assertEquals(results.get(0).keySet(), results.get(1).keySet());
        results.get(0).forEach((k, v) -> {
            assertTrue(java.util.Arrays.equals(v, results.get(1).get(k)), k);
            if (k.endsWith("stored_mean")) {
                assertTrue(java.util.Arrays.stream(v).anyMatch(x -> x != 0), k + " was not refreshed");
            }
        });
    }
}
