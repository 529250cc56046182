package dev.unetgan.autograd;

import dev.unetgan.tensor.BinaryOp;
import dev.unetgan.tensor.Conv2dSpec;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Ops;
import dev.unetgan.tensor.Pool2dSpec;
import dev.unetgan.tensor.ReduceOp;
import dev.unetgan.tensor.Shape;
import dev.unetgan.tensor.TernaryOp;
import dev.unetgan.tensor.UnaryOp;

import java.util.ArrayList;
import java.util.List;

import static dev.unetgan.autograd.Domain.CONDITION;
import static dev.unetgan.autograd.Domain.DISTINCT;
import static dev.unetgan.autograd.Domain.NONZERO;
import static dev.unetgan.autograd.Domain.POSITIVE;
import static dev.unetgan.autograd.Domain.REAL;
import static dev.unetgan.autograd.Domain.UNIT;

/**
 * The op table: one or more rows for every differentiable op (every {@link UnaryOp}, {@link BinaryOp} and
 * {@link TernaryOp} constant, with broadcasting variants; every reduction; matmul with all transposes and batch
 * broadcasting; conv2d geometries; both poolings; upsampling; batch norm; softmax; gather; and the layout ops).
 * The switches over the op enums are exhaustive, so a new constant does not compile until it has a row.
 */
public final class OpSpecs {
    private OpSpecs() {
    }

    private static Shape s(int... dims) {
        return Shape.of(dims);
    }

    /** A 1-D constant of {@code like}'s dtype on its device, so rows run in F32 and F64 and on any backend. */
    private static NDArray constant(Tensor like, double... v) {
        try (NDArray f64 = NDArray.of(v, v.length); NDArray cast = Ops.cast(f64, like.dtype())) {
            return cast.to(like.device());
        }
    }

    /** I32 indices on {@code like}'s device. */
    private static NDArray indices(Tensor like, int... v) {
        return NDArray.of(v, Shape.of(v.length), like.device());
    }

    /** All rows. */
    public static List<OpSpec> all() {
        List<OpSpec> rows = new ArrayList<>();
        unary(rows);
        binary(rows);
        ternary(rows);
        reductions(rows);
        matmul(rows);
        spatial(rows);
        other(rows);
        return rows;
    }

    private static void unary(List<OpSpec> rows) {
        for (UnaryOp op : UnaryOp.values()) {
            Domain domain = switch (op) {
                case NEG, SQUARE, EXP, TANH, SIGMOID, SOFTPLUS, ADD_SCALAR, MUL_SCALAR -> REAL;
                case ABS, SIGN, RELU, LEAKY_RELU -> NONZERO;
                case SQRT, RSQRT, RECIPROCAL, LOG, POW_SCALAR -> POSITIVE;
            };
            double param = switch (op) {
                case LEAKY_RELU -> 0.2;
                case ADD_SCALAR -> 0.7;
                case MUL_SCALAR -> -1.3;
                case POW_SCALAR -> 2.5;
                default -> 0;
            };
            String name = op.name().toLowerCase();
            rows.add(OpSpec.of(name, domain, x -> x.get(0).unary(op, param), s(2, 3)));
            rows.add(OpSpec.of(name + " odd", domain, x -> x.get(0).unary(op, param), s(3, 1, 5)));
            rows.add(OpSpec.of(name + " wide", domain, x -> x.get(0).unary(op, param), s(3, 37)));
        }
    }

    private static void binary(List<OpSpec> rows) {
        Shape[][] variants = {{s(2, 3), s(2, 3)}, {s(2, 3), s(3)}, {s(2, 1), s(1, 3)}, {s(), s(2, 3)}, {s(2, 3, 4), s(3, 1)},
                {s(5, 37), s(5, 37)}, {s(5, 37), s(37)}, {s(5, 1), s(1, 37)}};
        for (BinaryOp op : BinaryOp.values()) {
            List<Domain> domains = switch (op) {
                case ADD, SUB, MUL -> List.of(REAL, REAL);
                case DIV -> List.of(REAL, POSITIVE);
                case POW -> List.of(POSITIVE, REAL);
                case MAX, MIN, GT, LT, EQ -> List.of(DISTINCT, DISTINCT);
            };
            for (Shape[] v : variants) {
                rows.add(OpSpec.of(op.name().toLowerCase() + " " + v[0] + "," + v[1], domains,
                        x -> x.get(0).binary(op, x.get(1)), v));
            }
        }
    }

    private static void ternary(List<OpSpec> rows) {
        Shape[][] variants = {{s(2, 3), s(2, 3), s(2, 3)}, {s(2, 3), s(3), s(2, 1)}, {s(2, 1), s(2, 3), s()},
                {s(4, 37), s(4, 37), s(4, 37)}, {s(4, 37), s(37), s(4, 1)}};
        for (TernaryOp op : TernaryOp.values()) {
            List<Domain> domains = switch (op) {
                case WHERE -> List.of(CONDITION, REAL, REAL);
                case BLEND -> List.of(UNIT, REAL, REAL);
                case MUL_ADD -> List.of(REAL, REAL, REAL);
            };
            for (Shape[] v : variants) {
                rows.add(OpSpec.of(op.name().toLowerCase() + " " + v[0] + "," + v[1] + "," + v[2], domains,
                        x -> Tensor.ternary(op, x.get(0), x.get(1), x.get(2)), v));
            }
        }
    }

    private static void reductions(List<OpSpec> rows) {
        int[][] axesList = {{}, {0}, {1}, {-1}, {0, 2}};
        for (ReduceOp op : ReduceOp.values()) {
            Domain domain = switch (op) {
                case SUM, MEAN -> REAL;
                case MAX, MIN -> DISTINCT;
            };
            for (int[] axes : axesList) {
                for (boolean keep : new boolean[]{false, true}) {
                    rows.add(OpSpec.of(op.name().toLowerCase() + " axes" + java.util.Arrays.toString(axes)
                            + (keep ? " keepDims" : ""), domain, x -> x.get(0).reduce(op, keep, axes), s(2, 3, 4)));
                }
            }
            for (int[] axes : new int[][]{{}, {1}, {-1}, {0, 2}}) {
                rows.add(OpSpec.of(op.name().toLowerCase() + " wide axes" + java.util.Arrays.toString(axes), domain,
                        x -> x.get(0).reduce(op, false, axes), s(3, 5, 37)));
            }
        }
    }

    private static void matmul(List<OpSpec> rows) {
        for (boolean ta : new boolean[]{false, true}) {
            for (boolean tb : new boolean[]{false, true}) {
                String t = (ta ? "T" : "N") + (tb ? "T" : "N");
                Shape a2 = ta ? s(4, 3) : s(3, 4), b2 = tb ? s(5, 4) : s(4, 5);
                Shape a3 = ta ? s(2, 4, 3) : s(2, 3, 4), b3 = tb ? s(2, 5, 4) : s(2, 4, 5);
                Shape a1 = ta ? s(1, 4, 3) : s(1, 3, 4);
                GradCheck.Fn fn = x -> x.get(0).matmul(x.get(1), ta, tb);
                rows.add(OpSpec.of("matmul " + t, REAL, fn, a2, b2));
                rows.add(OpSpec.of("matmul batched " + t, REAL, fn, a3, b3));
                rows.add(OpSpec.of("matmul 2d x batched " + t, REAL, fn, a2, b3));
                rows.add(OpSpec.of("matmul batched x 2d " + t, REAL, fn, a3, b2));
                rows.add(OpSpec.of("matmul batch1 x batched " + t, REAL, fn, a1, b3));
            }
        }
    }

    private static void spatial(List<OpSpec> rows) {
        record Conv(String name, Conv2dSpec spec, Shape x, Shape w) {
        }
        List<Conv> convs = List.of(
                new Conv("3x3", Conv2dSpec.of(1, 0, 1), s(2, 3, 5, 5), s(4, 3, 3, 3)),
                new Conv("3x3 pad1", Conv2dSpec.of(1, 1, 1), s(2, 3, 5, 5), s(4, 3, 3, 3)),
                new Conv("3x3 stride2 pad1", Conv2dSpec.of(2, 1, 1), s(2, 3, 5, 5), s(4, 3, 3, 3)),
                new Conv("3x3 dilation2 pad2", Conv2dSpec.of(1, 2, 2), s(1, 2, 5, 5), s(3, 2, 3, 3)),
                new Conv("asymmetric", new Conv2dSpec(2, 1, 1, 0, 1, 2), s(1, 2, 6, 5), s(3, 2, 2, 3)),
                new Conv("1x1", Conv2dSpec.of(1, 0, 1), s(2, 3, 3, 4), s(5, 3, 1, 1)),
                new Conv("wide 3x3 pad1", Conv2dSpec.of(1, 1, 1), s(1, 8, 5, 6), s(8, 8, 3, 3)));
        for (Conv c : convs) {
            rows.add(OpSpec.of("conv2d " + c.name() + " bias", REAL,
                    x -> x.get(0).conv2d(x.get(1), x.get(2), c.spec()), c.x(), c.w(), s(c.w().dim(0))));
            rows.add(OpSpec.of("conv2d " + c.name(), REAL, x -> x.get(0).conv2d(x.get(1), null, c.spec()), c.x(), c.w()));
        }
        Pool2dSpec[] pools = {Pool2dSpec.of(2), new Pool2dSpec(2, 2, 1, 1, 0, 0), new Pool2dSpec(3, 3, 2, 2, 1, 1)};
        for (Pool2dSpec p : pools) {
            rows.add(OpSpec.of("avg_pool2d " + p, REAL, x -> x.get(0).avgPool2d(p), s(2, 2, 5, 5)));
            rows.add(OpSpec.of("max_pool2d " + p, DISTINCT, x -> x.get(0).maxPool2d(p), s(2, 2, 5, 5)));
            rows.add(OpSpec.of("avg_pool2d wide " + p, REAL, x -> x.get(0).avgPool2d(p), s(1, 2, 8, 35)));
            rows.add(OpSpec.of("max_pool2d wide " + p, DISTINCT, x -> x.get(0).maxPool2d(p), s(1, 2, 8, 35)));
        }
        rows.add(OpSpec.of("upsample_nearest2d x2", REAL, x -> x.get(0).upsampleNearest2d(2), s(2, 3, 3, 3)));
        rows.add(OpSpec.of("upsample_nearest2d x3", REAL, x -> x.get(0).upsampleNearest2d(3), s(1, 2, 2, 3)));
        rows.add(OpSpec.of("upsample_nearest2d wide x2", REAL, x -> x.get(0).upsampleNearest2d(2), s(2, 3, 5, 17)));
        rows.add(OpSpec.of("batch_norm wide affine", REAL, x -> x.get(0).batchNorm(x.get(1), x.get(2), 1e-5, null),
                s(2, 3, 6, 7), s(3), s(3)));
        rows.add(OpSpec.of("batch_norm affine", REAL, x -> x.get(0).batchNorm(x.get(1), x.get(2), 1e-5, null),
                s(3, 2, 3, 3), s(2), s(2)));
        rows.add(OpSpec.of("batch_norm gamma only", REAL, x -> x.get(0).batchNorm(x.get(1), null, 1e-5, null),
                s(2, 3, 2, 3), s(3)));
        rows.add(OpSpec.of("batch_norm beta only", REAL, x -> x.get(0).batchNorm(null, x.get(1), 1e-5, null),
                s(2, 3, 2, 3), s(3)));
        rows.add(OpSpec.of("batch_norm plain", REAL, x -> x.get(0).batchNorm(null, null, 1e-5, null), s(4, 2, 1, 3)));
        rows.add(OpSpec.of("batch_norm eval", REAL, x -> x.get(0).batchNormEval(
                constant(x.get(0), 0.1, -0.2, 0.3), constant(x.get(0), 0.5, 1.5, 2.0),
                x.get(1), x.get(2), 1e-5), s(2, 3, 2, 2), s(3), s(3)));
    }

    private static void other(List<OpSpec> rows) {
        rows.add(OpSpec.of("softmax axis1", REAL, x -> x.get(0).softmax(1), s(2, 5)));
        rows.add(OpSpec.of("softmax axis0", REAL, x -> x.get(0).softmax(0), s(3, 4)));
        rows.add(OpSpec.of("softmax middle axis", REAL, x -> x.get(0).softmax(1), s(2, 3, 4)));
        rows.add(OpSpec.of("log_softmax axis1", REAL, x -> x.get(0).logSoftmax(1), s(2, 5)));
        rows.add(OpSpec.of("log_softmax axis0", REAL, x -> x.get(0).logSoftmax(0), s(3, 4)));
        rows.add(OpSpec.of("log_softmax middle axis", REAL, x -> x.get(0).logSoftmax(-2), s(2, 3, 4)));
        rows.add(OpSpec.of("softmax wide last axis", REAL, x -> x.get(0).softmax(-1), s(3, 37)));
        rows.add(OpSpec.of("softmax wide axis0", REAL, x -> x.get(0).softmax(0), s(37, 3)));
        rows.add(OpSpec.of("log_softmax wide last axis", REAL, x -> x.get(0).logSoftmax(-1), s(3, 37)));
        rows.add(OpSpec.of("gather wide rows", REAL,
                x -> x.get(0).gather(indices(x.get(0), 2, 0, 2, 1)), s(3, 37)));
        rows.add(OpSpec.of("matmul wide", REAL, x -> x.get(0).matmul(x.get(1)), s(17, 19), s(19, 21)));
        rows.add(OpSpec.of("matmul wide TT batched", REAL, x -> x.get(0).matmul(x.get(1), true, true), s(2, 5, 17), s(2, 19, 5)));
        rows.add(OpSpec.of("gather repeated rows", REAL,
                x -> x.get(0).gather(indices(x.get(0), 0, 3, 3, 1, 4, 0)), s(5, 3)));
        rows.add(OpSpec.of("slice axis1", REAL, x -> x.get(0).slice(1, 1, 4), s(3, 5)));
        rows.add(OpSpec.of("slice axis0 prefix", REAL, x -> x.get(0).slice(0, 0, 2), s(3, 5)));
        rows.add(OpSpec.of("slice last axis suffix", REAL, x -> x.get(0).slice(-1, 2, 4), s(2, 3, 4)));
        rows.add(OpSpec.of("concat axis1", REAL, x -> Tensor.concat(1, x.get(0), x.get(1)), s(2, 3), s(2, 2)));
        rows.add(OpSpec.of("concat axis0 three", REAL, x -> Tensor.concat(0, x.get(0), x.get(1), x.get(2)),
                s(1, 3), s(2, 3), s(3, 3)));
        rows.add(OpSpec.of("concat channels", REAL, x -> Tensor.concat(1, x.get(0), x.get(1)), s(2, 1, 2, 2), s(2, 3, 2, 2)));
        rows.add(OpSpec.of("permute 3d", REAL, x -> x.get(0).permute(2, 0, 1), s(2, 3, 4)));
        rows.add(OpSpec.of("permute 4d", REAL, x -> x.get(0).permute(0, 2, 3, 1), s(2, 3, 2, 2)));
        rows.add(OpSpec.of("transpose", REAL, x -> x.get(0).transpose(), s(3, 4)));
        rows.add(OpSpec.of("reshape", REAL, x -> x.get(0).reshape(6, -1), s(2, 3, 4)));
        rows.add(OpSpec.of("reshape then mul (shared storage)", REAL,
                x -> x.get(0).reshape(4, 3).mul(x.get(1)), s(2, 6), s(3)));
    }
}
