package dev.unetgan.gan.layers;

import dev.unetgan.autograd.Context;
import dev.unetgan.autograd.Function;
import dev.unetgan.autograd.Tensor;
import dev.unetgan.nn.Module;
import dev.unetgan.nn.layers.LayerBuilder;
import dev.unetgan.tensor.Generator;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Ops;
import dev.unetgan.tensor.ReduceOp;
import dev.unetgan.tensor.Scope;
import dev.unetgan.tensor.Shape;
import dev.unetgan.tensor.SpectralNormOps;
import dev.unetgan.tensor.SpectralNormOps.PowerIteration;
import dev.unetgan.tensor.TernaryOp;
import dev.unetgan.tensor.UnaryOp;

/**
 * BigGAN's spectral normalization (UNETGAN.md §4) as an autograd {@link Function}: {@code W -> W/σ}, where σ comes
 * from one power iteration from the layer's stored {@code u [1, rows]} on {@code W_mat = W.view(rows, -1)}
 * ({@link SpectralNormOps#powerIteration}). The iteration's {@code u'} and {@code v} carry no gradient; σ does:
 * with {@code σ = u'·W_mat·vᵀ} and {@code u', v} held constant, {@code ∂σ/∂W = u'vᵀ}, so for an upstream gradient
 * {@code G} of {@code W_sn = W/σ},
 * <pre>
 * ∂L/∂W = G/σ - (Σ G⊙W)/σ² · u'vᵀ = (G - ⟨G, W_sn⟩ · u'vᵀ) / σ
 * </pre>
 * computed as one reduction, one outer product, one multiply-add and the device-side {@code 1/σ} scaling.
 *
 * <p>The analytic gradient is the true derivative of {@code W/σ(W)} only when {@code u} has converged to the top
 * left singular vector (then the change of {@code v} with {@code W} is orthogonal to {@code v} and drops out).
 * Eval mode still recomputes {@code v} from {@code W}, so a gradient check must first {@link #converge} the layers
 * and then {@link #freeze} them (or use eval mode).
 *
 * <p>The SN layers ({@link SNConv2d}, {@link SNLinear}, {@link SNEmbedding}) keep their buffers in a {@link State}
 * and implement {@link Normalized}, through which {@link #freeze} and {@link #converge} reach every SN layer of a
 * model.
 */
public final class SpectralNorm extends Function {
    private final NDArray u;
    private final NDArray sv;
    private final double eps;
    private final boolean update;

    private SpectralNorm(NDArray u, NDArray sv, double eps, boolean update) {
        this.u = u;
        this.sv = sv;
        this.eps = eps;
        this.update = update;
    }

    /**
     * {@code weight / σ}, same shape as {@code weight} (rank >= 2, rows = dim 0), from one power iteration on
     * {@code u [1, rows]}; when {@code update}, {@code u := u'} and {@code sv [1]} (may be null) {@code := σ}.
     */
    public static Tensor apply(Tensor weight, NDArray u, NDArray sv, double eps, boolean update) {
        return new SpectralNorm(u, sv, eps, update).apply(weight);
    }

    @Override
    public String name() {
        return "spectral_norm";
    }

    @Override
    protected NDArray forward(Context ctx, NDArray... in) {
        PowerIteration it = SpectralNormOps.powerIteration(in[0], u, sv, eps, update);
        NDArray out = SpectralNormOps.scale(in[0], it.sigma());
        ctx.save(out);
        ctx.saveOwned(it.sigma());
        ctx.saveOwned(it.v());
        ctx.saveOwned(it.u());
        return out;
    }

    @Override
    protected NDArray[] backward(Context ctx, NDArray gradOut) {
        NDArray wsn = ctx.saved(0);
        NDArray sigma = ctx.saved(1);
        NDArray v = ctx.saved(2);
        NDArray uNew = ctx.saved(3);
        int rows = wsn.dim(0);
        int cols = (int) (wsn.size() / rows);
        try (Scope scope = Scope.open()) {
            NDArray negDot = Ops.unary(UnaryOp.NEG, Ops.reduce(ReduceOp.SUM, Ops.mul(gradOut, wsn), true).reshape(1, 1));
            NDArray outer = Ops.matmul(uNew, v, true, false);
            NDArray centered = Ops.ternary(TernaryOp.MUL_ADD, outer, negDot, gradOut.reshape(rows, cols));
            NDArray dw = SpectralNormOps.scale(centered, sigma).reshape(wsn.shape());
            return new NDArray[]{scope.keep(dw)};
        }
    }

    // ---- the layers' side ----

    /** An SN layer: its weight, and the spectral-norm state that normalizes it. */
    public interface Normalized {
        /** The raw (unnormalized) weight parameter. */
        Tensor weight();

        /** The SN buffers and settings. */
        State spectralNorm();
    }

    /**
     * The SN state of one layer: {@code u [1, rows]} (N(0,1) at creation, not normalized) and {@code sv [1]}
     * (starts at 1; σ of the last training forward, for logging), both owned by the layer that registers them as
     * {@code u0} and {@code sv0}, plus {@code eps} and a freeze switch.
     */
    public static final class State {
        private final NDArray u;
        private final NDArray sv;
        private final double eps;
        private boolean frozen;

        State(NDArray u, NDArray sv, double eps) {
            this.u = u;
            this.sv = sv;
            this.eps = eps;
        }

        /** Fresh buffers for a weight with {@code rows} rows; {@code u} drawn from {@code gen} (zeros when null). */
        static State create(int rows, Options<?> options, Generator gen) {
            NDArray u = gen == null ? NDArray.zeros(Shape.of(1, rows), options.dtype(), options.device())
                    : gen.normal(Shape.of(1, rows), options.dtype(), options.device(), 0, 1);
            NDArray sv = NDArray.full(Shape.of(1), options.dtype(), options.device(), 1);
            return new State(u, sv, options.eps);
        }

        /**
         * {@code weight / σ} for a forward pass: one power iteration, written back into {@code u} and {@code sv}
         * only when {@code training} and not {@link #isFrozen frozen}.
         */
        public Tensor normalize(Tensor weight, boolean training) {
            return SpectralNorm.apply(weight, u, sv, eps, training && !frozen);
        }

        /** Runs {@code iterations} power iterations on {@code weight}, writing {@code u} and {@code sv} (even if frozen). */
        public void iterate(Tensor weight, int iterations) {
            for (int i = 0; i < iterations; i++) {
                SpectralNormOps.powerIteration(weight.value(), u, sv, eps, true).close();
            }
        }

        /** When frozen, training-mode forwards leave {@code u} and {@code sv} alone (eval mode always does). */
        public boolean isFrozen() {
            return frozen;
        }

        public void setFrozen(boolean frozen) {
            this.frozen = frozen;
        }

        /** {@code [1, rows]}, the live buffer. */
        public NDArray u() {
            return u;
        }

        /** {@code [1]}, the live buffer. */
        public NDArray sv() {
            return sv;
        }

        public double eps() {
            return eps;
        }
    }

    /** Freezes (or unfreezes) {@code u} and {@code sv} of every SN layer in {@code root}, itself included. */
    public static void freeze(Module root, boolean frozen) {
        for (Module m : root.namedModules().values()) {
            if (m instanceof Normalized n) {
                n.spectralNorm().setFrozen(frozen);
            }
        }
    }

    /**
     * Runs {@code iterations} power iterations (writing {@code u}, {@code sv}) on every SN layer of {@code root}, so
     * that σ is each weight's largest singular value: for gradient checks, and for tests that need a settled σ.
     */
    public static void converge(Module root, int iterations) {
        for (Module m : root.namedModules().values()) {
            if (m instanceof Normalized n) {
                n.spectralNorm().iterate(n.weight(), iterations);
            }
        }
    }

    /**
     * What every SN layer builder shares: SN eps (default 1e-6, UNETGAN.md's presets), and from {@link LayerBuilder}
     * the dtype and device of the parameters and buffers (F32 on the CPU unless told).
     *
     * @param <B> the concrete builder, returned by the setters for chaining
     */
    public abstract static class Options<B extends Options<B>> extends LayerBuilder<B> {
        double eps = 1e-6;

        Options() {
        }

        /** The eps of {@code normalize(a) = a / max(‖a‖, eps)}; finite and >= 0. */
        @SuppressWarnings("unchecked")
        public B eps(double eps) {
            if (!(eps >= 0) || !Double.isFinite(eps)) {
                throw new IllegalArgumentException("spectral norm: eps must be finite and >= 0, got " + eps);
            }
            this.eps = eps;
            return (B) this;
        }
    }
}
