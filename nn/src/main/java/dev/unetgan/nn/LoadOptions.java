package dev.unetgan.nn;

import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Options of {@link Module#loadStateDict(java.util.Map, LoadOptions)}. Loading is always strict about missing keys,
 * shapes and dtypes; the only relaxation is to ignore named <em>unexpected</em> keys, by exact name or by prefix
 * (for example a checkpoint that also holds {@code "ema."} entries or an optimizer's state).
 *
 * @param ignoredKeys     unexpected keys that are skipped silently
 * @param ignoredPrefixes unexpected keys starting with any of these are skipped silently
 */
public record LoadOptions(Set<String> ignoredKeys, List<String> ignoredPrefixes) {
    /** Every key must match exactly. */
    public static final LoadOptions STRICT = new LoadOptions(Set.of(), List.of());

    public LoadOptions {
        ignoredKeys = Set.copyOf(ignoredKeys);
        ignoredPrefixes = List.copyOf(ignoredPrefixes);
    }

    /** These options, also ignoring the given unexpected keys. */
    public LoadOptions ignoreUnexpected(String... keys) {
        return new LoadOptions(Set.copyOf(Stream.concat(ignoredKeys.stream(), Stream.of(keys)).toList()), ignoredPrefixes);
    }

    /** These options, also ignoring unexpected keys that start with {@code prefix}. */
    public LoadOptions ignoreUnexpectedPrefix(String prefix) {
        if (prefix.isEmpty()) {
            throw new IllegalArgumentException("ignoreUnexpectedPrefix: an empty prefix would ignore every key");
        }
        return new LoadOptions(ignoredKeys, Stream.concat(ignoredPrefixes.stream(), Stream.of(prefix)).toList());
    }

    /** Whether an unexpected {@code key} is to be skipped. */
    public boolean ignores(String key) {
        return ignoredKeys.contains(key) || ignoredPrefixes.stream().anyMatch(key::startsWith);
    }
}
