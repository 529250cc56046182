package dev.unetgan.cuda;

/** One host-emulation runtime of the bundled kernels, shared by the test classes that drive a runtime directly. */
final class EmulatedRuntime {
    private static HostEmulationRuntime shared;

    private EmulatedRuntime() {
    }

    static synchronized HostEmulationRuntime get() {
        if (shared == null) {
            shared = HostEmulationRuntime.create(HostEmulationRuntime.defaultCache());
        }
        return shared;
    }
}
