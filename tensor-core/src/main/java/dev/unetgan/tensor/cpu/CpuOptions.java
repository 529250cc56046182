package dev.unetgan.tensor.cpu;

/**
 * Switches of the CPU backend. The scalar path (the plain-Java reference loops, without the Vector API) is forced by
 * {@code -Dunetgan.cpu.scalar=true}, or by {@link #setScalar} in tests that compare the two paths.
 */
public final class CpuOptions {
    private static volatile boolean scalar = Boolean.getBoolean("unetgan.cpu.scalar");

    private CpuOptions() {
    }

    /** Whether F32 kernels must take the scalar reference path. */
    public static boolean scalar() {
        return scalar;
    }

    /** Forces (or releases) the scalar path; for tests comparing the Vector API path with the scalar one. */
    public static void setScalar(boolean forceScalar) {
        scalar = forceScalar;
    }
}
