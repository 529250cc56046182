package dev.unetgan.nn.layers;

import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.Device;

/**
 * What every layer builder shares: the dtype and device of the parameters it makes (F32 on the CPU unless told).
 *
 * @param <B> the concrete builder, returned by the setters for chaining
 */
public abstract class LayerBuilder<B extends LayerBuilder<B>> {
    DType dtype = DType.F32;
    Device device = Device.CPU;

    protected LayerBuilder() {
    }

    /** The parameters' dtype. */
    public DType dtype() {
        return dtype;
    }

    /** The parameters' device. */
    public Device device() {
        return device;
    }

    /** The parameters' dtype (F64 for gradient checks). */
    public B dtype(DType dtype) {
        if (!dtype.isFloating()) {
            throw new IllegalArgumentException("layer parameters need a floating dtype, got " + dtype);
        }
        this.dtype = dtype;
        return self();
    }

    /** The device the parameters live on. */
    public B device(Device device) {
        this.device = device;
        return self();
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    protected static void requirePositive(String layer, String what, int... values) {
        for (int v : values) {
            if (v < 1) {
                throw new IllegalArgumentException(layer + ": " + what + " must be positive, got " + v);
            }
        }
    }
}
