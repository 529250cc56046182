package dev.unetgan.nn.optim;

import dev.unetgan.nn.Module;
import dev.unetgan.nn.StateDictException;
import dev.unetgan.nn.layers.BatchNorm2d;
import dev.unetgan.nn.layers.Linear;
import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.Device;
import dev.unetgan.tensor.Generator;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Ops;
import dev.unetgan.tensor.Shape;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmaTest {

    /** One F64 parameter and one I32 buffer, so the averaging and the copying are both visible. */
    static final class Tiny extends Module {
        final NDArray w;
        final NDArray count;

        Tiny() {
            w = registerParameter("w", NDArray.zeros(Shape.of(2), DType.F64, Device.CPU)).value();
            count = registerBuffer("count", NDArray.zeros(Shape.of(1), DType.I32, Device.CPU));
        }

        void set(double a, double b, int c) {
            Ops.copyInto(NDArray.of(new double[]{a, b}, 2), w);
            Ops.copyInto(NDArray.of(new int[]{c}, Shape.of(1), Device.CPU), count);
        }
    }

    /**
     * decay 0.5, start step 2. Source values per step t: w = (t, -2t), count = t.
     * t=0: copy -> (0, 0); t=1: copy -> (1, -2); t=2: 0.5·(1,-2) + 0.5·(2,-4) = (1.5, -3);
     * t=3: 0.5·(1.5,-3) + 0.5·(3,-6) = (2.25, -4.5); t=4: 0.5·(2.25,-4.5) + 0.5·(4,-8) = (3.125, -6.25).
     * The I32 count is always copied.
     */
    @Test
    void followsAHandComputedSequence() {
        double[][] expected = {{0, 0}, {1, -2}, {1.5, -3}, {2.25, -4.5}, {3.125, -6.25}};
        try (Tiny src = new Tiny(); Ema ema = new Ema(src, 0.5, 2)) {
            for (int t = 0; t < 5; t++) {
                src.set(t, -2 * t, t);
                ema.update(t);
                assertArrayEquals(expected[t], ema.state().get("w").toDoubleArray(), 1e-15, "step " + t);
                assertArrayEquals(new int[]{t}, ema.state().get("count").toIntArray());
            }
            assertArrayEquals(new double[]{4, -8}, src.w.toDoubleArray(), "source untouched");
            try (Tiny out = new Tiny()) {
                ema.copyTo(out);
                assertArrayEquals(expected[4], out.w.toDoubleArray(), 1e-15);
                // resuming: a second Ema restored from the first one's state continues identically
                try (Ema resumed = new Ema(src, 0.5, 2)) {
                    assertThrows(StateDictException.class, () -> resumed.loadState(java.util.Map.of("w", out.w)));
                    assertArrayEquals(new double[]{4, -8}, resumed.state().get("w").toDoubleArray(), "unchanged");
                    resumed.loadState(ema.state());
                    ema.update(5);
                    resumed.update(5);
                    assertArrayEquals(ema.state().get("w").toDoubleArray(), resumed.state().get("w").toDoubleArray(), 0);
                }
            }
        }
    }

    /** decay 0.9 in F32, as BigGAN's G_ema, with the shadow held in a second module that can be run. */
    @Test
    void shadowModuleIncludesBatchNormBuffers() {
        try (BatchNorm2d src = BatchNorm2d.builder(2).build(); BatchNorm2d shadow = BatchNorm2d.builder(2).build()) {
            Ops.copyInto(NDArray.of(new float[]{4, 8}, 2), src.runningMean());
            Ops.copyInto(NDArray.of(new float[]{2, 3}, 2), src.weight().value());
            try (Ema ema = new Ema(src, shadow, 0.9, 0)) {
                assertArrayEquals(new float[]{4, 8}, shadow.runningMean().toFloatArray(), "starts as a copy");
                Ops.copyInto(NDArray.of(new float[]{14, -2}, 2), src.runningMean());
                Ops.copyInto(NDArray.of(new int[]{7}, Shape.scalar(), Device.CPU), src.numBatchesTracked());
                ema.update(0);
                assertArrayEquals(new float[]{0.9f * 4 + 0.1f * 14, 0.9f * 8 + 0.1f * -2},
                        shadow.runningMean().toFloatArray(), 1e-6f);
                assertArrayEquals(new float[]{2, 3}, shadow.weight().value().toFloatArray(), 1e-6f);
                assertEquals(7, shadow.numBatchesTracked().item());
                assertEquals(List.copyOf(src.stateDict().keySet()), List.copyOf(ema.state().keySet()));
            }
            assertTrue(!shadow.runningMean().isClosed(), "a borrowed shadow is not closed by the Ema");
        }
    }

    @Test
    void privateCopiesAreFreedAndMismatchedTargetsRejected() {
        Ema ema;
        try (Linear l = new Linear(3, 2, new Generator(1))) {
            ema = new Ema(l, 0.99, 0);
            assertTrue(ema.state().values().stream().noneMatch(a -> a == l.weight().value()), "copies, not aliases");
            try (Linear other = new Linear(2, 3, new Generator(1))) {
                assertThrows(StateDictException.class, () -> new Ema(l, other, 0.99, 0));
            }
        }
        List<NDArray> copies = List.copyOf(ema.state().values());
        ema.close();
        assertTrue(copies.stream().allMatch(NDArray::isClosed));
        assertThrows(IllegalArgumentException.class, () -> new Ema(new Tiny(), 1.5, 0));
    }
}
