package dev.unetgan.gan.model;

import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.Device;

import java.util.Set;

/**
 * Everything that shapes the networks (UNETGAN.md §1, §2): the image {@code resolution} (32, 64, 128 or 256), the
 * image channel count {@code channels} ({@code c}: 1 or 3), the base width {@code ch}, the class count
 * {@code nClasses} (0 = unconditional, which selects self-modulation in G), {@code dimZ} (128), the SN
 * {@code snEps}, the resolutions after whose block a self-attention block goes (empty = none, the default), and the
 * parameters' dtype and device.
 */
public record ModelConfig(int resolution, int channels, int ch, int nClasses, int dimZ, double snEps,
                          Set<Integer> attention, DType dtype, Device device) {
    /** The latent size of every published run. */
    public static final int DIM_Z = 128;
    /** The SN eps of the presets. */
    public static final double SN_EPS = 1e-6;

    public ModelConfig {
        GArch.of(resolution);
        if (channels < 1 || ch < 1 || nClasses < 0 || dimZ < 1 || !(snEps > 0)) {
            throw new IllegalArgumentException("model config: bad value in " + resolution + "/" + channels + "/" + ch
                    + "/" + nClasses + "/" + dimZ + "/" + snEps);
        }
        attention = Set.copyOf(attention);
        if (!dtype.isFloating()) {
            throw new IllegalArgumentException("model config: parameters need a floating dtype, got " + dtype);
        }
    }

    /** No attention, {@code dim_z = 128}, SN eps 1e-6, F32 on the CPU. */
    public static ModelConfig of(int resolution, int channels, int ch, int nClasses) {
        return new ModelConfig(resolution, channels, ch, nClasses, DIM_Z, SN_EPS, Set.of(), DType.F32, Device.CPU);
    }

    /** Class-conditional (class embeddings in G's BN, projection heads in D) rather than self-modulated. */
    public boolean conditional() {
        return nClasses > 0;
    }

    public ModelConfig withDtype(DType d) {
        return new ModelConfig(resolution, channels, ch, nClasses, dimZ, snEps, attention, d, device);
    }

    public ModelConfig withDevice(Device d) {
        return new ModelConfig(resolution, channels, ch, nClasses, dimZ, snEps, attention, dtype, d);
    }

    public ModelConfig withSnEps(double eps) {
        return new ModelConfig(resolution, channels, ch, nClasses, dimZ, eps, attention, dtype, device);
    }

    public ModelConfig withAttention(Set<Integer> resolutions) {
        return new ModelConfig(resolution, channels, ch, nClasses, dimZ, snEps, resolutions, dtype, device);
    }
}
