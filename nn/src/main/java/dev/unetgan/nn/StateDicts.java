package dev.unetgan.nn;

import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Ops;
import dev.unetgan.tensor.Scope;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Strict, all-or-nothing copying of named arrays into existing ones: the one implementation behind
 * {@link Module#loadStateDict} and every other holder of named state (an EMA's shadow, an optimizer's moments).
 */
public final class StateDicts {
    private StateDicts() {
    }

    /**
     * Copies {@code given} into the arrays of {@code target} (by key, in place). Every key of {@code target} must be
     * in {@code given} with an open array of the same shape and dtype, and every key of {@code given} must be in
     * {@code target} unless {@code options} ignores it. All problems are collected first and thrown together as a
     * {@link StateDictException} naming {@code what}, the keys and both shapes/dtypes, before anything is written.
     * Arrays on another device are transferred; {@code given}'s arrays are not retained.
     */
    public static void copyStrict(String what, Map<String, NDArray> target, Map<String, NDArray> given,
                                  LoadOptions options) {
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : target.entrySet()) {
            NDArray src = given.get(e.getKey());
            NDArray dst = e.getValue();
            if (src == null) {
                missing.add(e.getKey());
            } else if (src.isClosed()) {
                mismatched.add(e.getKey() + ": the given array is closed");
            } else if (!src.shape().equals(dst.shape()) || src.dtype() != dst.dtype()) {
                mismatched.add(e.getKey() + ": expected " + dst.shape() + " " + dst.dtype() + ", got " + src.shape()
                        + " " + src.dtype());
            }
        }
        for (String key : given.keySet()) {
            if (!target.containsKey(key) && !options.ignores(key)) {
                unexpected.add(key);
            }
        }
        if (!missing.isEmpty() || !unexpected.isEmpty() || !mismatched.isEmpty()) {
            throw new StateDictException(what, missing, unexpected, mismatched);
        }
        try (Scope scope = Scope.open()) {
            target.forEach((key, dst) -> {
                NDArray src = given.get(key);
                Ops.copyInto(src.device().equals(dst.device()) ? src : src.to(dst.device()), dst);
            });
        }
    }
}
