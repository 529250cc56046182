package dev.unetgan.tensor.cpu;

import dev.unetgan.tensor.BinaryOp;
import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.TernaryOp;
import dev.unetgan.tensor.UnaryOp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * CPU elementwise kernels: unary, binary and ternary ops and their gradients, with NumPy broadcasting.
 *
 * <p>Every op is a job with one to three inputs read through {@link ElementwiseWalk} (so broadcasting is handled in
 * one place) and, for gradients, a {@code gradOut} of the output's shape. The scalar path evaluates the op enum's
 * own {@code apply}/{@code derivative}/{@code dA}/{@code dB}/{@code partial}: it is the reference definition, and
 * it serves F64 and F32 under {@link CpuOptions#scalar()}. The F32 Vector API path has one {@code switch} over the
 * op constants giving each lanewise form (one small loop method per constant). Every constant has one today; a
 * constant left out (say, one with no good lanewise form) needs no other change: it reaches the switch's default,
 * and the scalar tail that finishes every run then computes the whole run from the enum's definition. F32 lanewise results match the scalar
 * definitions to float rounding, plus a few ulps for exp, log, tanh and pow.
 */
final class CpuElementwise {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private CpuElementwise() {
    }

    /** The six op families; the gradient families multiply the op's derivative by {@code gradOut}. */
    private enum Kind { UNARY, UNARY_GRAD, BINARY, BINARY_GRAD, TERNARY, TERNARY_GRAD }

    /** {@code out = op(x; p)}; {@code x} and {@code out} have the same shape. */
    static void unary(UnaryOp op, double p, NDArray x, NDArray out) {
        new Job(Kind.UNARY, op, null, null, 0, p, null, out, x).run();
    }

    /** {@code gi = g · op'(x; p)} given the forward output {@code y}; {@code x, y, g, gi} have the same shape. */
    static void unaryBackward(UnaryOp op, double p, NDArray x, NDArray y, NDArray g, NDArray gi) {
        new Job(Kind.UNARY_GRAD, op, null, null, 0, p, g, gi, x, y).run();
    }

    /** {@code out = op(a, b)}; {@code out} has the broadcast shape of {@code a} and {@code b}. */
    static void binary(BinaryOp op, NDArray a, NDArray b, NDArray out) {
        new Job(Kind.BINARY, null, op, null, 0, 0, null, out, a, b).run();
    }

    /** {@code gi = g · ∂op/∂(a or b)}; {@code g} and {@code gi} have the broadcast shape of {@code a} and {@code b}. */
    static void binaryBackward(BinaryOp op, int input, NDArray a, NDArray b, NDArray g, NDArray gi) {
        new Job(Kind.BINARY_GRAD, null, op, null, input, 0, g, gi, a, b).run();
    }

    /** {@code out = op(x, a, b)}; {@code out} has the broadcast shape of all three. */
    static void ternary(TernaryOp op, NDArray x, NDArray a, NDArray b, NDArray out) {
        new Job(Kind.TERNARY, null, null, op, 0, 0, null, out, x, a, b).run();
    }

    /** {@code gi = g · ∂op/∂(input)}; {@code g} and {@code gi} have the broadcast shape of {@code x, a, b}. */
    static void ternaryBackward(TernaryOp op, int input, NDArray x, NDArray a, NDArray b, NDArray g, NDArray gi) {
        new Job(Kind.TERNARY_GRAD, null, null, op, input, 0, g, gi, x, a, b).run();
    }

    /**
     * One op call: the op, its inputs and outputs, and the inner-run kernel the walk calls. Input slots an op does
     * not use alias input 0 (walked identically), so the kernels load three operands without branching on arity.
     */
    private static final class Job implements ElementwiseWalk.Segment {
        final Kind kind;
        final UnaryOp unaryOp;
        final BinaryOp binaryOp;
        final TernaryOp ternaryOp;
        final int input;
        final double p;
        final ElementwiseWalk walk;
        final CpuStorage s0, s1, s2, sg, sOut;
        final boolean c0, c1, c2;
        final boolean vector;
        /** The F32 arrays and parameter the vector loops read ({@code g} is null for the forward families). */
        final float[] a0, a1, a2, g, o;
        final float pf;

        Job(Kind kind, UnaryOp u, BinaryOp b, TernaryOp t, int input, double p, NDArray g, NDArray out,
            NDArray... in) {
            this.kind = kind;
            this.unaryOp = u;
            this.binaryOp = b;
            this.ternaryOp = t;
            this.input = input;
            this.p = p;
            NDArray in1 = in.length > 1 ? in[1] : in[0];
            NDArray in2 = in.length > 2 ? in[2] : in[0];
            this.walk = new ElementwiseWalk(out.shape(), in[0].shape(), in1.shape(), in2.shape());
            this.s0 = CpuStorage.of(in[0]);
            this.s1 = CpuStorage.of(in1);
            this.s2 = CpuStorage.of(in2);
            this.c0 = walk.constantInner(0);
            this.c1 = walk.constantInner(1);
            this.c2 = walk.constantInner(2);
            this.sg = g == null ? null : CpuStorage.of(g);
            this.sOut = CpuStorage.of(out);
            this.vector = out.dtype() == DType.F32 && !CpuOptions.scalar();
            this.a0 = s0.f32;
            this.a1 = s1.f32;
            this.a2 = s2.f32;
            this.g = sg == null ? null : sg.f32;
            this.o = sOut.f32;
            this.pf = (float) p;
        }

        void run() {
            walk.forEach(this);
        }

        @Override
        public void run(int out, int in0, int in1, int in2, int len) {
            if (vector) {
                vectorRun(out, in0, in1, in2, len);
            } else {
                scalarRun(out, in0, in1, in2, 0, len);
            }
        }

        /** Elements {@code [from, len)} of a run on the reference path (also the vector path's tail). */
        private void scalarRun(int out, int in0, int in1, int in2, int from, int len) {
            for (int i = from; i < len; i++) {
                double v = scalar(s0.get(c0 ? in0 : in0 + i), s1.get(c1 ? in1 : in1 + i), s2.get(c2 ? in2 : in2 + i));
                sOut.set(out + i, sg == null ? v : sg.get(out + i) * v);
            }
        }

        /**
         * A run on the Vector API path. Each op constant's loop is its own small method, picked by a switch once per
         * run, so that C2 compiles every loop with that op's own profile. Measured alternatives: one loop with the
         * switch inside ran up to 4x slower once several ops were live; per-case loops in one shared method left any
         * op that was cold when the method was compiled about 20x slower for good (its helpers were not inlined, so
         * its vectors were boxed). The gradient families read operands (x, y), (a, b) and (x, a, b) in that order;
         * helpers that use an operand twice take it as an argument, so each operand is loaded once per vector.
         */
        private void vectorRun(int out, int in0, int in1, int in2, int len) {
            int bound = S.loopBound(len);
            // Each family returns how far its loop got: bound, or 0 for a constant without a lanewise form.
            int done = switch (kind) {
                case UNARY -> unaryLoops(out, in0, in1, in2, bound);
                case UNARY_GRAD -> unaryGradientLoops(out, in0, in1, in2, bound);
                case BINARY -> binaryLoops(out, in0, in1, in2, bound);
                case BINARY_GRAD -> binaryGradientLoops(out, in0, in1, in2, bound);
                case TERNARY -> ternaryLoops(out, in0, in1, in2, bound);
                case TERNARY_GRAD -> ternaryGradientLoops(out, in0, in1, in2, bound);
            };
            scalarRun(out, in0, in1, in2, done, len);
        }

        /*
         * The transcendental constants (EXP, LOG, TANH, SIGMOID, SOFTPLUS, POW_SCALAR, binary POW) have no lanewise
         * form on purpose: the Vector API's EXP, LOG, TANH and POW run as C2 intrinsics once a loop is compiled and as
         * a per-lane fallback before, and the two differ in the last bit. Results then depended on when C2 compiled a
         * loop (measured: 396 of 399 repeated tanh calls on one array differed from the first), so two runs of the
         * same training diverged. The scalar path computes them with StrictMath, which is bit-exact everywhere.
         */
        private int unaryLoops(int out, int in0, int in1, int in2, int bound) {
            switch (unaryOp) {
                case NEG -> unaryNeg(out, in0, in1, in2, bound);
                case ABS -> unaryAbs(out, in0, in1, in2, bound);
                case SIGN -> unarySign(out, in0, in1, in2, bound);
                case SQUARE -> unarySquare(out, in0, in1, in2, bound);
                case SQRT -> unarySqrt(out, in0, in1, in2, bound);
                case RSQRT -> unaryRsqrt(out, in0, in1, in2, bound);
                case RECIPROCAL -> unaryReciprocal(out, in0, in1, in2, bound);
                case RELU -> unaryRelu(out, in0, in1, in2, bound);
                case LEAKY_RELU -> unaryLeakyRelu(out, in0, in1, in2, bound);
                case ADD_SCALAR -> unaryAddScalar(out, in0, in1, in2, bound);
                case MUL_SCALAR -> unaryMulScalar(out, in0, in1, in2, bound);
                default -> {
                    return 0;   // no lanewise form: the scalar tail computes the whole run
                }
            }
            return bound;
        }

        private int unaryGradientLoops(int out, int in0, int in1, int in2, int bound) {
            // Operand 1 is the forward output y.
            switch (unaryOp) {
                case NEG -> dNeg(out, in0, in1, in2, bound);
                case ABS -> dAbs(out, in0, in1, in2, bound);
                case SIGN -> dSign(out, in0, in1, in2, bound);
                case SQUARE -> dSquare(out, in0, in1, in2, bound);
                case SQRT -> dSqrt(out, in0, in1, in2, bound);
                case RSQRT -> dRsqrt(out, in0, in1, in2, bound);
                case RECIPROCAL -> dReciprocal(out, in0, in1, in2, bound);
                case EXP -> dExp(out, in0, in1, in2, bound);
                case LOG -> dLog(out, in0, in1, in2, bound);
                case RELU -> dRelu(out, in0, in1, in2, bound);
                case LEAKY_RELU -> dLeakyRelu(out, in0, in1, in2, bound);
                case TANH -> dTanh(out, in0, in1, in2, bound);
                case SIGMOID -> dSigmoid(out, in0, in1, in2, bound);
                case ADD_SCALAR -> dAddScalar(out, in0, in1, in2, bound);
                case MUL_SCALAR -> dMulScalar(out, in0, in1, in2, bound);
                default -> {
                    return 0;   // no lanewise form: the scalar tail computes the whole run
                }
            }
            return bound;
        }

        private int binaryLoops(int out, int in0, int in1, int in2, int bound) {
            switch (binaryOp) {
                case ADD -> binaryAdd(out, in0, in1, in2, bound);
                case SUB -> binarySub(out, in0, in1, in2, bound);
                case MUL -> binaryMul(out, in0, in1, in2, bound);
                case DIV -> binaryDiv(out, in0, in1, in2, bound);
                case MAX -> binaryMax(out, in0, in1, in2, bound);
                case MIN -> binaryMin(out, in0, in1, in2, bound);
                case GT -> binaryGt(out, in0, in1, in2, bound);
                case LT -> binaryLt(out, in0, in1, in2, bound);
                case EQ -> binaryEq(out, in0, in1, in2, bound);
                default -> {
                    return 0;   // no lanewise form: the scalar tail computes the whole run
                }
            }
            return bound;
        }

        private int binaryGradientLoops(int out, int in0, int in1, int in2, int bound) {
            if (input == 0) {
                switch (binaryOp) {
                    case ADD, SUB -> dAAddSub(out, in0, in1, in2, bound);
                    case MUL -> dAMul(out, in0, in1, in2, bound);
                    case DIV -> dADiv(out, in0, in1, in2, bound);
                    case MAX -> dAMax(out, in0, in1, in2, bound);
                    case MIN -> dAMin(out, in0, in1, in2, bound);
                    case GT, LT, EQ -> dAComparison(out, in0, in1, in2, bound);
                    default -> {
                        return 0;   // no lanewise form: the scalar tail computes the whole run
                    }
                }
            } else {
                switch (binaryOp) {
                    case ADD -> dBAdd(out, in0, in1, in2, bound);
                    case SUB -> dBSub(out, in0, in1, in2, bound);
                    case MUL -> dBMul(out, in0, in1, in2, bound);
                    case DIV -> dBDiv(out, in0, in1, in2, bound);
                    case MAX -> dBMax(out, in0, in1, in2, bound);
                    case MIN -> dBMin(out, in0, in1, in2, bound);
                    case GT, LT, EQ -> dBComparison(out, in0, in1, in2, bound);
                    default -> {
                        return 0;   // no lanewise form: the scalar tail computes the whole run
                    }
                }
            }
            return bound;
        }

        private int ternaryLoops(int out, int in0, int in1, int in2, int bound) {
            switch (ternaryOp) {
                case WHERE -> ternaryWhere(out, in0, in1, in2, bound);
                case BLEND -> ternaryBlend(out, in0, in1, in2, bound);
                case MUL_ADD -> ternaryMulAdd(out, in0, in1, in2, bound);
                default -> {
                    return 0;   // no lanewise form: the scalar tail computes the whole run
                }
            }
            return bound;
        }

        private int ternaryGradientLoops(int out, int in0, int in1, int in2, int bound) {
            switch (input) {
                case 0 -> {
                    switch (ternaryOp) {
                        case WHERE -> dxWhere(out, in0, in1, in2, bound);
                        case BLEND -> dxBlend(out, in0, in1, in2, bound);
                        case MUL_ADD -> dxMulAdd(out, in0, in1, in2, bound);
                        default -> {
                            return 0;   // no lanewise form: the scalar tail computes the whole run
                        }
                    }
                }
                case 1 -> {
                    switch (ternaryOp) {
                        case WHERE -> daWhere(out, in0, in1, in2, bound);
                        case BLEND -> daBlend(out, in0, in1, in2, bound);
                        case MUL_ADD -> daMulAdd(out, in0, in1, in2, bound);
                        default -> {
                            return 0;   // no lanewise form: the scalar tail computes the whole run
                        }
                    }
                }
                default -> {
                    switch (ternaryOp) {
                        case WHERE -> dbWhere(out, in0, in1, in2, bound);
                        case BLEND -> dbBlend(out, in0, in1, in2, bound);
                        case MUL_ADD -> dbMulAdd(out, in0, in1, in2, bound);
                        default -> {
                            return 0;   // no lanewise form: the scalar tail computes the whole run
                        }
                    }
                }
            }
            return bound;
        }

        private void unaryNeg(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, ld(a0, in0, c0, i).neg());
        }

        private void unaryAbs(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, ld(a0, in0, c0, i).abs());
        }

        private void unarySign(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, signum(ld(a0, in0, c0, i)));
        }

        private void unarySquare(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, square(ld(a0, in0, c0, i)));
        }

        private void unarySqrt(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, ld(a0, in0, c0, i).sqrt());
        }

        private void unaryRsqrt(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, reciprocal(ld(a0, in0, c0, i).sqrt()));
        }

        private void unaryReciprocal(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, reciprocal(ld(a0, in0, c0, i)));
        }

        private void unaryRelu(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, relu(ld(a0, in0, c0, i)));
        }

        private void unaryLeakyRelu(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, leakyRelu(ld(a0, in0, c0, i), pf));
        }

        private void unaryAddScalar(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, ld(a0, in0, c0, i).add(pf));
        }

        private void unaryMulScalar(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, ld(a0, in0, c0, i).mul(pf));
        }

        private void dNeg(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, ld(a0, in0, c0, i).broadcast(-1f));
        }

        private void dAbs(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, signum(ld(a0, in0, c0, i)));
        }

        private void dSign(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, ld(a0, in0, c0, i).broadcast(0f));
        }

        private void dSquare(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, ld(a0, in0, c0, i).mul(2f));
        }

        private void dSqrt(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, reciprocal(ld(a1, in1, c1, i)).mul(0.5f));
        }

        private void dRsqrt(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, ld(a1, in1, c1, i).mul(-0.5f).div(ld(a0, in0, c0, i)));
        }

        private void dReciprocal(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, square(ld(a1, in1, c1, i)).neg());
        }

        private void dExp(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, ld(a1, in1, c1, i));
        }

        private void dLog(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, reciprocal(ld(a0, in0, c0, i)));
        }

        private void dRelu(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, step(ld(a0, in0, c0, i), 0f));
        }

        private void dLeakyRelu(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, step(ld(a0, in0, c0, i), pf));
        }

        private void dTanh(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, square(ld(a1, in1, c1, i)).neg().add(1f));
        }

        private void dSigmoid(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, sigmoidDerivative(ld(a1, in1, c1, i)));
        }

        private void dAddScalar(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, ld(a0, in0, c0, i).broadcast(1f));
        }

        private void dMulScalar(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, ld(a0, in0, c0, i).broadcast(pf));
        }

        private void binaryAdd(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, ld(a0, in0, c0, i).add(ld(a1, in1, c1, i)));
        }

        private void binarySub(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, ld(a0, in0, c0, i).sub(ld(a1, in1, c1, i)));
        }

        private void binaryMul(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, ld(a0, in0, c0, i).mul(ld(a1, in1, c1, i)));
        }

        private void binaryDiv(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, ld(a0, in0, c0, i).div(ld(a1, in1, c1, i)));
        }

        private void binaryMax(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, ld(a0, in0, c0, i).max(ld(a1, in1, c1, i)));
        }

        private void binaryMin(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, ld(a0, in0, c0, i).min(ld(a1, in1, c1, i)));
        }

        private void binaryGt(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, indicator(ld(a0, in0, c0, i).compare(VectorOperators.GT, ld(a1, in1, c1, i))));
        }

        private void binaryLt(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, indicator(ld(a0, in0, c0, i).compare(VectorOperators.LT, ld(a1, in1, c1, i))));
        }

        private void binaryEq(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, indicator(ld(a0, in0, c0, i).compare(VectorOperators.EQ, ld(a1, in1, c1, i))));
        }

        private void dAAddSub(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, ld(a0, in0, c0, i).broadcast(1f));
        }

        private void dAMul(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, ld(a1, in1, c1, i));
        }

        private void dADiv(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, reciprocal(ld(a1, in1, c1, i)));
        }

        private void dAMax(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, tieSplit(ld(a0, in0, c0, i), ld(a1, in1, c1, i), VectorOperators.GT));
        }

        private void dAMin(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, tieSplit(ld(a0, in0, c0, i), ld(a1, in1, c1, i), VectorOperators.LT));
        }

        private void dAComparison(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, ld(a0, in0, c0, i).broadcast(0f));
        }

        private void dBAdd(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, ld(a0, in0, c0, i).broadcast(1f));
        }

        private void dBSub(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, ld(a0, in0, c0, i).broadcast(-1f));
        }

        private void dBMul(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, ld(a0, in0, c0, i));
        }

        private void dBDiv(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, divDDivisor(ld(a0, in0, c0, i), ld(a1, in1, c1, i)));
        }

        private void dBMax(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, tieSplit(ld(a1, in1, c1, i), ld(a0, in0, c0, i), VectorOperators.GT));
        }

        private void dBMin(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, tieSplit(ld(a1, in1, c1, i), ld(a0, in0, c0, i), VectorOperators.LT));
        }

        private void dBComparison(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, ld(a0, in0, c0, i).broadcast(0f));
        }

        private void ternaryWhere(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, ld(a2, in2, c2, i).blend(ld(a1, in1, c1, i), ld(a0, in0, c0, i).compare(VectorOperators.NE, 0f)));
        }

        private void ternaryBlend(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, mix(ld(a0, in0, c0, i), ld(a1, in1, c1, i), ld(a2, in2, c2, i)));
        }

        private void ternaryMulAdd(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, ld(a0, in0, c0, i).fma(ld(a1, in1, c1, i), ld(a2, in2, c2, i)));
        }

        private void dxWhere(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, ld(a0, in0, c0, i).broadcast(0f));
        }

        private void dxBlend(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, ld(a1, in1, c1, i).sub(ld(a2, in2, c2, i)));
        }

        private void dxMulAdd(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, ld(a1, in1, c1, i));
        }

        private void daWhere(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, indicator(ld(a0, in0, c0, i).compare(VectorOperators.NE, 0f)));
        }

        private void daBlend(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, ld(a0, in0, c0, i));
        }

        private void daMulAdd(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, ld(a0, in0, c0, i));
        }

        private void dbWhere(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, indicator(ld(a0, in0, c0, i).compare(VectorOperators.EQ, 0f)));
        }

        private void dbBlend(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, ld(a0, in0, c0, i).neg().add(1f));
        }

        private void dbMulAdd(int out, int in0, int in1, int in2, int bound) {
            for (int i = 0; i < bound; i += L) put(o, g, out + i, ld(a0, in0, c0, i).broadcast(1f));
        }

        /** Stores {@code v}, times {@code gradOut} for the gradient families. */
        private static void put(float[] o, float[] g, int at, FloatVector v) {
            if (g == null) {
                v.intoArray(o, at);
            } else {
                v.mul(FloatVector.fromArray(S, g, at)).intoArray(o, at);
            }
        }

        /** The operand's lanes at run position {@code i}: its one value when it is constant along the run. */
        private static FloatVector ld(float[] a, int offset, boolean constant, int i) {
            return constant ? FloatVector.broadcast(S, a[offset]) : FloatVector.fromArray(S, a, offset + i);
        }

        /** The op's value (forward families) or derivative (gradient families) at one element. */
        private double scalar(double v0, double v1, double v2) {
            return switch (kind) {
                case UNARY -> unaryOp.apply(v0, p);
                case UNARY_GRAD -> unaryOp.derivative(v0, v1, p);
                case BINARY -> binaryOp.apply(v0, v1);
                case BINARY_GRAD -> {
                    double y = binaryOp.apply(v0, v1);
                    yield input == 0 ? binaryOp.dA(v0, v1, y) : binaryOp.dB(v0, v1, y);
                }
                case TERNARY -> ternaryOp.apply(v0, v1, v2);
                case TERNARY_GRAD -> ternaryOp.partial(input, v0, v1, v2);
            };
        }
    }

    // Small lanewise helpers (each well under C2's always-inline size, so no vector is ever boxed).

    private static VectorMask<Float> positive(FloatVector x) {
        return x.compare(VectorOperators.GT, 0f);
    }

    /** 1 where {@code m} is set, else 0. */
    private static FloatVector indicator(VectorMask<Float> m) {
        return FloatVector.zero(S).blend(1f, m);
    }

    /** 1 where {@code x > 0}, else {@code below}: the derivative of relu and leaky relu (PyTorch's kink value). */
    private static FloatVector step(FloatVector x, float below) {
        return x.broadcast(below).blend(1f, positive(x));
    }

    /** {@link Math#signum}: ±1, keeping ±0 and NaN as they are. */
    private static FloatVector signum(FloatVector x) {
        return x.blend(1f, positive(x)).blend(-1f, x.compare(VectorOperators.LT, 0f));
    }

    private static FloatVector square(FloatVector x) {
        return x.mul(x);
    }

    private static FloatVector reciprocal(FloatVector x) {
        return x.broadcast(1f).div(x);
    }

    /** A blend rather than {@code max(x, 0)}, so NaN maps to 0 exactly as the scalar definition does. */
    private static FloatVector relu(FloatVector x) {
        return x.broadcast(0f).blend(x, positive(x));
    }

    private static FloatVector leakyRelu(FloatVector x, float slope) {
        return x.mul(slope).blend(x, positive(x));
    }

    /** {@code y·(1-y)} from the sigmoid's output. */
    private static FloatVector sigmoidDerivative(FloatVector y) {
        return y.mul(y.neg().add(1f));
    }

    /** Max/min gradient w.r.t. {@code u}: 1 where {@code u wins v} ({@code wins} is GT or LT), 1/2 at ties, else 0. */
    private static FloatVector tieSplit(FloatVector u, FloatVector v, VectorOperators.Comparison wins) {
        return u.broadcast(0f).blend(0.5f, u.compare(VectorOperators.EQ, v)).blend(1f, u.compare(wins, v));
    }

    /** {@code ∂(a/b)/∂b = -a/b²}. */
    private static FloatVector divDDivisor(FloatVector a, FloatVector b) {
        return a.neg().div(b.mul(b));
    }

    /** {@code x·a + (1-x)·b}, in the enum's order of operations. */
    private static FloatVector mix(FloatVector x, FloatVector a, FloatVector b) {
        return x.mul(a).add(x.neg().add(1f).mul(b));
    }
}
