package dev.unetgan.autograd;

import dev.unetgan.tensor.Conv2dSpec;
import dev.unetgan.tensor.Device;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input surfaces at the Tensor level as exceptions naming the op and the shapes, before any kernel runs. */
class ErrorMessagesTest {

    private static Tensor p(int... dims) {
        return Tensor.parameter(NDArray.zeros(Shape.of(dims), dev.unetgan.tensor.DType.F64, Device.CPU));
    }

    private static void assertMessage(Class<? extends Throwable> type, Executable e, String... parts) {
        Throwable t = assertThrows(type, e);
        for (String part : parts) {
            assertTrue(t.getMessage().contains(part), "message '" + t.getMessage() + "' lacks '" + part + "'");
        }
    }

    @Test
    void nonBroadcastingShapes() {
        assertMessage(IllegalArgumentException.class, () -> p(2, 3).add(p(4)), "add", "[2, 3]", "[4]");
        assertMessage(IllegalArgumentException.class, () -> p(2, 3).mul(p(3, 2)), "mul", "[2, 3]", "[3, 2]");
        assertMessage(IllegalArgumentException.class,
                () -> Tensor.where(p(2), p(3), p(2)), "where", "[2]", "[3]");
    }

    @Test
    void matmulMismatch() {
        assertMessage(IllegalArgumentException.class, () -> p(2, 3).matmul(p(4, 5)), "matmul", "[2, 3]", "[4, 5]");
    }

    @Test
    void convChannelMismatch() {
        assertMessage(IllegalArgumentException.class,
                () -> p(1, 3, 5, 5).conv2d(p(4, 2, 3, 3), null, Conv2dSpec.of(1, 0, 1)), "conv2d", "[1, 3, 5, 5]", "[4, 2, 3, 3]");
        assertMessage(IllegalArgumentException.class,
                () -> p(1, 2, 5, 5).conv2d(p(4, 2, 3, 3), p(3), Conv2dSpec.of(1, 0, 1)), "conv2d", "bias", "[3]");
    }

    @Test
    void mixedDtypes() {
        Tensor f32 = Tensor.of(NDArray.of(new float[]{1, 2}, 2));
        assertMessage(IllegalArgumentException.class, () -> p(2).add(f32), "add", "mixed dtypes", "F32", "F64");
    }

    @Test
    void closedArrays() {
        Tensor x = p(2, 2);
        Tensor y = p(2, 2);
        y.value().close();
        assertMessage(IllegalStateException.class, () -> x.mul(y), "mul", "closed");
        assertMessage(IllegalStateException.class, () -> Tensor.of(y.value()), "closed");
    }

    @Test
    void badLayoutArguments() {
        assertMessage(IllegalArgumentException.class, () -> p(2, 3).reshape(4, 2), "reshape", "[2, 3]");
        assertMessage(IllegalArgumentException.class, () -> p(2, 3).permute(0, 0), "permute", "[2, 3]");
        assertMessage(IllegalArgumentException.class, () -> p(2, 3).slice(1, 2, 5), "slice", "[2, 3]");
        assertMessage(IllegalArgumentException.class, () -> Tensor.concat(0, p(2, 3), p(2, 4)), "concat", "[2, 3]", "[2, 4]");
        assertMessage(IllegalArgumentException.class, () -> p(2, 3).sum(2), "sum", "[2, 3]");
        assertMessage(IllegalArgumentException.class, () -> p(2, 3, 4).transpose(), "transpose", "[2, 3, 4]");
    }

    @Test
    void badGatherIndices() {
        NDArray idx = NDArray.of(new int[]{0, 7}, Shape.of(2), Device.CPU);
        assertMessage(IllegalArgumentException.class, () -> p(5, 3).gather(idx), "gather", "7", "[5, 3]");
    }

    @Test
    void backwardNeedsScalarOrMatchingGradOut() {
        Tensor x = p(2, 3);
        Tensor y = x.add(1.0);
        assertMessage(IllegalArgumentException.class, y::backward, "backward", "[2, 3]");
        assertMessage(IllegalArgumentException.class,
                () -> y.backward(NDArray.zeros(Shape.of(3, 2), dev.unetgan.tensor.DType.F64, Device.CPU)),
                "backward", "[3, 2]", "[2, 3]");
    }

    @Test
    void parameterMustBeFloating() {
        NDArray ints = NDArray.of(new int[]{1, 2}, Shape.of(2), Device.CPU);
        assertMessage(IllegalArgumentException.class, () -> Tensor.parameter(ints), "Tensor.parameter", "I32");
    }

    @Test
    void gradCheckReportsOpInputElementAndValues() {
        // A deliberately wrong backward: claims d(2x)/dx = 1.
        java.util.function.Supplier<Function> wrong = () -> new Function() {
            public String name() {
                return "wrong_double";
            }

            protected NDArray forward(Context ctx, NDArray... in) {
                return dev.unetgan.tensor.Ops.unary(dev.unetgan.tensor.UnaryOp.MUL_SCALAR, 2, in[0]);
            }

            protected NDArray[] backward(Context ctx, NDArray gradOut) {
                return new NDArray[]{dev.unetgan.tensor.Ops.copy(gradOut)};
            }
        };
        AssertionError e = assertThrows(AssertionError.class, () ->
                GradCheck.check("wrong_double", x -> wrong.get().apply(x.get(0)), NDArray.of(new double[]{1, 2, 3}, 3)));
        assertTrue(e.getMessage().contains("wrong_double"), e.getMessage());
        assertTrue(e.getMessage().contains("input 0"), e.getMessage());
        assertTrue(e.getMessage().contains("element 0"), e.getMessage());
        assertTrue(e.getMessage().contains("analytic") && e.getMessage().contains("numeric"), e.getMessage());
        assertEquals(AssertionError.class, e.getClass());
    }

    @Test
    void functionInstanceIsAppliedOnce() {
        dev.unetgan.autograd.functions.Unary f = new dev.unetgan.autograd.functions.Unary(dev.unetgan.tensor.UnaryOp.NEG, 0);
        Tensor x = p(2);
        f.apply(x);
        assertMessage(IllegalStateException.class, () -> f.apply(x), "neg", "once");
    }

    @Test
    void backwardReturningWrongShapeIsCaught() {
        Function bad = new Function() {
            public String name() {
                return "bad_shape";
            }

            protected NDArray forward(Context ctx, NDArray... in) {
                return dev.unetgan.tensor.Ops.copy(in[0]);
            }

            protected NDArray[] backward(Context ctx, NDArray gradOut) {
                return new NDArray[]{NDArray.zeros(Shape.of(7), gradOut.dtype(), gradOut.device())};
            }
        };
        Tensor x = p(2);
        Tensor y = bad.apply(x);
        assertMessage(IllegalStateException.class, () -> y.backward(NDArray.zeros(Shape.of(2),
                dev.unetgan.tensor.DType.F64, Device.CPU)), "bad_shape", "[7]", "[2]");
    }
}
