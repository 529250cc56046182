package dev.unetgan.gan.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.unetgan.gan.model.BigGanGenerator;
import dev.unetgan.gan.model.ModelConfig;
import dev.unetgan.gan.model.UNetDiscriminator;
import dev.unetgan.tensor.Device;
import dev.unetgan.tensor.Generator;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Scope;
import dev.unetgan.tensor.Shape;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

/**
 * Whole U-Net GAN iterations on the CUDA backend (the host emulation here; the driver on a GPU machine) against the
 * CPU backend: the same seeds, models built on each device, every-batch CutMix, class-conditional. Each loss term
 * must agree within F32 tolerances (Philox normals may differ by one ulp, and kernels add in other
 * orders), so every primitive a training step reaches is exercised end to end on the CUDA code path.
 */
class GanStepCudaParityTest {
    private static final int B = 2;
    private static final int ITERATIONS = 2;

    private static List<GanStep.Losses> run(Device device) {
        ModelConfig cfg = ModelConfig.of(32, 1, 2, 3).withDevice(device);
        Generator init = new Generator(1);
        try (BigGanGenerator g = new BigGanGenerator(cfg, init);
             UNetDiscriminator d = new UNetDiscriminator(cfg, init);
             BigGanGenerator gEma = new BigGanGenerator(cfg, null);
             GanStep step = new GanStep(g, d, gEma, GanStep.Settings.of(1e-4, 4e-4, CutMixRegime.EVERY_BATCH),
                     new Generator(2))) {
            Generator data = new Generator(3);
            List<GanStep.Losses> out = new ArrayList<>();
            for (int i = 0; i < ITERATIONS; i++) {
                try (Scope scope = Scope.open()) {
                    NDArray x = data.uniform(Shape.of(B, 1, 32, 32), cfg.dtype(), device, -1, 1);
                    NDArray y = NDArray.of(new int[]{2, 0}, Shape.of(B), device);
                    out.add(step.step(x, y, i, 0));
                }
            }
            return out;
        }
    }

    @Test
    void trainingIterationsMatchTheCpu() {
        List<GanStep.Losses> cpu = run(Device.CPU);
        List<GanStep.Losses> cuda = run(Device.cuda(0));
        for (int i = 0; i < ITERATIONS; i++) {
            GanStep.Losses c = cpu.get(i), g = cuda.get(i);
            String at = "iteration " + i + ": cuda " + g + " vs cpu " + c;
            double[] want = {c.dTotal(), c.dReal(), c.dFake(), c.mixDec(), c.mixEnc(), c.consistency(), c.gTotal()};
            double[] got = {g.dTotal(), g.dReal(), g.dFake(), g.mixDec(), g.mixEnc(), g.consistency(), g.gTotal()};
            for (int k = 0; k < want.length; k++) {
                assertEquals(want[k], got[k], 1e-4 + 2e-3 * Math.abs(want[k]), "term " + k + ", " + at);
            }
            assertEquals(c.mixed(), g.mixed(), at);
        }
    }
}
