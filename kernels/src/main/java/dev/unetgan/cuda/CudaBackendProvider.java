package dev.unetgan.cuda;

import dev.unetgan.tensor.Backend;
import dev.unetgan.tensor.BackendProvider;
import dev.unetgan.tensor.Device;

/**
 * Registers the CUDA backend. {@code -Dunetgan.cuda.runtime=emulation} selects the host emulation (what the tests
 * of this module run, on machines without a GPU); otherwise {@link DriverProbe} looks for the driver without
 * touching JCuda and then opens the device with {@link JCudaRuntime}. The probe runs once and never throws.
 */
public final class CudaBackendProvider implements BackendProvider {
    private static final boolean EMULATION = "emulation".equals(System.getProperty("unetgan.cuda.runtime"));

    @Override
    public Device.Kind kind() {
        return Device.Kind.CUDA;
    }

    @Override
    public Probe probe() {
        if (EMULATION) {
            try {
                HostEmulationRuntime.create(HostEmulationRuntime.defaultCache()).close();
                return new Probe(true, "cuda: host emulation (-Dunetgan.cuda.runtime=emulation), no GPU used");
            } catch (RuntimeException | LinkageError e) {
                return new Probe(false, "cuda host emulation unavailable: " + e.getMessage());
            }
        }
        return DriverProbe.probe();
    }

    @Override
    public Backend create(int index) {
        if (EMULATION) {
            if (index != 0) {
                throw new IllegalArgumentException("the host emulation has one device (cuda:0), not cuda:" + index);
            }
            return new CudaBackend(Device.cuda(0), HostEmulationRuntime.create(HostEmulationRuntime.defaultCache()));
        }
        if (index != 0) {
            throw new UnsupportedOperationException("cuda: only device 0 is supported so far, not cuda:" + index);
        }
        return new CudaBackend(Device.cuda(0), DriverProbe.takeRuntime());
    }
}
