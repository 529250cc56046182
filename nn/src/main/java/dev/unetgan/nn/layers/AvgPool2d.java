package dev.unetgan.nn.layers;

import dev.unetgan.autograd.Tensor;
import dev.unetgan.nn.F;
import dev.unetgan.nn.Layer;
import dev.unetgan.tensor.Pool2dSpec;

/**
 * Average pooling; zero padding counts in the average (PyTorch's default): {@code [N,C,H,W] -> [N,C,P,Q]}, {@code P = floor((H + 2·pad - k)/stride) + 1} (likewise Q). Square
 * windows; the stride defaults to the window size, as in PyTorch.
 */
public final class AvgPool2d extends Layer {
    private final Pool2dSpec spec;

    /** A {@code kernel x kernel} window with stride {@code kernel} and no padding. */
    public AvgPool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    public AvgPool2d(int kernel, int stride, int padding) {
        spec = new Pool2dSpec(kernel, kernel, stride, stride, padding, padding);
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.avgPool2d(x, spec);
    }

    @Override
    protected String describe() {
        return spec.toString();
    }
}
