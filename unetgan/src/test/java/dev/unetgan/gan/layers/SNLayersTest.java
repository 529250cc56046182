package dev.unetgan.gan.layers;

import static dev.unetgan.gan.layers.SpectralNormTest.EPS;
import static dev.unetgan.gan.layers.SpectralNormTest.assertClose;
import static dev.unetgan.gan.layers.SpectralNormTest.gaussian;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.unetgan.autograd.GradCheck;
import dev.unetgan.autograd.NoGrad;
import dev.unetgan.autograd.Tensor;
import dev.unetgan.gan.layers.SpectralNormTest.Naive;
import dev.unetgan.nn.F;
import dev.unetgan.nn.Module;
import dev.unetgan.tensor.Conv2dSpec;
import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.Generator;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Ops;
import dev.unetgan.tensor.Scope;
import dev.unetgan.tensor.Shape;

/** {@link SNConv2d}, {@link SNLinear} and {@link SNEmbedding}: state, init, forward against naive loops, gradients. */
class SNLayersTest {

    private static void assertShapes(Module m, Object... namesAndShapes) {
        Map<String, NDArray> state = m.stateDict();
        assertEquals(namesAndShapes.length / 2, state.size(), "keys " + state.keySet());
        int k = 0;
        for (Map.Entry<String, NDArray> e : state.entrySet()) {
            assertEquals(namesAndShapes[k], e.getKey());
            assertEquals(namesAndShapes[k + 1], e.getValue().shape(), e.getKey());
            k += 2;
        }
    }

    @Test
    void stateDictNamesAndShapes() {
        Generator gen = new Generator(1);
        try (SNConv2d conv = new SNConv2d(3, 8, 3, 1, gen);
             SNConv2d noBias = SNConv2d.builder(3, 8, 1).bias(false).build(gen);
             SNLinear lin = new SNLinear(5, 4, gen);
             SNEmbedding emb = new SNEmbedding(10, 6, gen)) {
            assertShapes(conv, "weight", Shape.of(8, 3, 3, 3), "bias", Shape.of(8), "u0", Shape.of(1, 8), "sv0", Shape.of(1));
            assertShapes(noBias, "weight", Shape.of(8, 3, 1, 1), "u0", Shape.of(1, 8), "sv0", Shape.of(1));
            assertShapes(lin, "weight", Shape.of(4, 5), "bias", Shape.of(4), "u0", Shape.of(1, 4), "sv0", Shape.of(1));
            assertShapes(emb, "weight", Shape.of(10, 6), "u0", Shape.of(1, 10), "sv0", Shape.of(1));
            // u and sv are buffers, not trainable.
            assertEquals(8 * 27 + 8, conv.parameterCount());
            assertEquals(60, emb.parameterCount());
        }
    }

    @Test
    void initialization() {
        Generator gen = new Generator(2);
        try (SNConv2d conv = new SNConv2d(16, 8, 3, 1, gen); SNLinear tall = new SNLinear(4, 12, gen)) {
            // Orthogonal rows (rows <= cols) or columns (rows > cols), gain 1.
            assertOrthonormal(conv.weight().value().toDoubleArray(), 8, 144, true);
            assertOrthonormal(tall.weight().value().toDoubleArray(), 12, 4, false);
            // PyTorch's default bias: U(-1/sqrt(fanIn), 1/sqrt(fanIn)), not zero.
            double bound = 1 / Math.sqrt(144);
            double[] b = conv.bias().value().toDoubleArray();
            boolean nonzero = false;
            for (double x : b) {
                assertTrue(Math.abs(x) <= bound, "bias " + x + " within " + bound);
                nonzero |= x != 0;
            }
            assertTrue(nonzero);
            // u: N(0,1) and not normalized; sv starts at 1.
            double[] u = conv.spectralNorm().u().toDoubleArray();
            double norm = 0;
            for (double x : u) {
                norm += x * x;
            }
            assertTrue(Math.abs(Math.sqrt(norm) - 1) > 1e-3, "u is not normalized: |u| = " + Math.sqrt(norm));
            assertEquals(1, conv.spectralNorm().sv().item(), 0);
        }
    }

    private static void assertOrthonormal(double[] w, int rows, int cols, boolean byRows) {
        int n = byRows ? rows : cols;
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                double d = 0;
                for (int k = 0; k < (byRows ? cols : rows); k++) {
                    d += byRows ? w[a * cols + k] * w[b * cols + k] : w[k * cols + a] * w[k * cols + b];
                }
                assertEquals(a == b ? 1 : 0, d, 1e-5, "gram[" + a + "," + b + "]");
            }
        }
    }

    /**
     * UNETGAN.md §4's testing note: an orthogonal weight with rows <= cols has every singular value 1, so σ = 1 for
     * any u and SN does nothing; after perturbing the weight it must not be 1.
     */
    @Test
    void orthogonalInitGivesSigmaOneUntilPerturbed() {
        Generator gen = new Generator(3);
        try (SNConv2d conv = new SNConv2d(4, 6, 3, 1, gen); Scope scope = Scope.open(); NoGrad ng = NoGrad.enter()) {
            Tensor x = Tensor.of(gen.normal(Shape.of(2, 4, 5, 5), DType.F32, conv.weight().device(), 0, 1));
            conv.forward(x);
            assertEquals(1, conv.spectralNorm().sv().item(), 1e-5);
            perturb(conv.weight(), gen, 0.3);
            conv.forward(x);
            assertTrue(Math.abs(conv.spectralNorm().sv().item() - 1) > 0.05, "sv " + conv.spectralNorm().sv().item());
        }
    }

    /** {@code w += scale·N(0,1)}. */
    private static void perturb(Tensor w, Generator gen, double scale) {
        try (Scope scope = Scope.open()) {
            NDArray noise = gen.normal(w.shape(), w.dtype(), w.device(), 0, scale);
            Ops.copyInto(Ops.add(w.value(), noise), w.value());
        }
    }

    /** The layer's normalized weight, from a naive iteration on its current u; the naive result too. */
    private static double[] naiveNormalized(SpectralNorm.Normalized layer, Naive[] iteration) {
        double[] w = layer.weight().value().toDoubleArray();
        Naive n = Naive.of(w, layer.spectralNorm().u().toDoubleArray(), layer.weight().dim(0), EPS);
        iteration[0] = n;
        for (int i = 0; i < w.length; i++) {
            w[i] /= n.sigma();
        }
        return w;
    }

    /**
     * The forward of each layer equals the plain layer computation on a naively normalized weight; training mode
     * writes u0 and sv0, eval mode and a frozen layer do not (and give the same output).
     */
    @Test
    void forwardUsesNormalizedWeightAndUpdatesStateOnlyInTraining() {
        for (DType dtype : new DType[]{DType.F64, DType.F32}) {
            double tol = dtype == DType.F64 ? 1e-12 : 1e-5;
            Generator gen = new Generator(4);
            try (SNConv2d conv = SNConv2d.builder(3, 5, 3).padding(1).stride(2).dtype(dtype).build(gen);
                 SNLinear lin = SNLinear.builder(6, 4).dtype(dtype).build(gen);
                 SNEmbedding emb = SNEmbedding.builder(7, 3).dtype(dtype).build(gen);
                 Scope scope = Scope.open()) {
                for (SpectralNorm.Normalized layer : List.<SpectralNorm.Normalized>of(conv, lin, emb)) {
                    perturb(layer.weight(), gen, 0.5);
                }
                Tensor xc = Tensor.of(gen.normal(Shape.of(2, 3, 7, 7), dtype, conv.weight().device(), 0, 1));
                Tensor xl = Tensor.of(gen.normal(Shape.of(3, 6), dtype, lin.weight().device(), 0, 1));
                NDArray idx = NDArray.of(new int[]{6, 0, 3, 3}, Shape.of(4), lin.weight().device());
                for (String mode : new String[]{"eval", "frozen", "train"}) {
                    for (Module m : List.<Module>of(conv, lin, emb)) {
                        m.train(!mode.equals("eval"));
                        SpectralNorm.freeze(m, mode.equals("frozen"));
                    }
                    Naive[] it = new Naive[1];
                    // conv: compare with the unnormalized conv on W/σ.
                    double[] ws = naiveNormalized(conv, it);
                    double[] u0 = conv.spectralNorm().u().toDoubleArray();
                    double[] expected = F.conv2d(xc, Tensor.of(SpectralNormTest.array(ws, dtype, 5, 3, 3, 3)), conv.bias(),
                            conv.spec()).value().toDoubleArray();
                    assertClose(expected, conv.forward(xc).value().toDoubleArray(), tol, dtype + " " + mode + " conv");
                    checkState(conv, mode, u0, it[0], tol);
                    // linear: x·(W/σ)ᵀ + b by loops.
                    ws = naiveNormalized(lin, it);
                    u0 = lin.spectralNorm().u().toDoubleArray();
                    double[] x = xl.value().toDoubleArray();
                    double[] b = lin.bias().value().toDoubleArray();
                    expected = new double[12];
                    for (int n = 0; n < 3; n++) {
                        for (int o = 0; o < 4; o++) {
                            double s = b[o];
                            for (int i = 0; i < 6; i++) {
                                s += x[n * 6 + i] * ws[o * 6 + i];
                            }
                            expected[n * 4 + o] = s;
                        }
                    }
                    assertClose(expected, lin.forward(xl).value().toDoubleArray(), tol, dtype + " " + mode + " linear");
                    checkState(lin, mode, u0, it[0], tol);
                    // embedding: rows of W/σ.
                    ws = naiveNormalized(emb, it);
                    u0 = emb.spectralNorm().u().toDoubleArray();
                    expected = new double[12];
                    int[] rows = {6, 0, 3, 3};
                    for (int r = 0; r < 4; r++) {
                        System.arraycopy(ws, rows[r] * 3, expected, r * 3, 3);
                    }
                    assertClose(expected, emb.forward(idx).value().toDoubleArray(), tol, dtype + " " + mode + " embedding");
                    checkState(emb, mode, u0, it[0], tol);
                }
            }
        }
    }

    private static void checkState(SpectralNorm.Normalized layer, String mode, double[] uBefore, Naive it, double tol) {
        double[] u = layer.spectralNorm().u().toDoubleArray();
        double sv = layer.spectralNorm().sv().item();
        if (mode.equals("train")) {
            assertClose(it.u(), u, tol, mode + " u0 := u'");
            assertEquals(it.sigma(), sv, tol * it.sigma(), mode + " sv0 := sigma");
        } else {
            assertArrayEquals(uBefore, u, 0, mode + " leaves u0");
            assertEquals(1, sv, 0, mode + " leaves sv0");
        }
    }

    /**
     * F64 gradient checks of each layer's forward w.r.t. its input and its weight, with u converged and then frozen
     * (eval mode for the conv and embedding, training mode with {@link SpectralNorm#freeze} for the linear).
     */
    @Test
    void gradCheckLayers() {
        Generator gen = new Generator(5);
        try (SNConv2d conv = SNConv2d.builder(2, 3, 3).padding(1).dtype(DType.F64).build(gen);
             SNLinear lin = SNLinear.builder(4, 3).dtype(DType.F64).build(gen);
             SNEmbedding emb = SNEmbedding.builder(5, 3).dtype(DType.F64).build(gen);
             Scope scope = Scope.open()) {
            for (SpectralNorm.Normalized layer : List.<SpectralNorm.Normalized>of(conv, lin, emb)) {
                perturb(layer.weight(), gen, 0.5);
            }
            SpectralNorm.converge(conv, 500);
            SpectralNorm.converge(lin, 500);
            SpectralNorm.converge(emb, 500);
            conv.eval();
            emb.eval();
            lin.train();
            SpectralNorm.freeze(lin, true);
            double[] uLin = lin.spectralNorm().u().toDoubleArray();

            NDArray xc = NDArray.of(gaussian(2 * 2 * 4 * 4, 1), 2, 2, 4, 4);
            GradCheck.check("SNConv2d input", xs -> conv.forward(xs.get(0)), xc);
            GradCheck.check("SNConv2d input+weight", xs -> conv.forward(xs.get(0), xs.get(1)), xc, conv.weight().value());

            NDArray xl = NDArray.of(gaussian(2 * 4, 2), 2, 4);
            GradCheck.check("SNLinear input", xs -> lin.forward(xs.get(0)), xl);
            GradCheck.check("SNLinear input+weight", xs -> lin.forward(xs.get(0), xs.get(1)), xl, lin.weight().value());
            assertArrayEquals(uLin, lin.spectralNorm().u().toDoubleArray(), 0, "frozen u0 unchanged in training mode");

            NDArray idx = NDArray.of(new int[]{4, 0, 2, 2}, Shape.of(4), emb.weight().device());
            GradCheck.check("SNEmbedding weight", xs -> emb.forward(idx, xs.get(0)), emb.weight().value());
        }
    }

    /** The gradient reaches the layer's own weight parameter through σ (not only through the numerator). */
    @Test
    void backwardReachesTheWeightParameter() {
        Generator gen = new Generator(6);
        try (SNLinear lin = SNLinear.builder(3, 2).dtype(DType.F64).build(gen); Scope scope = Scope.open()) {
            perturb(lin.weight(), gen, 0.5);
            Tensor x = Tensor.of(NDArray.of(gaussian(3, 3), 1, 3));
            lin.forward(x).sum().backward();
            double[] g = lin.weight().grad().toDoubleArray();
            // d/dW of Σ x·(W/σ)ᵀ without the σ term would be x in each row, divided by σ.
            double sigma = lin.spectralNorm().sv().item();
            double[] xs = x.value().toDoubleArray();
            boolean differs = false;
            for (int o = 0; o < 2; o++) {
                for (int i = 0; i < 3; i++) {
                    differs |= Math.abs(g[o * 3 + i] - xs[i] / sigma) > 1e-6;
                }
            }
            assertTrue(differs, "the σ term contributes");
            assertFalse(Double.isNaN(g[0]));
        }
    }
}
