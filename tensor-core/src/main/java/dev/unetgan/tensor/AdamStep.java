package dev.unetgan.tensor;

/**
 * The scalars of one Adam step, as {@code torch.optim.Adam} takes them: learning rate, the two betas, eps,
 * weight decay (L2, added to the gradient), and the 1-based step number {@code t} of the parameter being
 * updated, from which the bias corrections follow.
 */
public record AdamStep(double lr, double beta1, double beta2, double eps, double weightDecay, long step) {
    /** Rejects what {@code torch.optim.Adam} rejects, and a step below 1. */
    public AdamStep {
        if (!(lr >= 0) || !Double.isFinite(lr)) {
            throw new IllegalArgumentException("Adam: invalid learning rate " + lr);
        }
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("Adam: betas must be in [0, 1), got (" + beta1 + ", " + beta2 + ")");
        }
        if (!(eps >= 0) || !Double.isFinite(eps)) {
            throw new IllegalArgumentException("Adam: invalid eps " + eps);
        }
        if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
            throw new IllegalArgumentException("Adam: invalid weight decay " + weightDecay);
        }
        if (step < 1) {
            throw new IllegalArgumentException("Adam: the step number starts at 1, got " + step);
        }
    }

    /** {@code 1 - beta1^t}; 1 when {@code beta1 = 0}. */
    public double biasCorrection1() {
        return 1 - Math.pow(beta1, step);
    }

    /** {@code 1 - beta2^t}. */
    public double biasCorrection2() {
        return 1 - Math.pow(beta2, step);
    }

    /** {@code lr / (1 - beta1^t)}: the factor of {@code m / denom} in the parameter update. */
    public double stepSize() {
        return lr / biasCorrection1();
    }
}
