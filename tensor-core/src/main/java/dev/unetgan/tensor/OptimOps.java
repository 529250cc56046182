package dev.unetgan.tensor;

/**
 * The fused optimizer updates, checked and dispatched to the arrays' backend like {@link Ops}. They write into
 * existing arrays (parameters and optimizer state) instead of allocating results. Implemented by every backend.
 */
public final class OptimOps {
    private OptimOps() {
    }

    /**
     * One Adam step on one parameter, in place: updates {@code param}, {@code expAvg} and {@code expAvgSq} from
     * {@code grad} as {@link Backend#adamUpdate} defines. All four arrays must be open, distinct, on one device, of
     * one floating dtype and of one shape (any shape).
     */
    public static void adamUpdate(NDArray param, NDArray grad, NDArray expAvg, NDArray expAvgSq, AdamStep hp) {
        String op = "adam_update";
        Checks.floating(op, param, grad, expAvg, expAvgSq);
        Checks.shape(op, "grad", grad, param.shape());
        Checks.shape(op, "expAvg", expAvg, param.shape());
        Checks.shape(op, "expAvgSq", expAvgSq, param.shape());
        if (hp == null) {
            throw new IllegalArgumentException(op + ": no hyper-parameters");
        }
        NDArray[] arrays = {param, grad, expAvg, expAvgSq};
        for (int i = 0; i < arrays.length; i++) {
            for (int j = i + 1; j < arrays.length; j++) {
                if (arrays[i].storage() == arrays[j].storage()) {
                    throw new IllegalArgumentException(op + ": arguments " + i + " and " + j + " share storage "
                            + arrays[i].shape() + "; the update needs four distinct arrays");
                }
            }
        }
        if (param.size() > 0) {
            param.backend().adamUpdate(param, grad, expAvg, expAvgSq, hp);
        }
    }
}
