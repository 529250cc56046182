package dev.unetgan.tensor;

/**
 * Geometry of a 2-D convolution (cross-correlation, as in PyTorch and cuDNN), other than the array shapes.
 * Output size per spatial dimension: {@code floor((in + 2·pad - dil·(k-1) - 1) / stride) + 1}, which is
 * {@code <= 0} when the kernel does not fit (floor, not Java's truncation, so that such a size is caught).
 */
public record Conv2dSpec(int strideH, int strideW, int padH, int padW, int dilationH, int dilationW) {
    public Conv2dSpec {
        if (strideH < 1 || strideW < 1 || dilationH < 1 || dilationW < 1 || padH < 0 || padW < 0) {
            throw new IllegalArgumentException("conv2d: illegal geometry " + this);
        }
    }

    /** Square stride, padding and dilation. */
    public static Conv2dSpec of(int stride, int pad, int dilation) {
        return new Conv2dSpec(stride, stride, pad, pad, dilation, dilation);
    }

    /** Output height for input height {@code h} and kernel height {@code kh}. */
    public int outH(int h, int kh) {
        return Math.floorDiv(h + 2 * padH - dilationH * (kh - 1) - 1, strideH) + 1;
    }

    /** Output width for input width {@code w} and kernel width {@code kw}. */
    public int outW(int w, int kw) {
        return Math.floorDiv(w + 2 * padW - dilationW * (kw - 1) - 1, strideW) + 1;
    }
}
