package dev.unetgan.nn;

import java.util.List;

/**
 * A state dict that does not fit a module: the keys it lacks, the keys it has in excess, and the keys whose array
 * has the wrong shape or dtype (each described with both). Thrown before anything is written, so the module is
 * unchanged.
 */
public final class StateDictException extends IllegalArgumentException {
    private final List<String> missingKeys;
    private final List<String> unexpectedKeys;
    private final List<String> mismatches;

    public StateDictException(String module, List<String> missingKeys, List<String> unexpectedKeys, List<String> mismatches) {
        super(message(module, missingKeys, unexpectedKeys, mismatches));
        this.missingKeys = List.copyOf(missingKeys);
        this.unexpectedKeys = List.copyOf(unexpectedKeys);
        this.mismatches = List.copyOf(mismatches);
    }

    private static String message(String module, List<String> missing, List<String> unexpected, List<String> mismatches) {
        StringBuilder sb = new StringBuilder("loading state dict into " + module + " failed; the module is unchanged:");
        if (!missing.isEmpty()) sb.append("\n  missing keys: ").append(missing);
        if (!unexpected.isEmpty()) sb.append("\n  unexpected keys: ").append(unexpected);
        for (String m : mismatches) sb.append("\n  ").append(m);
        return sb.toString();
    }

    /** Keys of the module absent from the state dict. */
    public List<String> missingKeys() {
        return missingKeys;
    }

    /** Keys of the state dict that the module does not have (and that were not ignored). */
    public List<String> unexpectedKeys() {
        return unexpectedKeys;
    }

    /** One line per key whose array has the wrong shape or dtype or is closed, naming the key and both descriptions. */
    public List<String> mismatches() {
        return mismatches;
    }
}
