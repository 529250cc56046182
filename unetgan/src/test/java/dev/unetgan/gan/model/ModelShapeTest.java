package dev.unetgan.gan.model;

import dev.unetgan.autograd.NoGrad;
import dev.unetgan.autograd.Tensor;
import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.Device;
import dev.unetgan.tensor.Generator;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Scope;
import dev.unetgan.tensor.Shape;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Output shapes of G, the U-Net D and the baseline D at every resolution, unconditional and conditional. */
class ModelShapeTest {
    @ParameterizedTest
    @CsvSource({"32,1,0", "32,3,10", "64,3,0", "64,1,5", "128,3,0", "128,3,4", "256,3,0", "256,1,3"})
    void shapesAtEveryResolution(int res, int c, int classes) {
        ModelConfig cfg = ModelConfig.of(res, c, 2, classes).withAttention(res == 32 ? Set.of(16) : Set.of());
        Generator gen = new Generator(7);
        int b = 2;
        try (BigGanGenerator g = new BigGanGenerator(cfg, gen);
             UNetDiscriminator d = new UNetDiscriminator(cfg, gen);
             BigGanDiscriminator base = new BigGanDiscriminator(cfg, gen);
             Scope scope = Scope.open(); NoGrad ng = NoGrad.enter()) {
            NDArray y = classes > 0 ? NDArray.of(new int[]{0, classes - 1}, Shape.of(b), Device.CPU) : null;
            Tensor z = Tensor.of(gen.normal(Shape.of(b, 128), DType.F32, Device.CPU, 0, 1));
            Tensor img = g.forward(z, y);
            assertArrayEquals(new int[]{b, c, res, res}, img.shape().dims());
            double[] v = img.value().toDoubleArray();
            for (double x : v) {
                assertTrue(x > -1 && x < 1 && Double.isFinite(x), "tanh range");
            }
            Discriminator.Outputs out = d.forward(img, y);
            assertArrayEquals(new int[]{b, 1}, out.enc().shape().dims());
            assertArrayEquals(new int[]{b, 1, res, res}, out.dec().shape().dims());
            Discriminator.Outputs baseline = base.forward(img, y);
            assertArrayEquals(new int[]{b, 1}, baseline.enc().shape().dims());
            assertNull(baseline.dec());
            g.eval();
            assertArrayEquals(new int[]{b, c, res, res}, g.forward(z, y).shape().dims());
        }
    }
}
