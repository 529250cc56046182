package dev.unetgan.tensor;

/**
 * Elementwise binary ops {@code y = f(a, b)} with NumPy broadcasting. Each constant carries the scalar forward and
 * both partial derivatives; see {@link UnaryOp} for how the table is used. Comparisons return 1 or 0 and have zero
 * gradient. At ties, {@code MAX} and {@code MIN} split the gradient equally, as PyTorch does.
 */
public enum BinaryOp {
    ADD {
        public double apply(double a, double b) { return a + b; }
        public double dA(double a, double b, double y) { return 1; }
        public double dB(double a, double b, double y) { return 1; }
    },
    SUB {
        public double apply(double a, double b) { return a - b; }
        public double dA(double a, double b, double y) { return 1; }
        public double dB(double a, double b, double y) { return -1; }
    },
    MUL {
        public double apply(double a, double b) { return a * b; }
        public double dA(double a, double b, double y) { return b; }
        public double dB(double a, double b, double y) { return a; }
    },
    DIV {
        public double apply(double a, double b) { return a / b; }
        public double dA(double a, double b, double y) { return 1 / b; }
        public double dB(double a, double b, double y) { return -a / (b * b); }
    },
    MAX {
        public double apply(double a, double b) { return Math.max(a, b); }
        public double dA(double a, double b, double y) { return a > b ? 1 : a == b ? 0.5 : 0; }
        public double dB(double a, double b, double y) { return b > a ? 1 : a == b ? 0.5 : 0; }
    },
    MIN {
        public double apply(double a, double b) { return Math.min(a, b); }
        public double dA(double a, double b, double y) { return a < b ? 1 : a == b ? 0.5 : 0; }
        public double dB(double a, double b, double y) { return b < a ? 1 : a == b ? 0.5 : 0; }
    },
    /** {@code a ^ b}, for {@code a > 0}. */
    POW {
        public double apply(double a, double b) { return StrictMath.pow(a, b); }
        public double dA(double a, double b, double y) { return b * StrictMath.pow(a, b - 1); }
        public double dB(double a, double b, double y) { return y * StrictMath.log(a); }
    },
    GT {
        public double apply(double a, double b) { return a > b ? 1 : 0; }
        public double dA(double a, double b, double y) { return 0; }
        public double dB(double a, double b, double y) { return 0; }
    },
    LT {
        public double apply(double a, double b) { return a < b ? 1 : 0; }
        public double dA(double a, double b, double y) { return 0; }
        public double dB(double a, double b, double y) { return 0; }
    },
    EQ {
        public double apply(double a, double b) { return a == b ? 1 : 0; }
        public double dA(double a, double b, double y) { return 0; }
        public double dB(double a, double b, double y) { return 0; }
    };

    /** The forward value. */
    public abstract double apply(double a, double b);

    /** {@code df/da}, given the forward value {@code y}. */
    public abstract double dA(double a, double b, double y);

    /** {@code df/db}, given the forward value {@code y}. */
    public abstract double dB(double a, double b, double y);

    /** Whether any gradient flows through this op. */
    public boolean isDifferentiable() {
        return this != GT && this != LT && this != EQ;
    }
}
