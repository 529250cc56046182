package dev.unetgan.tensor;

/**
 * The per-element GAN losses of UNETGAN.md §3, as {@code ℓ(l, t)} of a logit {@code l} and a target {@code t}
 * (1 = real, 0 = fake). Each constant carries the scalar definition and its derivative in {@code l}: the CPU
 * backend's scalar path runs them, its Vector API path and the CUDA kernel implement one case per constant, and the
 * tests compare against them. The fused primitive {@link Backend#ganLoss} averages {@code ℓ} over all elements.
 *
 * <p>Kinks follow PyTorch's {@code relu}: the derivative at {@code 1 ∓ l = 0} is 0.
 */
public enum GanLossKind {
    /**
     * Binary cross-entropy on logits, {@code softplus(l) - t·l}, computed stably as
     * {@code max(l,0) - t·l + log1p(e^-|l|)}; the derivative is {@code sigmoid(l) - t}. The targets may be any real
     * number (BCE is defined for soft targets). The non-saturating generator loss is this kind with {@code t = 1}.
     */
    BCE {
        public double value(double l, double t) {
            return Math.max(l, 0) - t * l + Math.log1p(Math.exp(-Math.abs(l)));
        }

        public double derivative(double l, double t) {
            double e = Math.exp(-Math.abs(l));
            return (l >= 0 ? 1 : e) / (1 + e) - t;
        }
    },
    /**
     * BigGAN's discriminator hinge: {@code relu(1 - l)} where the target is real ({@code t >= 0.5}) and
     * {@code relu(1 + l)} where it is fake ({@code t < 0.5}), so a per-pixel CutMix mask picks per element.
     */
    HINGE {
        public double value(double l, double t) {
            return t >= 0.5 ? Math.max(1 - l, 0) : Math.max(1 + l, 0);
        }

        public double derivative(double l, double t) {
            return t >= 0.5 ? (1 - l > 0 ? -1 : 0) : (1 + l > 0 ? 1 : 0);
        }
    },
    /** BigGAN's generator hinge loss {@code -l}; the target is ignored. */
    HINGE_GENERATOR {
        public double value(double l, double t) {
            return -l;
        }

        public double derivative(double l, double t) {
            return -1;
        }
    };

    /** {@code ℓ(l, t)}. */
    public abstract double value(double l, double t);

    /** {@code ∂ℓ/∂l} at {@code (l, t)}. */
    public abstract double derivative(double l, double t);
}
