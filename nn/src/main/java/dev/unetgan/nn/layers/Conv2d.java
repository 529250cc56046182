package dev.unetgan.nn.layers;

import dev.unetgan.autograd.Tensor;
import dev.unetgan.nn.F;
import dev.unetgan.nn.Layer;
import dev.unetgan.nn.init.Init;
import dev.unetgan.tensor.Conv2dSpec;
import dev.unetgan.tensor.Generator;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Shape;

/**
 * 2-D convolution (cross-correlation, as PyTorch's {@code nn.Conv2d}): {@code x [N,in,H,W] -> [N,out,P,Q]} with
 * {@code weight [out, in, kh, kw]} and {@code bias [out]}, initialized by PyTorch's default
 * ({@link Init#defaultLayerInit}). {@code P = floor((H + 2·padH - dilH·(kh-1) - 1)/strideH) + 1}, likewise Q.
 */
public final class Conv2d extends Layer {
    private final Tensor weight;
    private final Tensor bias;
    private final Conv2dSpec spec;

    /** A square {@code kernel} with bias, stride 1, the given padding, F32 on the CPU. */
    public Conv2d(int in, int out, int kernel, int padding, Generator gen) {
        this(builder(in, out, kernel).padding(padding), gen);
    }

    private Conv2d(Builder b, Generator gen) {
        spec = new Conv2dSpec(b.strideH, b.strideW, b.padH, b.padW, b.dilationH, b.dilationW);
        weight = registerParameter("weight", NDArray.empty(Shape.of(b.out, b.in, b.kernelH, b.kernelW), b.dtype, b.device));
        bias = b.bias ? registerParameter("bias", NDArray.empty(Shape.of(b.out), b.dtype, b.device)) : null;
        Init.defaultLayerInit(weight.value(), bias == null ? null : bias.value(), gen);
    }

    /** A builder for {@code in -> out} channels with a square {@code kernel}. */
    public static Builder builder(int in, int out, int kernel) {
        return new Builder(in, out, kernel, kernel);
    }

    /** {@code [out, in, kh, kw]}. */
    public Tensor weight() {
        return weight;
    }

    /** {@code [out]}, or null without bias. */
    public Tensor bias() {
        return bias;
    }

    /** Stride, padding and dilation. */
    public Conv2dSpec spec() {
        return spec;
    }

    /** {@code x [N,in,H,W] -> [N,out,P,Q]}. */
    @Override
    public Tensor forward(Tensor x) {
        return F.conv2d(x, weight, bias, spec);
    }

    @Override
    protected String describe() {
        return "weight=" + weight.shape() + ", " + spec + ", bias=" + (bias != null);
    }

    /** Options of {@link Conv2d}; stride 1, padding 0, dilation 1 and a bias unless told. */
    public static final class Builder extends LayerBuilder<Builder> {
        private final int in;
        private final int out;
        private int kernelH;
        private int kernelW;
        private int strideH = 1;
        private int strideW = 1;
        private int padH;
        private int padW;
        private int dilationH = 1;
        private int dilationW = 1;
        private boolean bias = true;

        private Builder(int in, int out, int kernelH, int kernelW) {
            requirePositive("Conv2d", "channel count", in, out);
            this.in = in;
            this.out = out;
            kernel(kernelH, kernelW);
        }

        /** A {@code kh x kw} kernel. */
        public Builder kernel(int kh, int kw) {
            requirePositive("Conv2d", "kernel size", kh, kw);
            kernelH = kh;
            kernelW = kw;
            return this;
        }

        /** The same stride in both directions. */
        public Builder stride(int stride) {
            return stride(stride, stride);
        }

        public Builder stride(int h, int w) {
            strideH = h;
            strideW = w;
            return this;
        }

        /** The same zero padding on all sides. */
        public Builder padding(int padding) {
            return padding(padding, padding);
        }

        public Builder padding(int h, int w) {
            padH = h;
            padW = w;
            return this;
        }

        /** The same dilation in both directions. */
        public Builder dilation(int dilation) {
            return dilation(dilation, dilation);
        }

        public Builder dilation(int h, int w) {
            dilationH = h;
            dilationW = w;
            return this;
        }

        /** Whether to add a bias (default true). */
        public Builder bias(boolean bias) {
            this.bias = bias;
            return this;
        }

        /** The layer, with PyTorch's default init drawn from {@code gen}. */
        public Conv2d build(Generator gen) {
            return new Conv2d(this, gen);
        }
    }
}
