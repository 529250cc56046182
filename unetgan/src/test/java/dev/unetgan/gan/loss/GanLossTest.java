package dev.unetgan.gan.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import dev.unetgan.autograd.GradCheck;
import dev.unetgan.autograd.NoGrad;
import dev.unetgan.autograd.Tensor;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Scope;

class GanLossTest {
    /** Values in [-3, 3], at least 0.05 from the hinge kinks at ±1 and from 0, so central differences are clean. */
    private static double[] values(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            double x;
            do {
                x = r.nextDouble(-3, 3);
            } while (Math.abs(Math.abs(x) - 1) < 0.05 || Math.abs(x) < 0.05);
            v[i] = x;
        }
        return v;
    }

    private static double[] mask(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] m = new double[n];
        for (int i = 0; i < n; i++) m[i] = r.nextBoolean() ? 1 : 0;
        return m;
    }

    @Test
    void everyTermPassesGradCheckForEncoderAndDecoderShapes() {
        int[][] shapes = {{3, 1}, {1, 1}, {2, 1, 3, 5}};
        for (int[] dims : shapes) {
            int n = 1;
            for (int d : dims) n *= d;
            double[] l = values(n, n);
            try (Scope s = Scope.open()) {
                NDArray m = NDArray.of(mask(n, 5 + n), dims);
                NDArray logits = NDArray.of(l, dims);
                for (GanLoss loss : GanLoss.values()) {
                    String what = loss + " " + java.util.Arrays.toString(dims);
                    GradCheck.check(what + " real", in -> loss.real(in.get(0), 0.5), logits);
                    GradCheck.check(what + " fake", in -> loss.fake(in.get(0), 0.5), logits);
                    GradCheck.check(what + " masked", in -> loss.masked(in.get(0), m, 1.0), logits);
                    GradCheck.check(what + " generator", in -> loss.generator(in.get(0), 0.5), logits);
                }
            }
        }
    }

    @Test
    void consistencyPassesGradCheckIntoAllThreeInputs() {
        int[] dims = {2, 1, 3, 5};
        try (Scope s = Scope.open()) {
            NDArray m = NDArray.of(mask(30, 9), dims);
            GradCheck.check("consistency", in -> GanLoss.consistency(in.get(0), in.get(1), in.get(2), m, 0.7),
                    NDArray.of(values(30, 1), dims), NDArray.of(values(30, 2), dims), NDArray.of(values(30, 3), dims));
        }
    }

    /**
     * The D loss of UNETGAN.md §3 with the BCE kind, assembled from the four terms, against a naive double formula;
     * the logit gradients are checked against the closed form {@code 0.5·(σ(l) - t)/n}.
     */
    @Test
    void discriminatorLossOfSection3MatchesNaiveFormula() {
        double[] encReal = {0.3, -1.2}, encFake = {2.0, -0.4};
        double[] decReal = values(2 * 9, 1), decFake = values(2 * 9, 2);
        double expected = 0.5 * (naiveBce(encReal, 1) + naiveBce(decReal, 1)) + 0.5 * (naiveBce(encFake, 0) + naiveBce(decFake, 0));
        try (Scope s = Scope.open()) {
            Tensor er = Tensor.parameter(NDArray.of(encReal, 2, 1));
            Tensor ef = Tensor.parameter(NDArray.of(encFake, 2, 1));
            Tensor dr = Tensor.parameter(NDArray.of(decReal, 2, 1, 3, 3));
            Tensor df = Tensor.parameter(NDArray.of(decFake, 2, 1, 3, 3));
            GanLoss bce = GanLoss.BCE;
            Tensor loss = bce.real(er, 0.5).add(bce.real(dr, 0.5)).add(bce.fake(ef, 0.5)).add(bce.fake(df, 0.5));
            assertEquals(expected, loss.item(), 1e-12);
            loss.backward();
            double[] g = dr.grad().toDoubleArray();
            for (int i = 0; i < g.length; i++) {
                assertEquals(0.5 * (1 / (1 + Math.exp(-decReal[i])) - 1) / 18, g[i], 1e-15);
            }
            double[] ge = ef.grad().toDoubleArray();
            for (int i = 0; i < ge.length; i++) {
                assertEquals(0.5 / (1 + Math.exp(-encFake[i])) / 2, ge[i], 1e-15);
            }
        }
    }

    private static double naiveBce(double[] l, double t) {
        double s = 0;
        for (double v : l) {
            double p = 1 / (1 + Math.exp(-v));
            s -= t * Math.log(p) + (1 - t) * Math.log(1 - p);
        }
        return s / l.length;
    }

    @Test
    void f32BackwardIsTheFusedGradientTimesTheUpstreamScalar() {
        float[] l = {0.5f, -2f, 1.5f, -0.25f, 3f};
        float[] m = {1, 0, 0, 1, 1};
        try (Scope s = Scope.open()) {
            Tensor logits = Tensor.parameter(NDArray.of(l, 5, 1, 1, 1));
            Tensor loss = GanLoss.HINGE.masked(logits, NDArray.of(m, 5, 1, 1, 1), 2.0);
            // relu(1-l) real / relu(1+l) fake: {0.5, 0, 2.5, 1.25, 0}, mean 0.85, times 2.
            assertEquals(1.7, loss.item(), 1e-6);
            loss.backward(NDArray.of(new float[]{3f}, new int[0]));
            // slopes {-1, 0, +1, -1, 0}, times 2/5, times the upstream 3.
            assertArrayEquals(new float[]{-1.2f, 0, 1.2f, -1.2f, 0}, logits.grad().toFloatArray(), 1e-6f);
        }
    }

    @Test
    void noGraphAndNoGradientUnderNoGrad() {
        try (Scope s = Scope.open(); NoGrad ng = NoGrad.enter()) {
            Tensor logits = Tensor.parameter(NDArray.of(new double[]{0.1, 0.2}, 2, 1));
            Tensor loss = GanLoss.BCE.generator(logits, 1);
            assertFalse(loss.requiresGrad());
            assertNull(loss.node());
        }
    }
}
