package dev.unetgan.tensor;

/** Geometry of 2-D pooling. Output size: {@code floor((in + 2·pad - k) / stride) + 1}, {@code <= 0} when the window does not fit. */
public record Pool2dSpec(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW) {
    public Pool2dSpec {
        if (kernelH < 1 || kernelW < 1 || strideH < 1 || strideW < 1 || padH < 0 || padW < 0
                || 2 * padH > kernelH || 2 * padW > kernelW) {
            throw new IllegalArgumentException("pool2d: illegal geometry " + this);
        }
    }

    /** A square window with stride equal to its size and no padding (the U-Net's 2x2 average pool). */
    public static Pool2dSpec of(int kernel) {
        return new Pool2dSpec(kernel, kernel, kernel, kernel, 0, 0);
    }

    public int outH(int h) {
        return Math.floorDiv(h + 2 * padH - kernelH, strideH) + 1;
    }

    public int outW(int w) {
        return Math.floorDiv(w + 2 * padW - kernelW, strideW) + 1;
    }
}
