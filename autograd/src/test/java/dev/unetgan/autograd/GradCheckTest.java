package dev.unetgan.autograd;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Ops;
import dev.unetgan.tensor.UnaryOp;
import org.junit.jupiter.api.Test;

/** The checker itself: it passes a correct gradient and catches a wrong one, element-wise and along directions. */
class GradCheckTest {
    /** {@code y = x²} whose backward is off by {@code 1 + error} at one element only. */
    private static final class Square extends Function {
        private final int wrongElement;

        Square(int wrongElement) {
            this.wrongElement = wrongElement;
        }

        @Override
        public String name() {
            return "square";
        }

        @Override
        protected NDArray forward(Context ctx, NDArray... inputs) {
            ctx.save(inputs[0]);
            return Ops.mul(inputs[0], inputs[0]);
        }

        @Override
        protected NDArray[] backward(Context ctx, NDArray gradOut) {
            double[] g = Ops.mul(Ops.unary(UnaryOp.MUL_SCALAR, 2, ctx.saved(0)), gradOut).toDoubleArray();
            if (wrongElement >= 0) {
                g[wrongElement] *= 1.01;
            }
            return new NDArray[]{NDArray.of(g, gradOut.shape().dims())};
        }
    }

    private static NDArray point() {
        return NDArray.of(new double[]{0.3, -1.2, 0.7, 2.0, -0.4, 1.1}, 2, 3);
    }

    @Test
    void correctGradientPassesBothForms() {
        GradCheck.check("square", in -> new Square(-1).apply(in.get(0)), point());
        GradCheck.checkDirections("square", in -> new Square(-1).apply(in.get(0)), 8, 1, point());
    }

    @Test
    void aGradientWrongAtOneElementIsCaughtByBothForms() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> GradCheck.check("square", in -> new Square(4).apply(in.get(0)), point()));
        assertTrue(e.getMessage().contains("element 4 [1, 1]"), e.getMessage());
        assertThrows(AssertionError.class,
                () -> GradCheck.checkDirections("square", in -> new Square(4).apply(in.get(0)), 8, 1, point()));
    }
}
