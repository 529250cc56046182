package dev.unetgan.gan.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.unetgan.tensor.CutMixBox;
import dev.unetgan.tensor.GanOps;
import dev.unetgan.tensor.Generator;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Ops;
import dev.unetgan.tensor.Scope;

class CutMixTest {
    /** The mask of one box at size S through the fused primitive (real = ones, fake = zeros), as rows of 0/1 digits. */
    private static String[] maskRows(CutMixBox box, int s) {
        try (Scope scope = Scope.open()) {
            NDArray ones = Ops.add(NDArray.zeros(dev.unetgan.tensor.Shape.of(1, 1, s, s), dev.unetgan.tensor.DType.F32,
                    dev.unetgan.tensor.Device.CPU), NDArray.of(new float[]{1}, 1));
            NDArray zeros = NDArray.of(new float[s * s], 1, 1, s, s);
            GanOps.Mix mix = CutMix.blend(ones, zeros, new CutMixBox[]{box});
            float[] m = mix.mask().toFloatArray();
            assertArrayEquals(m, mix.mixed().toFloatArray(), 0f);
            String[] rows = new String[s];
            for (int i = 0; i < s; i++) {
                StringBuilder sb = new StringBuilder();
                for (int j = 0; j < s; j++) sb.append((int) m[i * s + j]);
                rows[i] = sb.toString();
            }
            return rows;
        }
    }

    @Test
    void handWorkedBoxes() {
        // S = 8, lam = 0.4375: sqrt(1 - lam) = 0.75, w = 6, half 3; center row 1, column 6:
        // rows [-2, 4) -> [0, 4), columns [3, 9) -> [3, 8).
        assertEquals(new CutMixBox(0, 4, 3, 8, false), CutMix.box(8, 0.4375, 1, 6, false));
        assertArrayEquals(new String[]{
                "11100000",
                "11100000",
                "11100000",
                "11100000",
                "11111111",
                "11111111",
                "11111111",
                "11111111"}, maskRows(CutMix.box(8, 0.4375, 1, 6, false), 8));
        // lam = 0.609375: sqrt = 0.625, w = 5 (odd), half 2, so the box covers 4 pixels per side; center (4, 3):
        // rows [2, 6), columns [1, 5); inverted, so only the box is real.
        assertArrayEquals(new String[]{
                "00000000",
                "00000000",
                "01111000",
                "01111000",
                "01111000",
                "01111000",
                "00000000",
                "00000000"}, maskRows(CutMix.box(8, 0.609375, 4, 3, true), 8));
    }

    @Test
    void emptyAndFullBoxes() {
        String[] allReal = {"11111", "11111", "11111", "11111", "11111"};
        String[] allFake = {"00000", "00000", "00000", "00000", "00000"};
        // lam -> 1: w = floor(5·0.0316) = 0, an empty box; and w = 1 also covers 2·floor(1/2) = 0 pixels.
        CutMixBox w0 = CutMix.box(5, 0.999, 2, 2, false);
        CutMixBox w1 = CutMix.box(5, 1 - 0.25 * 0.25, 2, 2, false);
        assertEquals(0, w0.area());
        assertEquals(0, w1.area());
        assertArrayEquals(allReal, maskRows(w0, 5));
        assertArrayEquals(allReal, maskRows(w1, 5));
        assertArrayEquals(allFake, maskRows(CutMix.box(5, 0.999, 0, 4, true), 5));
        // lam = 0: w = S = 4, half 2, centered at (2, 2): the whole image. At (0, 3) it is clipped to a corner:
        // rows [-2, 2) -> [0, 2), columns [1, 5) -> [1, 4).
        assertArrayEquals(new String[]{"0000", "0000", "0000", "0000"}, maskRows(CutMix.box(4, 0, 2, 2, false), 4));
        assertArrayEquals(new String[]{"1111", "1111", "1111", "1111"}, maskRows(CutMix.box(4, 0, 2, 2, true), 4));
        assertArrayEquals(new String[]{"1000", "1000", "1111", "1111"}, maskRows(CutMix.box(4, 0, 0, 3, false), 4));
    }

    @Test
    void drawsLamThenRowThenColumnThenInversionPerSample() {
        Generator a = new Generator(99);
        Generator b = new Generator(99);
        for (CutMixBox got : CutMix.sample(a, 6, 32)) {
            double lam = b.nextDouble();
            int cx = (int) (b.nextDouble() * 32);
            int cy = (int) (b.nextDouble() * 32);
            boolean inv = b.nextDouble() < 0.5;
            assertEquals(CutMix.box(32, lam, cx, cy, inv), got);
        }
        assertEquals(b.offset(), a.offset());
    }

    /**
     * 20,000 masks at S = 128 through the fused blend: the mean real fraction is 0.50 ± 0.01 and half are inverted.
     * The non-inverted ones also match the exact expectation of the box arithmetic, computed by enumerating the
     * side w (P(w) from lam ~ U(0,1)) and the center row and column.
     */
    @Test
    void statisticsOverTwentyThousandMasks() {
        int s = 128, total = 20_000, batch = 500;
        Generator rng = new Generator(2020);
        double realSum = 0, plainSum = 0;
        int inverted = 0;
        for (int done = 0; done < total; done += batch) {
            CutMixBox[] boxes = CutMix.sample(rng, batch, s);
            try (Scope scope = Scope.open()) {
                NDArray ones = Ops.add(NDArray.zeros(dev.unetgan.tensor.Shape.of(batch, 1, s, s),
                        dev.unetgan.tensor.DType.F32, dev.unetgan.tensor.Device.CPU), NDArray.of(new float[]{1}, 1));
                NDArray zeros = NDArray.zeros(ones.shape(), ones.dtype(), ones.device());
                GanOps.Mix mix = CutMix.blend(ones, zeros, boxes);
                double[] perMask = Ops.mean(mix.mask(), 1, 2, 3).toDoubleArray();
                for (int i = 0; i < batch; i++) {
                    realSum += perMask[i];
                    if (boxes[i].inverted()) {
                        inverted++;
                    } else {
                        plainSum += perMask[i];
                    }
                }
            }
        }
        double meanReal = realSum / total;
        double invRate = inverted / (double) total;
        assertEquals(0.5, meanReal, 0.01, "mean real fraction");
        assertEquals(0.5, invRate, 0.01, "inversion rate");
        assertEquals(expectedPlainRealFraction(s), plainSum / (total - inverted), 0.01, "non-inverted real fraction");
        assertTrue(expectedPlainRealFraction(s) > 0.55, "clipping leaves more than half real");
    }

    /** E[1 - clipped box area / S²] for a non-inverted mask, by exact enumeration. */
    private static double expectedPlainRealFraction(int s) {
        double e = 0;
        for (int w = 0; w <= s; w++) {
            // w = floor(S·sqrt(1-lam)) = w  <=>  (w/S)² <= 1 - lam < ((w+1)/S)²,  and 1 - lam ~ U(0,1].
            double p = Math.min(1, Math.pow((w + 1.0) / s, 2)) - Math.pow((double) w / s, 2);
            double meanSide = 0;
            for (int c = 0; c < s; c++) {
                meanSide += Math.min(s, c + w / 2) - Math.max(0, c - w / 2);
            }
            meanSide /= s;
            e += p * (1 - meanSide * meanSide / ((double) s * s));
        }
        return e;
    }
}
