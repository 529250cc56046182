package dev.unetgan.tensor;

import java.util.Arrays;

/** Argument checks shared by {@link Ops} and {@link SpatialOps}; every message names the op and the shapes. */
final class Checks {
    private Checks() {
    }

    /** All arrays open, on one device, of one floating dtype. Returns the common dtype. */
    static DType floating(String op, NDArray... arrays) {
        DType dtype = sameDeviceAndDType(op, arrays);
        if (!dtype.isFloating()) {
            throw new IllegalArgumentException(op + ": needs a floating dtype, got " + dtype + " for " + describe(arrays));
        }
        return dtype;
    }

    /** All arrays open, on one device, of one dtype. Returns that dtype. */
    static DType sameDeviceAndDType(String op, NDArray... arrays) {
        NDArray first = null;
        for (NDArray a : arrays) {
            if (a == null) {
                continue;
            }
            a.checkOpen(op);
            if (first == null) {
                first = a;
            } else if (!a.device().equals(first.device())) {
                throw new IllegalArgumentException(op + ": arrays on different devices: " + describe(arrays));
            } else if (a.dtype() != first.dtype()) {
                throw new IllegalArgumentException(op + ": mixed dtypes: " + describe(arrays));
            }
        }
        if (first == null) {
            throw new IllegalArgumentException(op + ": no arrays");
        }
        return first.dtype();
    }

    static void rank(String op, String name, NDArray a, int rank) {
        if (a.rank() != rank) {
            throw new IllegalArgumentException(op + ": " + name + " must have rank " + rank + ", got " + a.shape());
        }
    }

    static void shape(String op, String name, NDArray a, Shape expected) {
        if (!a.shape().equals(expected)) {
            throw new IllegalArgumentException(op + ": " + name + " must have shape " + expected + ", got " + a.shape());
        }
    }

    static void dtype(String op, String name, NDArray a, DType expected) {
        a.checkOpen(op);
        if (a.dtype() != expected) {
            throw new IllegalArgumentException(op + ": " + name + " must be " + expected + ", got " + a.dtype() + " " + a.shape());
        }
    }

    static String describe(NDArray... arrays) {
        StringBuilder sb = new StringBuilder();
        for (NDArray a : arrays) {
            if (a != null) {
                if (!sb.isEmpty()) sb.append(", ");
                sb.append(a.shape()).append(' ').append(a.dtype()).append(" on ").append(a.device());
            }
        }
        return sb.toString();
    }

    static int[] normalizeAxes(String op, Shape shape, int... axes) {
        int[] norm = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            int a = axes[i] < 0 ? axes[i] + shape.rank() : axes[i];
            if (a < 0 || a >= shape.rank()) {
                throw new IllegalArgumentException(op + ": axis " + axes[i] + " is out of range for shape " + shape);
            }
            norm[i] = a;
        }
        Arrays.sort(norm);
        for (int i = 1; i < norm.length; i++) {
            if (norm[i] == norm[i - 1]) {
                throw new IllegalArgumentException(op + ": repeated axis in " + Arrays.toString(axes) + " for shape " + shape);
            }
        }
        return norm;
    }
}
