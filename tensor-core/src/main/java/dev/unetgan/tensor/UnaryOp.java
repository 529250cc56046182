package dev.unetgan.tensor;

/**
 * Elementwise unary ops: {@code y = f(x; p)} with an optional scalar parameter {@code p}. Each constant carries the
 * scalar forward and its derivative, which are the reference definition: the CPU backend's scalar path runs them,
 * its Vector API path and the CUDA {@code elementwise.cu} implement one case per constant, and one generic autograd
 * function differentiates them all. Adding an activation means one constant here, one CUDA case and one OpSpec row.
 *
 * <p>The transcendental functions use {@link StrictMath}, whose results are specified to the bit: the CPU backend
 * computes them on this scalar path for F32 too, so that a run reproduces exactly whenever the JIT compiles a loop.
 *
 * <p>Kinks follow PyTorch: {@code relu'(0) = 0}, {@code abs'(0) = 0}, {@code leakyRelu'(0) = p}.
 */
public enum UnaryOp {
    NEG {
        public double apply(double x, double p) { return -x; }
        public double derivative(double x, double y, double p) { return -1; }
    },
    ABS {
        public double apply(double x, double p) { return Math.abs(x); }
        public double derivative(double x, double y, double p) { return Math.signum(x); }
    },
    /** Sign, with zero gradient everywhere. */
    SIGN {
        public double apply(double x, double p) { return Math.signum(x); }
        public double derivative(double x, double y, double p) { return 0; }
    },
    SQUARE {
        public double apply(double x, double p) { return x * x; }
        public double derivative(double x, double y, double p) { return 2 * x; }
    },
    SQRT {
        public double apply(double x, double p) { return Math.sqrt(x); }
        public double derivative(double x, double y, double p) { return 0.5 / y; }
    },
    RSQRT {
        public double apply(double x, double p) { return 1 / Math.sqrt(x); }
        public double derivative(double x, double y, double p) { return -0.5 * y / x; }
    },
    RECIPROCAL {
        public double apply(double x, double p) { return 1 / x; }
        public double derivative(double x, double y, double p) { return -y * y; }
    },
    EXP {
        public double apply(double x, double p) { return StrictMath.exp(x); }
        public double derivative(double x, double y, double p) { return y; }
    },
    LOG {
        public double apply(double x, double p) { return StrictMath.log(x); }
        public double derivative(double x, double y, double p) { return 1 / x; }
    },
    RELU {
        public double apply(double x, double p) { return x > 0 ? x : 0; }
        public double derivative(double x, double y, double p) { return x > 0 ? 1 : 0; }
    },
    /** {@code x > 0 ? x : p·x}; {@code p} is the negative slope. */
    LEAKY_RELU {
        public double apply(double x, double p) { return x > 0 ? x : p * x; }
        public double derivative(double x, double y, double p) { return x > 0 ? 1 : p; }
    },
    TANH {
        public double apply(double x, double p) { return StrictMath.tanh(x); }
        public double derivative(double x, double y, double p) { return 1 - y * y; }
    },
    SIGMOID {
        public double apply(double x, double p) { return 1 / (1 + StrictMath.exp(-x)); }
        public double derivative(double x, double y, double p) { return y * (1 - y); }
    },
    /** {@code log(1 + e^x)}, computed stably as {@code max(x,0) + log1p(e^-|x|)}. */
    SOFTPLUS {
        public double apply(double x, double p) { return Math.max(x, 0) + StrictMath.log1p(StrictMath.exp(-Math.abs(x))); }
        public double derivative(double x, double y, double p) { return 1 / (1 + StrictMath.exp(-x)); }
    },
    /** {@code x + p}. */
    ADD_SCALAR {
        public double apply(double x, double p) { return x + p; }
        public double derivative(double x, double y, double p) { return 1; }
    },
    /** {@code x · p}. */
    MUL_SCALAR {
        public double apply(double x, double p) { return x * p; }
        public double derivative(double x, double y, double p) { return p; }
    },
    /** {@code x ^ p}. */
    POW_SCALAR {
        public double apply(double x, double p) { return StrictMath.pow(x, p); }
        public double derivative(double x, double y, double p) { return p * StrictMath.pow(x, p - 1); }
    };

    /** The forward value {@code f(x; p)}. */
    public abstract double apply(double x, double p);

    /** {@code df/dx} at {@code x}, given the forward value {@code y = f(x; p)}. */
    public abstract double derivative(double x, double y, double p);
}
