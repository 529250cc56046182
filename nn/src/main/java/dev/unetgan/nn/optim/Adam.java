package dev.unetgan.nn.optim;

import dev.unetgan.autograd.Tensor;
import dev.unetgan.tensor.Device;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Ops;
import dev.unetgan.tensor.AdamStep;
import dev.unetgan.tensor.OptimOps;
import dev.unetgan.tensor.Scope;
import dev.unetgan.tensor.Shape;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Adam, exactly as PyTorch 1.13's {@code torch.optim.Adam} (not amsgrad, not maximize), with optional L2 weight
 * decay added to the gradient. Each parameter's update is the fused {@link OptimOps#adamUpdate} primitive, so it runs
 * on the parameter's device in one pass.
 *
 * <pre>{@code
 * Adam adam = new Adam(model.namedParameters(), Adam.Options.lr(2e-4).withBetas(0, 0.999));
 * // per iteration, inside the step's scope: loss.backward(); adam.step(); adam.zeroGrad();
 * }</pre>
 *
 * <h2>Parameters and names</h2>
 * The parameters are given as an ordered {@code Map<String, Tensor>} of {@code Tensor.parameter} leaves, so that the
 * state can be saved by name beside the model's own state dict; a {@code List<Tensor>} is accepted too and names the
 * parameters {@code "0"}, {@code "1"}, ... in order (as PyTorch's optimizer state dict numbers them).
 *
 * <h2>State</h2>
 * Per parameter: the step count {@code t}, and {@code exp_avg} (m) and {@code exp_avg_sq} (v), of the parameter's
 * shape, dtype and device. The arrays are allocated by the constructor in the current scope, like parameters, so
 * build the optimizer outside any training-step scope; {@link #close()} frees them. A parameter that has not yet
 * been stepped (its gradient was always null) has {@code t = 0} and zero moments, and, as in PyTorch, no entry in
 * the state dict. {@link #stateDict()} gives, for each stepped parameter {@code name}:
 * <ul>
 * <li>{@code name.step}: the step count as an F32 scalar (shape {@code []}, CPU), as PyTorch stores it (exact up
 *     to 2^24 steps);</li>
 * <li>{@code name.exp_avg} and {@code name.exp_avg_sq}: copies of m and v.</li>
 * </ul>
 * The hyper-parameters ({@link Options}) are configuration, not state: they are not in the state dict.
 */
public final class Adam implements Optimizer {
    /** Key suffix of a parameter's step count. */
    public static final String STEP = ".step";
    /** Key suffix of a parameter's first moment m. */
    public static final String EXP_AVG = ".exp_avg";
    /** Key suffix of a parameter's second moment v. */
    public static final String EXP_AVG_SQ = ".exp_avg_sq";
    /** The largest step count an F32 holds exactly. */
    private static final long MAX_STEP = 1L << 24;

    /**
     * The hyper-parameters of {@code torch.optim.Adam}; {@link #lr(double)} gives PyTorch's defaults for the rest
     * (betas 0.9 and 0.999, eps 1e-8, no weight decay), and the {@code with...} methods change one at a time.
     */
    public record Options(double lr, double beta1, double beta2, double eps, double weightDecay) {
        /** Rejects what {@code torch.optim.Adam} rejects: negative lr, eps or decay, betas outside [0, 1). */
        public Options {
            new AdamStep(lr, beta1, beta2, eps, weightDecay, 1);   // validates
        }

        /** Learning rate {@code lr} with PyTorch's defaults for everything else. */
        public static Options lr(double lr) {
            return new Options(lr, 0.9, 0.999, 1e-8, 0);
        }

        public Options withLr(double lr) {
            return new Options(lr, beta1, beta2, eps, weightDecay);
        }

        /** The betas; UNETGAN uses {@code (0, 0.999)}. */
        public Options withBetas(double beta1, double beta2) {
            return new Options(lr, beta1, beta2, eps, weightDecay);
        }

        public Options withEps(double eps) {
            return new Options(lr, beta1, beta2, eps, weightDecay);
        }

        /** L2 weight decay, added to the gradient as {@code g + weightDecay·param} (not AdamW's decoupled form). */
        public Options withWeightDecay(double weightDecay) {
            return new Options(lr, beta1, beta2, eps, weightDecay);
        }

        /** The scalars of step {@code t} (1-based) for the fused update. */
        AdamStep at(long t) {
            return new AdamStep(lr, beta1, beta2, eps, weightDecay, t);
        }
    }

    private final List<String> names;
    private final List<Tensor> params;
    private final NDArray[] expAvg;
    private final NDArray[] expAvgSq;
    private final long[] steps;
    private Options options;
    private boolean closed;

    /**
     * An optimizer over {@code params}, in the map's iteration order. Every value must be a distinct parameter leaf
     * ({@code Tensor.parameter}); names must be non-empty.
     */
    public Adam(Map<String, Tensor> params, Options options) {
        if (params == null || params.isEmpty()) {
            throw new IllegalArgumentException("Adam: no parameters to optimize");
        }
        if (options == null) {
            throw new IllegalArgumentException("Adam: no options");
        }
        this.names = List.copyOf(params.keySet());
        this.params = new ArrayList<>(params.values());
        this.options = options;
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            Tensor p = this.params.get(i);
            if (name.isEmpty()) {
                throw new IllegalArgumentException("Adam: a parameter has an empty name");
            }
            if (p == null || !p.isParameter()) {
                throw new IllegalArgumentException("Adam: '" + name + "' is not a parameter");
            }
            p.value().checkOpen("Adam");
            if (!seen.add(p)) {
                throw new IllegalArgumentException("Adam: parameter '" + name + "' is given twice");
            }
        }
        int n = names.size();
        this.expAvg = new NDArray[n];
        this.expAvgSq = new NDArray[n];
        this.steps = new long[n];
        try {
            for (int i = 0; i < n; i++) {
                NDArray value = this.params.get(i).value();
                expAvg[i] = NDArray.zeros(value.shape(), value.dtype(), value.device());
                expAvgSq[i] = NDArray.zeros(value.shape(), value.dtype(), value.device());
            }
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /** An optimizer over {@code params}, named {@code "0"}, {@code "1"}, ... in list order. */
    public Adam(List<Tensor> params, Options options) {
        this(numbered(params), options);
    }

    private static Map<String, Tensor> numbered(List<Tensor> params) {
        Map<String, Tensor> named = new LinkedHashMap<>();
        if (params != null) {
            for (int i = 0; i < params.size(); i++) {
                named.put(Integer.toString(i), params.get(i));
            }
        }
        return named;
    }

    /** The current hyper-parameters. */
    public Options options() {
        return options;
    }

    /** Replaces the hyper-parameters (say, for a learning-rate schedule); the state is kept. */
    public void setOptions(Options options) {
        if (options == null) {
            throw new IllegalArgumentException("Adam: no options");
        }
        this.options = options;
    }

    /** The parameter names, in update order. */
    public List<String> parameterNames() {
        return names;
    }

    @Override
    public void step() {
        checkOpen("step");
        Options o = options;
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            NDArray grad = p.grad();
            if (grad == null) {
                continue;
            }
            long t = steps[i] + 1;
            OptimOps.adamUpdate(p.value(), grad, expAvg[i], expAvgSq[i], o.at(t));
            steps[i] = t;
        }
    }

    @Override
    public void zeroGrad() {
        for (Tensor p : params) {
            p.zeroGrad();
        }
    }

    @Override
    public Map<String, NDArray> stateDict() {
        checkOpen("stateDict");
        Map<String, NDArray> state = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            if (steps[i] == 0) {
                continue;
            }
            if (steps[i] > MAX_STEP) {
                throw new IllegalStateException("Adam.stateDict: step count " + steps[i] + " of '" + names.get(i)
                        + "' exceeds what an F32 holds exactly (2^24)");
            }
            String name = names.get(i);
            state.put(name + STEP, NDArray.of(new float[] {steps[i]}, Shape.scalar(), Device.CPU));
            state.put(name + EXP_AVG, Ops.copy(expAvg[i]));
            state.put(name + EXP_AVG_SQ, Ops.copy(expAvgSq[i]));
        }
        return state;
    }

    @Override
    public void loadStateDict(Map<String, NDArray> state) {
        checkOpen("loadStateDict");
        if (state == null) {
            throw new IllegalArgumentException("Adam.loadStateDict: no state");
        }
        List<String> problems = new ArrayList<>();
        Set<String> expected = new HashSet<>();
        long[] newSteps = new long[names.size()];
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            String[] keys = {name + STEP, name + EXP_AVG, name + EXP_AVG_SQ};
            int present = 0;
            for (String k : keys) {
                expected.add(k);
                present += state.containsKey(k) ? 1 : 0;
            }
            if (present == 0) {
                continue;   // never stepped: reset to the fresh state
            }
            if (present < keys.length) {
                for (String k : keys) {
                    if (!state.containsKey(k)) {
                        problems.add("missing key '" + k + "'");
                    }
                }
                continue;
            }
            newSteps[i] = checkStep(keys[0], state.get(keys[0]), problems);
            NDArray param = params.get(i).value();
            checkMoment(keys[1], state.get(keys[1]), param, false, problems);
            checkMoment(keys[2], state.get(keys[2]), param, true, problems);
        }
        for (String k : state.keySet()) {
            if (!expected.contains(k)) {
                problems.add("unexpected key '" + k + "'");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Adam.loadStateDict: " + String.join("; ", problems)
                    + "; the optimizer is unchanged");
        }
        // Everything is valid: convert first (the only step that allocates), then overwrite.
        try (Scope scope = Scope.open()) {
            NDArray[] m = new NDArray[names.size()];
            NDArray[] v = new NDArray[names.size()];
            for (int i = 0; i < names.size(); i++) {
                m[i] = converted(state.get(names.get(i) + EXP_AVG), expAvg[i]);
                v[i] = converted(state.get(names.get(i) + EXP_AVG_SQ), expAvgSq[i]);
            }
            for (int i = 0; i < names.size(); i++) {
                Ops.copyInto(m[i], expAvg[i]);
                Ops.copyInto(v[i], expAvgSq[i]);
                steps[i] = newSteps[i];
            }
        }
    }

    /** The step count in {@code a}, which must be one finite non-negative integer; 0 (after a problem) otherwise. */
    private static long checkStep(String key, NDArray a, List<String> problems) {
        if (!usable(key, a, problems)) {
            return 0;
        }
        if (a.size() != 1) {
            problems.add("'" + key + "' must hold one number, got shape " + a.shape());
            return 0;
        }
        double t = a.item();
        if (!(t >= 0) || t > MAX_STEP || t != Math.rint(t)) {
            problems.add("'" + key + "' must be a step count (an integer in [0, 2^24]), got " + t);
            return 0;
        }
        return (long) t;
    }

    /** Checks a moment against its parameter: open, floating, same shape; for v also non-negative (sqrt(v) is used). */
    private static void checkMoment(String key, NDArray a, NDArray param, boolean nonNegative, List<String> problems) {
        if (!usable(key, a, problems)) {
            return;
        }
        if (!a.dtype().isFloating()) {
            problems.add("'" + key + "' must be floating, got " + a.dtype());
        } else if (!a.shape().equals(param.shape())) {
            problems.add("'" + key + "' has shape " + a.shape() + ", the parameter has " + param.shape());
        } else if (nonNegative) {
            double[] values = a.toDoubleArray();
            for (int j = 0; j < values.length; j++) {
                if (!(values[j] >= 0)) {
                    problems.add("'" + key + "' element " + j + " is " + values[j] + ", not a second moment (>= 0)");
                    return;
                }
            }
        }
    }

    private static boolean usable(String key, NDArray a, List<String> problems) {
        if (a == null) {
            problems.add("'" + key + "' is null");
            return false;
        }
        if (a.isClosed()) {
            problems.add("'" + key + "' is closed");
            return false;
        }
        return true;
    }

    /**
     * {@code src} in the dtype and on the device of {@code like} (a new array in the current scope), or zeros when
     * {@code src} is null (a parameter that was never stepped).
     */
    private static NDArray converted(NDArray src, NDArray like) {
        if (src == null) {
            return NDArray.zeros(like.shape(), like.dtype(), like.device());
        }
        NDArray onDevice = src.device().equals(like.device()) ? src : src.to(like.device());
        return onDevice.dtype() == like.dtype() ? onDevice : Ops.cast(onDevice, like.dtype());
    }

    private void checkOpen(String op) {
        if (closed) {
            throw new IllegalStateException("Adam." + op + ": the optimizer is closed");
        }
    }

    @Override
    public void close() {
        closed = true;
        for (NDArray[] arrays : new NDArray[][] {expAvg, expAvgSq}) {
            if (arrays != null) {
                for (NDArray a : arrays) {
                    if (a != null) {
                        a.close();
                    }
                }
            }
        }
    }
}
