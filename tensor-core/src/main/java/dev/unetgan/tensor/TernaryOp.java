package dev.unetgan.tensor;

/**
 * Elementwise ternary ops {@code y = f(x, a, b)} with broadcasting over all three inputs. Each constant carries the
 * scalar forward and its three partials; see {@link UnaryOp} for how the table is used.
 */
public enum TernaryOp {
    /** {@code x != 0 ? a : b}; no gradient flows to the condition {@code x}. */
    WHERE {
        public double apply(double x, double a, double b) { return x != 0 ? a : b; }
        public double partial(int input, double x, double a, double b) {
            return switch (input) { case 0 -> 0; case 1 -> x != 0 ? 1 : 0; default -> x != 0 ? 0 : 1; };
        }
    },
    /** {@code x·a + (1-x)·b}: a blend by the mask {@code x} (the CutMix consistency target {@code M⊙a + (1-M)⊙b}). */
    BLEND {
        public double apply(double x, double a, double b) { return x * a + (1 - x) * b; }
        public double partial(int input, double x, double a, double b) {
            return switch (input) { case 0 -> a - b; case 1 -> x; default -> 1 - x; };
        }
    },
    /** {@code x·a + b}. */
    MUL_ADD {
        public double apply(double x, double a, double b) { return x * a + b; }
        public double partial(int input, double x, double a, double b) {
            return switch (input) { case 0 -> a; case 1 -> x; default -> 1; };
        }
    };

    /** The forward value. */
    public abstract double apply(double x, double a, double b);

    /** The partial derivative with respect to input {@code input} (0 = x, 1 = a, 2 = b). */
    public abstract double partial(int input, double x, double a, double b);
}
