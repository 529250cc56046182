package dev.unetgan.cuda;

/**
 * The shapes of a cuDNN NCHW convolution ({@code CUDNN_CROSS_CORRELATION}, one group): input {@code [n,c,h,w]},
 * filter {@code [k,c,r,s]}, pads, strides and dilations; the output is {@code [n,k,p,q]} with cuDNN's
 * {@code p = (h + 2·padH - dilationH·(r-1) - 1) / strideH + 1} and likewise {@code q}.
 */
public record ConvGeometry(int n, int c, int h, int w, int k, int r, int s,
                           int padH, int padW, int strideH, int strideW, int dilationH, int dilationW) {
    public ConvGeometry {
        if (n < 1 || c < 1 || h < 1 || w < 1 || k < 1 || r < 1 || s < 1 || padH < 0 || padW < 0
                || strideH < 1 || strideW < 1 || dilationH < 1 || dilationW < 1) {
            throw new IllegalArgumentException("convolution geometry: " + this);
        }
        if (h + 2 * padH < dilationH * (r - 1) + 1 || w + 2 * padW < dilationW * (s - 1) + 1) {
            throw new IllegalArgumentException("convolution geometry: the filter does not fit the padded input: " + this);
        }
    }

    /** Output height. */
    public int p() {
        return (h + 2 * padH - dilationH * (r - 1) - 1) / strideH + 1;
    }

    /** Output width. */
    public int q() {
        return (w + 2 * padW - dilationW * (s - 1) - 1) / strideW + 1;
    }
}
