package dev.unetgan.tensor.cpu;

import dev.unetgan.tensor.Backend;
import dev.unetgan.tensor.BackendProvider;
import dev.unetgan.tensor.Device;
import jdk.incubator.vector.FloatVector;

/** Registers the CPU backend; it is always available. */
public final class CpuBackendProvider implements BackendProvider {
    private static final CpuBackend INSTANCE = new CpuBackend();

    @Override
    public Device.Kind kind() {
        return Device.Kind.CPU;
    }

    @Override
    public Probe probe() {
        return new Probe(true, CpuPool.threads() + " threads, "
                + (CpuOptions.scalar() ? "scalar path forced" : FloatVector.SPECIES_PREFERRED.vectorBitSize() + "-bit vectors"));
    }

    @Override
    public Backend create(int index) {
        if (index != 0) {
            throw new IllegalArgumentException("there is one CPU device (cpu:0), not cpu:" + index);
        }
        return INSTANCE;
    }
}
