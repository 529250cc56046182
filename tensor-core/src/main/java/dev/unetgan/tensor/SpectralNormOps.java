package dev.unetgan.tensor;

/**
 * The spectral-norm primitive pair (UNETGAN.md §4), checked and dispatched to the arrays' backend like {@link Ops}:
 * one power iteration giving σ, and the scaling {@code W / σ} that reads σ on the device. Implemented by every
 * backend.
 */
public final class SpectralNormOps {
    private SpectralNormOps() {
    }

    /**
     * The outputs of one power iteration, owned by the caller: {@code sigma [1]}, {@code v [1, cols]} and the new
     * left vector {@code u [1, rows]} (a fresh array even when the state's {@code u} was updated too).
     */
    public record PowerIteration(NDArray sigma, NDArray v, NDArray u) implements AutoCloseable {
        @Override
        public void close() {
            sigma.close();
            v.close();
            u.close();
        }
    }

    /**
     * One power iteration on {@code weight} (rank >= 2, seen as {@code [rows, cols]} with {@code rows = dim 0}) from
     * {@code u [1, rows]}, as {@link Backend#spectralNormPowerIteration} defines. When {@code update} is true,
     * {@code u} is overwritten by the new vector and {@code sv [1]} (may be null) by σ; otherwise both are only read.
     * All arrays open, on one device, of one floating dtype, and distinct; {@code eps >= 0}.
     */
    public static PowerIteration powerIteration(NDArray weight, NDArray u, NDArray sv, double eps, boolean update) {
        String op = "spectral_norm_power_iteration";
        Checks.floating(op, weight, u, sv);
        if (weight.rank() < 2 || weight.size() == 0) {
            throw new IllegalArgumentException(op + ": weight must have rank >= 2 and no zero dimension, got "
                    + weight.shape());
        }
        int rows = weight.dim(0);
        int cols = (int) (weight.size() / rows);
        Checks.shape(op, "u", u, Shape.of(1, rows));
        if (sv != null) {
            Checks.shape(op, "sv", sv, Shape.of(1));
        }
        if (!(eps >= 0) || !Double.isFinite(eps)) {
            throw new IllegalArgumentException(op + ": eps must be finite and >= 0, got " + eps);
        }
        if (u.storage() == weight.storage() || sv != null && (sv.storage() == weight.storage() || sv.storage() == u.storage())) {
            throw new IllegalArgumentException(op + ": weight, u and sv must not share storage: " + Checks.describe(weight, u, sv));
        }
        NDArray sigma = NDArray.empty(Shape.of(1), weight.dtype(), weight.device());
        NDArray v = NDArray.empty(Shape.of(1, cols), weight.dtype(), weight.device());
        NDArray uOut = NDArray.empty(Shape.of(1, rows), weight.dtype(), weight.device());
        weight.backend().spectralNormPowerIteration(weight, u, sv, eps, update, sigma, v, uOut);
        return new PowerIteration(sigma, v, uOut);
    }

    /**
     * {@code weight · (1/σ)} with {@code sigma [1]} read on the device, as {@link Backend#spectralNormScale} defines;
     * the result has the shape of {@code weight} (any).
     */
    public static NDArray scale(NDArray weight, NDArray sigma) {
        String op = "spectral_norm_scale";
        Checks.floating(op, weight, sigma);
        Checks.shape(op, "sigma", sigma, Shape.of(1));
        NDArray out = NDArray.empty(weight.shape(), weight.dtype(), weight.device());
        if (out.size() > 0) {
            weight.backend().spectralNormScale(weight, sigma, out);
        }
        return out;
    }
}
