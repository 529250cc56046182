package dev.unetgan.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import dev.unetgan.tensor.CutMixBox;
import dev.unetgan.tensor.GanOps;
import dev.unetgan.tensor.NDArray;

class CpuCutMixTest {
    /** Empty box, full box, an interior box, one clipped at a corner, inverted ones, a single-pixel box. */
    private static CutMixBox[] boxes(int h, int w) {
        return new CutMixBox[]{
                new CutMixBox(2, 2, 0, w, false),
                new CutMixBox(0, h, 0, w, false),
                new CutMixBox(1, h - 2, 3, w - 1, false),
                new CutMixBox(0, 3, w - 4, w, true),
                new CutMixBox(0, h, 0, w, true),
                new CutMixBox(h - 1, h, 2, 3, false),
        };
    }

    private static void check(int c, int h, int w, boolean f64, boolean scalar) {
        CutMixBox[] boxes = boxes(h, w);
        int b = boxes.length;
        int n = b * c * h * w;
        SplittableRandom r = new SplittableRandom(n);
        double[] x = new double[n], f = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextDouble(-1, 1);
            f[i] = r.nextDouble(-1, 1) + 3; // disjoint ranges, so a wrong source is visible
        }
        // Naive: the definition of §5 written out with explicit loops.
        double[] expMixed = new double[n];
        double[] expMask = new double[b * h * w];
        for (int s = 0; s < b; s++) {
            CutMixBox bx = boxes[s];
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    boolean inBox = i >= bx.rowStart() && i < bx.rowEnd() && j >= bx.colStart() && j < bx.colEnd();
                    double mk = inBox ? 0 : 1;
                    if (bx.inverted()) mk = 1 - mk;
                    expMask[(s * h + i) * w + j] = mk;
                    for (int ch = 0; ch < c; ch++) {
                        int e = ((s * c + ch) * h + i) * w + j;
                        expMixed[e] = mk * x[e] + (1 - mk) * f[e];
                    }
                }
            }
        }
        boolean before = CpuOptions.scalar();
        CpuOptions.setScalar(scalar);
        try (NDArray xa = f64 ? NDArray.of(x, b, c, h, w) : NDArray.of(toFloat(x), b, c, h, w);
             NDArray fa = f64 ? NDArray.of(f, b, c, h, w) : NDArray.of(toFloat(f), b, c, h, w);
             GanOps.Mix mix = GanOps.cutmixBlend(xa, fa, boxes)) {
            String what = c + "x" + h + "x" + w + (f64 ? " F64" : " F32") + (scalar ? " scalar" : "");
            assertEquals(java.util.List.of(b, 1, h, w), java.util.Arrays.stream(mix.mask().shape().dims()).boxed().toList());
            assertArrayEquals(expMask, mix.mask().toDoubleArray(), 0, what);
            double[] expRounded = f64 ? expMixed : toDouble(toFloat(expMixed));
            assertArrayEquals(expRounded, mix.mixed().toDoubleArray(), 0, what);
        } finally {
            CpuOptions.setScalar(before);
        }
    }

    private static float[] toFloat(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return f;
    }

    private static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return d;
    }

    @Test
    void blendMatchesNaiveLoopBitForBit() {
        int[][] sizes = {{1, 5, 7}, {3, 8, 8}, {3, 33, 17}, {2, 64, 64}};
        for (int[] s : sizes) {
            for (boolean f64 : new boolean[]{false, true}) {
                for (boolean scalar : new boolean[]{false, true}) {
                    check(s[0], s[1], s[2], f64, scalar);
                }
            }
        }
    }

    @Test
    void rejectsUnclippedBoxesAndWrongCounts() {
        try (NDArray x = NDArray.of(new float[2 * 3 * 4 * 4], 2, 3, 4, 4);
             NDArray f = NDArray.of(new float[2 * 3 * 4 * 4], 2, 3, 4, 4)) {
            CutMixBox ok = new CutMixBox(0, 2, 0, 2, false);
            assertThrows(IllegalArgumentException.class,
                    () -> GanOps.cutmixBlend(x, f, new CutMixBox[]{ok, new CutMixBox(0, 5, 0, 2, false)}));
            assertThrows(IllegalArgumentException.class, () -> GanOps.cutmixBlend(x, f, new CutMixBox[]{ok}));
            assertThrows(IllegalArgumentException.class, () -> new CutMixBox(3, 2, 0, 1, false));
        }
    }
}
