package dev.unetgan.cuda;

import dev.unetgan.tensor.BackendProvider;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;

/**
 * The first, JCuda-free step of the CUDA probe (DESIGN.md §4): is {@code libcuda.so.1} loadable at all? Checked
 * with FFM's library lookup, so a machine without the driver never initializes a JCuda class (a failed class
 * initializer would poison that class for the JVM's lifetime). The answer is cached.
 */
final class DriverProbe {
    private static BackendProvider.Probe cached;

    private DriverProbe() {
    }

    static synchronized BackendProvider.Probe probe() {
        if (cached == null) {
            cached = run();
        }
        return cached;
    }

    private static BackendProvider.Probe run() {
        try (Arena arena = Arena.ofConfined()) {
            SymbolLookup.libraryLookup("libcuda.so.1", arena);
        } catch (IllegalArgumentException | LinkageError e) {
            return new BackendProvider.Probe(false, "no CUDA driver (libcuda.so.1 not found)");
        }
        return new BackendProvider.Probe(false,
                "CUDA driver found, but the JCuda runtime is not built yet (issue 4); using the CPU");
    }
}
