package dev.unetgan.tensor.cpu;

import dev.unetgan.tensor.Conv2dSpec;
import dev.unetgan.tensor.NDArray;

/**
 * The full geometry of one conv2d call: input {@code [n,c,h,w]}, weight {@code [k,c,r,s]}, output {@code [n,k,p,q]},
 * plus stride, padding and dilation. Input row {@code ih = p·strideH - padH + r·dilH}, column
 * {@code iw = q·strideW - padW + s·dilW}; taps outside the input read zero.
 */
record ConvGeometry(int n, int c, int h, int w, int k, int r, int s, int p, int q,
                    int strideH, int strideW, int padH, int padW, int dilH, int dilW) {

    /** The geometry of input {@code x [N,C,H,W]} and weight {@code [K,C,R,S]} under {@code spec}. */
    static ConvGeometry of(NDArray x, NDArray weight, Conv2dSpec spec) {
        int h = x.dim(2), w = x.dim(3), r = weight.dim(2), s = weight.dim(3);
        return new ConvGeometry(x.dim(0), x.dim(1), h, w, weight.dim(0), r, s, spec.outH(h, r), spec.outW(w, s),
                spec.strideH(), spec.strideW(), spec.padH(), spec.padW(), spec.dilationH(), spec.dilationW());
    }

    /**
     * Backward-data of a stride-1 conv as a forward conv: {@code gOut [N,K,P,Q]} convolved with the weight transposed
     * to {@code [C,K,R,S]} and flipped in both kernel axes gives {@code gIn [N,C,H,W]}, with padding
     * {@code dil·(R-1) - pad} (negative padding crops). Only valid when both strides are 1.
     */
    ConvGeometry stride1Adjoint() {
        if (strideH != 1 || strideW != 1) {
            throw new IllegalStateException("conv2d backward-data as a forward conv needs stride 1, got " + this);
        }
        return new ConvGeometry(n, k, p, q, c, r, s, h, w, 1, 1, dilH * (r - 1) - padH, dilW * (s - 1) - padW, dilH, dilW);
    }

    /** Rows of the column matrix (and columns of the weight matrix): {@code C·R·S}. */
    int crs() {
        return c * r * s;
    }

    /** Output pixels per image: {@code P·Q}. */
    int pq() {
        return p * q;
    }

    /** Input pixels per image: {@code H·W}. */
    int hw() {
        return h * w;
    }

    /** Input row read by output row {@code pi} at kernel row {@code ri}; may lie outside {@code [0, h)}. */
    int inRow(int pi, int ri) {
        return pi * strideH - padH + ri * dilH;
    }

    /** Input column of output column 0 at kernel column {@code si}; output column {@code qi} adds {@code qi·strideW}. */
    int inCol0(int si) {
        return si * dilW - padW;
    }

    /**
     * Offset of kernel tap {@code tap} (= r·S + s) from tap (0, 0), in a plane of row stride {@code rowStride}:
     * {@code r·dilH·rowStride + s·dilW}.
     */
    int tapOffset(int tap, int rowStride) {
        return tap / s * dilH * rowStride + tap % s * dilW;
    }

    /** First output column whose tap at kernel column {@code si} lies inside the input. */
    int firstValidQ(int si) {
        return Math.clamp(Math.ceilDiv(-inCol0(si), strideW), 0, q);
    }

    /** One past the last output column whose tap at kernel column {@code si} lies inside the input. */
    int endValidQ(int si) {
        return Math.max(firstValidQ(si), Math.clamp(Math.ceilDiv(w - inCol0(si), strideW), 0, q));
    }
}
