package dev.unetgan.cuda;

import dev.unetgan.tensor.BackendProvider;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;

/**
 * The CUDA probe (DESIGN.md §4), run once and cached. Step one needs no JCuda: is {@code libcuda.so.1} loadable? It
 * is checked with FFM's library lookup, so a machine without the driver never initializes a JCuda class (a failed
 * class initializer would poison that class for the JVM's lifetime). Step two opens the device through
 * {@link JCudaRuntime}, catching {@link LinkageError} as well as CUDA errors, and keeps the runtime for the backend.
 * The description is the one log line: the active tiers, or why the CPU is used.
 */
final class DriverProbe {
    private static BackendProvider.Probe cached;
    private static JCudaRuntime runtime;

    private DriverProbe() {
    }

    static synchronized BackendProvider.Probe probe() {
        if (cached == null) {
            cached = run();
        }
        return cached;
    }

    /** The runtime the passing probe opened, handed over once. */
    static synchronized JCudaRuntime takeRuntime() {
        if (runtime == null) {
            throw new IllegalStateException("cuda: the probe did not pass: " + probe().description());
        }
        JCudaRuntime r = runtime;
        runtime = null;
        return r;
    }

    private static BackendProvider.Probe run() {
        try (Arena arena = Arena.ofConfined()) {
            SymbolLookup.libraryLookup("libcuda.so.1", arena);
        } catch (IllegalArgumentException | LinkageError e) {
            return new BackendProvider.Probe(false, "no CUDA driver (libcuda.so.1 not found)");
        }
        try {
            runtime = JCudaRuntime.open(0);
            return new BackendProvider.Probe(true, runtime.describe());
        } catch (LinkageError | RuntimeException e) {
            return new BackendProvider.Probe(false, "CUDA driver found but unusable: " + e);
        }
    }
}
