package dev.unetgan.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;

import dev.unetgan.autograd.Tensor;
import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.Device;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Ops;
import dev.unetgan.tensor.Scope;
import dev.unetgan.tensor.Shape;

class AdamTest {
    private static final double[] W0 = {0.5, -1.5, 2.0, 0.25, -0.75};
    private static final double[] B0 = {0.3, -0.1, 1.2};
    /** The test's loss has gradient {@code C·p + D} per parameter, so gradients follow the parameters. */
    private static final double[] CW = {1, -0.5, 2, 0.3, 1.5};
    private static final double[] DW = {0.1, -0.2, 0.05, 0, 0.3};
    private static final double[] CB = {0.7, -1, 0.2};
    private static final double[] DB = {0, 0.5, -0.1};

    private static NDArray array(double[] data, DType dtype) {
        if (dtype == DType.F64) {
            return NDArray.of(data.clone(), data.length);
        }
        float[] f = new float[data.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) data[i];
        }
        return NDArray.of(f, f.length);
    }

    private static Tensor param(double[] data, DType dtype) {
        return Tensor.parameter(array(data, dtype));
    }

    /** Sets {@code p}'s gradient to exactly {@code g} (a backward from the leaf itself copies the seed). */
    private static void setGrad(Tensor p, double[] g) {
        p.zeroGrad();
        try (NDArray seed = array(g, p.dtype())) {
            p.backward(seed);
        }
    }

    private static double[] affine(double[] c, double[] p, double[] d) {
        double[] g = new double[p.length];
        for (int i = 0; i < g.length; i++) {
            g[i] = c[i] * p[i] + d[i];
        }
        return g;
    }

    /** One parameter of the test's own Adam, written from Kingma & Ba with PyTorch's L2 decay, in double. */
    private static final class Reference {
        final double[] p;
        final double[] m;
        final double[] v;
        long t;

        Reference(double[] p0) {
            p = p0.clone();
            m = new double[p0.length];
            v = new double[p0.length];
        }

        void step(double[] grad, Adam.Options o) {
            t++;
            for (int i = 0; i < p.length; i++) {
                double g = grad[i] + o.weightDecay() * p[i];
                m[i] = o.beta1() * m[i] + (1 - o.beta1()) * g;
                v[i] = o.beta2() * v[i] + (1 - o.beta2()) * g * g;
                double mHat = m[i] / (1 - Math.pow(o.beta1(), t));
                double vHat = v[i] / (1 - Math.pow(o.beta2(), t));
                p[i] -= o.lr() * mHat / (Math.sqrt(vHat) + o.eps());
            }
        }
    }

    private static void assertClose(double[] want, double[] got, double tol, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            if (!(Math.abs(want[i] - got[i]) <= tol * Math.max(1, Math.abs(want[i])))) {
                throw new AssertionError(what + ": element " + i + " is " + got[i] + ", expected " + want[i]);
            }
        }
    }

    private static double[] values(Map<String, NDArray> state, String key) {
        NDArray a = state.get(key);
        assertNotNull(a, "no key " + key + " in " + state.keySet());
        return a.toDoubleArray();
    }

    // ---- the update against the test's own sequence ----

    @Test
    void matchesAHandComputedSequenceWithWeightDecayAndZeroBeta1() {
        Adam.Options unetgan = Adam.Options.lr(0.01).withBetas(0, 0.999).withWeightDecay(0.1);
        Adam.Options other = Adam.Options.lr(0.003).withBetas(0.9, 0.99).withEps(1e-6).withWeightDecay(0.05);
        for (Adam.Options o : new Adam.Options[] {unetgan, other}) {
            checkSequence(o, DType.F64, 1e-13);
            checkSequence(o, DType.F32, 2e-6);
        }
    }

    /**
     * Five steps on two parameters plus one that never gets a gradient; at step 3 only {@code w} has a gradient, so
     * {@code b} is skipped and its step count falls behind.
     */
    private static void checkSequence(Adam.Options o, DType dtype, double tol) {
        try (Scope scope = Scope.open()) {
            Tensor w = param(W0, dtype);
            Tensor b = param(B0, dtype);
            Tensor unused = param(new double[] {4, 5}, dtype);
            Map<String, Tensor> named = new LinkedHashMap<>();
            named.put("w", w);
            named.put("b", b);
            named.put("unused", unused);
            Adam adam = new Adam(named, o);
            Reference rw = new Reference(W0);
            Reference rb = new Reference(B0);
            double[] lastDecayedGradW = null;
            for (int step = 1; step <= 5; step++) {
                adam.zeroGrad();
                double[] pw = w.value().toDoubleArray();
                double[] gw = affine(CW, pw, DW);
                setGrad(w, gw);
                lastDecayedGradW = new double[pw.length];
                for (int i = 0; i < pw.length; i++) {
                    lastDecayedGradW[i] = gw[i] + o.weightDecay() * pw[i];
                }
                rw.step(affine(CW, rw.p, DW), o);
                if (step != 3) {
                    setGrad(b, affine(CB, b.value().toDoubleArray(), DB));
                    rb.step(affine(CB, rb.p, DB), o);
                }
                adam.step();
                String where = dtype + " step " + step + " " + o;
                assertClose(rw.p, w.value().toDoubleArray(), tol, "w " + where);
                assertClose(rb.p, b.value().toDoubleArray(), tol, "b " + where);
            }
            assertArrayEquals(new double[] {4, 5}, unused.value().toDoubleArray());
            Map<String, NDArray> state = adam.stateDict();
            assertEquals(List.of("w.step", "w.exp_avg", "w.exp_avg_sq", "b.step", "b.exp_avg", "b.exp_avg_sq"),
                    List.copyOf(state.keySet()));
            assertEquals(5, state.get("w.step").item());
            assertEquals(4, state.get("b.step").item());
            assertClose(rw.m, values(state, "w.exp_avg"), tol, "w.exp_avg " + dtype);
            assertClose(rw.v, values(state, "w.exp_avg_sq"), tol, "w.exp_avg_sq " + dtype);
            assertClose(rb.m, values(state, "b.exp_avg"), tol, "b.exp_avg " + dtype);
            assertClose(rb.v, values(state, "b.exp_avg_sq"), tol, "b.exp_avg_sq " + dtype);
            if (o.beta1() == 0) {
                // With beta1 = 0 the first moment is just the last gradient, decayed: g + wd·p.
                assertClose(lastDecayedGradW, values(state, "w.exp_avg"), tol, "beta1 = 0 exp_avg " + dtype);
            }
        }
    }

    /**
     * Three steps of {@code torch.optim.Adam} on one 5-element parameter with fixed gradients, produced once by
     * Debian's python3-torch 1.13 ({@code torch.__version__ == '1.13.0a0'}) with:
     * <pre>
     * w = torch.tensor([0.5, -1.5, 2.0, 0.25, -0.75], dtype=dtype, requires_grad=True)
     * grads = [[0.1, -0.2, 0.3, 0.0, 1.0], [-0.05, 0.4, 0.1, 0.2, -1.0], [0.3, 0.3, -0.6, -0.1, 0.5]]
     * opt = torch.optim.Adam([w], lr=lr, betas=betas, eps=1e-8, weight_decay=wd)
     * for g in grads:
     *     w.grad = torch.tensor(g, dtype=dtype); opt.step()
     * print(", ".join(repr(float(x)) for x in w.detach().tolist()))   # likewise opt.state[w]["exp_avg"], ...
     * </pre>
     * for dtype float64 and float32, and (lr, betas, wd) = (0.01, (0.0, 0.999), 0.1) and (0.001, (0.9, 0.999), 0).
     * {@code opt.state[w]["step"]} was {@code tensor(3.)}, float32.
     */
    private static final double[][] TORCH_GRADS = {{0.1, -0.2, 0.3, 0.0, 1.0}, {-0.05, 0.4, 0.1, 0.2, -1.0},
            {0.3, 0.3, -0.6, -0.1, 0.5}};
    private static final double[][] TORCH_F64_UNETGAN = {
            {0.4741867933284908, -1.5039463062150893, 1.9925743217133254, 0.23157410120163657, -0.7542474957244614},
            {0.3490094303048831, 0.1501757661669137, -0.40172590704605654, -0.07740514390991152, 0.4250723728942632},
            {0.00014426360394160595, 0.00020774588222949124, 0.0005001955534039254, 5.6741131107734896e-05,
                    0.0021912193517997203}};
    private static final double[][] TORCH_F64_DEFAULT = {
            {0.4980631625651246, -1.4999570991489148, 1.9983804698074048, 0.24902722287098503, -0.7511220939437527},
            {0.03359999999999999, 0.04979999999999999, -0.026699999999999988, 0.008, 0.040999999999999995},
            {0.00010247751000000009, 0.0002897600400000003, 0.0004598100900000004, 4.996000000000006e-05,
                    0.002247001000000002}};
    private static final double[][] TORCH_F32_UNETGAN = {
            {0.47418680787086487, -1.503946304321289, 1.9925742149353027, 0.23157411813735962, -0.7542474865913391},
            {0.3490094542503357, 0.1501757651567459, -0.4017259478569031, -0.07740514725446701, 0.4250723719596863},
            {0.00014426362758968025, 0.00020774589211214334, 0.0005001956014893949, 5.674113708664663e-05,
                    0.0021912194788455963}};
    private static final double[][] TORCH_F32_DEFAULT = {
            {0.49806317687034607, -1.4999570846557617, 1.998380422592163, 0.24902722239494324, -0.7511220574378967},
            {0.03360000252723694, 0.049800001084804535, -0.02670000120997429, 0.00800000037997961, 0.04099999740719795},
            {0.00010247751924907789, 0.0002897600643336773, 0.0004598101368173957, 4.996000279788859e-05,
                    0.0022470010444521904}};

    @Test
    void matchesPyTorch113() {
        Adam.Options unetgan = Adam.Options.lr(0.01).withBetas(0, 0.999).withWeightDecay(0.1);
        Adam.Options defaults = Adam.Options.lr(0.001);
        checkTorch(unetgan, DType.F64, TORCH_F64_UNETGAN, 1e-15);
        checkTorch(defaults, DType.F64, TORCH_F64_DEFAULT, 1e-15);
        // float32: a few float ulps (PyTorch's vectorized and tail loops round differently).
        checkTorch(unetgan, DType.F32, TORCH_F32_UNETGAN, 4e-7);
        checkTorch(defaults, DType.F32, TORCH_F32_DEFAULT, 4e-7);
    }

    private static void checkTorch(Adam.Options o, DType dtype, double[][] want, double tol) {
        try (Scope scope = Scope.open()) {
            Tensor w = param(new double[] {0.5, -1.5, 2.0, 0.25, -0.75}, dtype);
            Adam adam = new Adam(List.of(w), o);
            for (double[] g : TORCH_GRADS) {
                setGrad(w, g);
                adam.step();
            }
            Map<String, NDArray> state = adam.stateDict();
            String where = dtype + " " + o;
            assertClose(want[0], w.value().toDoubleArray(), tol, "param " + where);
            assertClose(want[1], values(state, "0.exp_avg"), tol, "exp_avg " + where);
            assertClose(want[2], values(state, "0.exp_avg_sq"), tol, "exp_avg_sq " + where);
            assertEquals(3, state.get("0.step").item());
        }
    }

    // ---- gradients, skipping and lifecycle ----

    @Test
    void skipsParametersWithoutGradientAndZeroGradForgetsThem() {
        try (Scope scope = Scope.open()) {
            Tensor w = param(W0, DType.F32);
            Adam adam = new Adam(List.of(w), Adam.Options.lr(0.1));
            adam.step();   // no gradient yet: nothing moves, no state
            assertArrayEquals(array(W0, DType.F32).toFloatArray(), w.value().toFloatArray());
            assertTrue(adam.stateDict().isEmpty());
            setGrad(w, DW);
            adam.zeroGrad();
            assertNull(w.grad());
            adam.step();
            assertTrue(adam.stateDict().isEmpty());
            setGrad(w, DW);
            adam.step();
            assertEquals(1, adam.stateDict().get("0.step").item());
            assertFalse(java.util.Arrays.equals(array(W0, DType.F32).toFloatArray(), w.value().toFloatArray()));
        }
    }

    @Test
    void rejectsBadParametersAndOptions() {
        try (Scope scope = Scope.open()) {
            Tensor w = param(W0, DType.F32);
            Adam.Options o = Adam.Options.lr(1e-3);
            assertThrows(IllegalArgumentException.class, () -> new Adam(Map.of(), o));
            assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(w), null));
            assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(Tensor.of(w.value())), o));
            assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(w.mul(2.0)), o));
            assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(w, w), o));
            assertThrows(IllegalArgumentException.class, () -> new Adam(Map.of("", w), o));
            assertThrows(IllegalArgumentException.class, () -> Adam.Options.lr(-1));
            assertThrows(IllegalArgumentException.class, () -> o.withBetas(1, 0.999));
            assertThrows(IllegalArgumentException.class, () -> o.withBetas(0.9, -0.5));
            assertThrows(IllegalArgumentException.class, () -> o.withEps(-1e-8));
            assertThrows(IllegalArgumentException.class, () -> o.withWeightDecay(-0.1));
            Adam adam = new Adam(List.of(w), o);
            assertEquals(List.of("0"), adam.parameterNames());
            adam.close();
            adam.close();
            assertThrows(IllegalStateException.class, adam::step);
            assertThrows(IllegalStateException.class, adam::stateDict);
        }
    }

    // ---- state ----

    /** Two parameters, both stepped {@code steps} times with gradients scaled by {@code scale}. */
    private static Adam trained(Tensor w, Tensor b, int steps, double scale) {
        Map<String, Tensor> named = new LinkedHashMap<>();
        named.put("w", w);
        named.put("b", b);
        Adam adam = new Adam(named, Adam.Options.lr(0.01).withBetas(0, 0.999).withWeightDecay(0.01));
        for (int i = 0; i < steps; i++) {
            stepBoth(adam, w, b, scale);
        }
        return adam;
    }

    private static void stepBoth(Adam adam, Tensor w, Tensor b, double scale) {
        setGrad(w, affine(CW, w.value().toDoubleArray(), DW));
        double[] gb = affine(CB, b.value().toDoubleArray(), DB);
        for (int i = 0; i < gb.length; i++) {
            gb[i] *= scale;
        }
        setGrad(b, gb);
        adam.step();
    }

    private static Map<String, double[]> snapshot(Adam adam) {
        Map<String, double[]> s = new LinkedHashMap<>();
        adam.stateDict().forEach((k, v) -> s.put(k, v.toDoubleArray()));
        return s;
    }

    private static void assertSameState(Map<String, double[]> want, Map<String, double[]> got) {
        assertEquals(want.keySet(), got.keySet());
        want.forEach((k, v) -> assertArrayEquals(v, got.get(k), k));
    }

    @Test
    void stateRoundTripsAndResumesBitExactly() {
        for (DType dtype : new DType[] {DType.F32, DType.F64}) {
            try (Scope scope = Scope.open()) {
                Tensor w1 = param(W0, dtype);
                Tensor b1 = param(B0, dtype);
                Adam a = trained(w1, b1, 3, 1);
                Map<String, NDArray> saved = a.stateDict();

                // A fresh optimizer over copies of the current parameters, resumed from the saved state.
                Tensor w2 = Tensor.parameter(Ops.copy(w1.value()));
                Tensor b2 = Tensor.parameter(Ops.copy(b1.value()));
                Adam b = trained(w2, b2, 0, 1);
                b.loadStateDict(saved);
                saved.values().forEach(NDArray::close);   // loading copied them
                assertSameState(snapshot(a), snapshot(b));

                stepBoth(a, w1, b1, 1);
                stepBoth(b, w2, b2, 1);
                assertArrayEquals(w1.value().toDoubleArray(), w2.value().toDoubleArray(), dtype.toString());
                assertArrayEquals(b1.value().toDoubleArray(), b2.value().toDoubleArray(), dtype.toString());
                assertSameState(snapshot(a), snapshot(b));
                assertEquals(4, b.stateDict().get("b.step").item());
            }
        }
    }

    @Test
    void loadsOtherFloatingDTypesAndResetsAbsentParameters() {
        try (Scope scope = Scope.open()) {
            Tensor w = param(W0, DType.F32);
            Tensor b = param(B0, DType.F32);
            Adam adam = trained(w, b, 2, 1);
            Map<String, NDArray> state = new LinkedHashMap<>();
            state.put("w.step", NDArray.of(new double[] {7}, Shape.scalar(), Device.CPU));
            state.put("w.exp_avg", array(new double[] {1, 2, 3, 4, 5}, DType.F64));
            state.put("w.exp_avg_sq", array(new double[] {0.5, 0, 0.25, 1, 2}, DType.F64));
            adam.loadStateDict(state);   // b has no entries: it goes back to the never-stepped state
            Map<String, double[]> s = snapshot(adam);
            assertEquals(List.of("w.step", "w.exp_avg", "w.exp_avg_sq"), List.copyOf(s.keySet()));
            assertArrayEquals(new double[] {7}, s.get("w.step"));
            assertArrayEquals(new double[] {1, 2, 3, 4, 5}, s.get("w.exp_avg"));
            assertArrayEquals(new double[] {0.5, 0, 0.25, 1, 2}, s.get("w.exp_avg_sq"));
            assertEquals(DType.F32, adam.stateDict().get("w.exp_avg").dtype());
        }
    }

    @Test
    void rejectsBadStateAndLeavesTheOptimizerUnchanged() {
        try (Scope scope = Scope.open()) {
            Tensor w = param(W0, DType.F32);
            Tensor b = param(B0, DType.F32);
            Adam adam = trained(w, b, 2, 1);
            // A valid state that differs from adam's everywhere, so that any partial write would show.
            Adam donor = trained(param(W0, DType.F32), param(B0, DType.F32), 3, -2);
            Map<String, NDArray> good = donor.stateDict();
            Map<String, double[]> before = snapshot(adam);
            double[] wBefore = w.value().toDoubleArray();

            NDArray closed = Ops.copy(good.get("b.exp_avg"));
            closed.close();
            Map<String, UnaryOperator<Map<String, NDArray>>> corruptions = new LinkedHashMap<>();
            corruptions.put("missing key 'b.exp_avg_sq'", m -> without(m, "b.exp_avg_sq"));
            corruptions.put("unexpected key 'b.momentum'", m -> with(m, "b.momentum", good.get("b.exp_avg")));
            corruptions.put("'b.exp_avg' has shape [5]", m -> with(m, "b.exp_avg", good.get("w.exp_avg")));
            corruptions.put("'b.exp_avg_sq' element 1 is -1.0", m -> with(m, "b.exp_avg_sq",
                    array(new double[] {0, -1, 0}, DType.F32)));
            corruptions.put("'b.exp_avg_sq' element 2 is NaN", m -> with(m, "b.exp_avg_sq",
                    array(new double[] {0, 1, Double.NaN}, DType.F32)));
            corruptions.put("'b.step' must be a step count", m -> with(m, "b.step",
                    NDArray.of(new float[] {2.5f}, Shape.scalar(), Device.CPU)));
            corruptions.put("'b.step' must be a step count (an integer in [0, 2^24]), got -1.0", m -> with(m, "b.step",
                    NDArray.of(new float[] {-1}, Shape.scalar(), Device.CPU)));
            corruptions.put("'b.step' must hold one number", m -> with(m, "b.step", array(new double[] {1, 2}, DType.F32)));
            corruptions.put("'b.exp_avg' must be floating", m -> with(m, "b.exp_avg",
                    NDArray.of(new int[] {1, 2, 3}, Shape.of(3), Device.CPU)));
            corruptions.put("'b.exp_avg' is closed", m -> with(m, "b.exp_avg", closed));
            corruptions.put("'b.exp_avg' is null", m -> with(m, "b.exp_avg", null));

            for (var c : corruptions.entrySet()) {
                Map<String, NDArray> bad = c.getValue().apply(good);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> adam.loadStateDict(bad), c.getKey());
                assertTrue(e.getMessage().contains(c.getKey()), "message '" + e.getMessage() + "' lacks " + c.getKey());
                assertSameState(before, snapshot(adam));
            }
            assertThrows(IllegalArgumentException.class, () -> adam.loadStateDict(null));
            assertSameState(before, snapshot(adam));
            assertArrayEquals(wBefore, w.value().toDoubleArray());

            // The same state, uncorrupted, loads.
            adam.loadStateDict(good);
            assertSameState(snapshot(donor), snapshot(adam));
        }
    }

    private static Map<String, NDArray> without(Map<String, NDArray> m, String key) {
        Map<String, NDArray> copy = new LinkedHashMap<>(m);
        copy.remove(key);
        return copy;
    }

    private static Map<String, NDArray> with(Map<String, NDArray> m, String key, NDArray value) {
        Map<String, NDArray> copy = new LinkedHashMap<>(m);
        copy.put(key, value);
        return copy;
    }
}
