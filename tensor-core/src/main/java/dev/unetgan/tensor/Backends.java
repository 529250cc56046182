package dev.unetgan.tensor;

import java.util.EnumMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/** The registry of backends found by {@link ServiceLoader}; probes each family once and caches the answer. */
final class Backends {
    private static final Logger LOG = Logger.getLogger("dev.unetgan.tensor");
    private static final Map<Device.Kind, BackendProvider> PROVIDERS = new EnumMap<>(Device.Kind.class);
    private static final Map<Device.Kind, BackendProvider.Probe> PROBES = new ConcurrentHashMap<>();
    private static final Map<Device, Backend> BACKENDS = new ConcurrentHashMap<>();
    private static volatile Device best;

    static {
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
            PROVIDERS.putIfAbsent(p.kind(), p);
        }
    }

    private Backends() {
    }

    static Backend of(Device device) {
        return BACKENDS.computeIfAbsent(device, d -> {
            BackendProvider.Probe probe = probe(d.kind());
            if (!probe.available()) {
                throw new IllegalStateException("device " + d + " is unavailable: " + probe.description());
            }
            return PROVIDERS.get(d.kind()).create(d.index());
        });
    }

    static BackendProvider.Probe probe(Device.Kind kind) {
        return PROBES.computeIfAbsent(kind, k -> {
            BackendProvider p = PROVIDERS.get(k);
            if (p == null) {
                return new BackendProvider.Probe(false, "no " + k.name().toLowerCase() + " backend on the class path");
            }
            return p.probe();
        });
    }

    static Device best() {
        Device d = best;
        if (d == null) {
            synchronized (Backends.class) {
                if (best == null) {
                    BackendProvider.Probe cuda = probe(Device.Kind.CUDA);
                    best = cuda.available() ? Device.cuda(0) : Device.CPU;
                    LOG.info(cuda.available() ? "device: cuda:0 (" + cuda.description() + ")"
                            : "device: cpu (" + probe(Device.Kind.CPU).description() + "); cuda unavailable: "
                              + cuda.description());
                }
                d = best;
            }
        }
        return d;
    }
}
