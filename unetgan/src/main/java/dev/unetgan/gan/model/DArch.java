package dev.unetgan.gan.model;

import java.util.Arrays;

/**
 * The U-Net discriminator table of UNETGAN.md §2, as output widths (multiples of {@code ch}): each encoder block
 * halves H and W, each decoder block doubles them. The input widths follow from the spec's rules: encoder block 0
 * reads the image ({@code c} channels) and block {@code k} the output of block {@code k-1}; decoder block 0 reads
 * the bottleneck and block {@code k ≥ 1} reads {@code [decoder_{k-1}, encoder_{n-1-k}]} concatenated.
 *
 * @param resolution the image size
 * @param encoderOut output width of each encoder block (x ch); the last is the bottleneck
 * @param decoderOut output width of each decoder block (x ch)
 */
public record DArch(int resolution, int[] encoderOut, int[] decoderOut) {
    private static final DArch[] TABLE = {
            new DArch(256, new int[]{1, 2, 4, 8, 8, 16}, new int[]{8, 8, 4, 2, 1, 1}),
            new DArch(128, new int[]{1, 2, 4, 8, 16}, new int[]{8, 4, 2, 1, 1}),
            new DArch(64, new int[]{2, 4, 8, 16}, new int[]{8, 4, 2, 1}),
            new DArch(32, new int[]{4, 8, 16}, new int[]{8, 4, 1}),
    };

    public DArch {
        if (encoderOut.length != decoderOut.length || GArch.BOTTOM << encoderOut.length != resolution) {
            throw new IllegalArgumentException("D arch " + resolution + ": " + encoderOut.length + " blocks do not fit");
        }
        encoderOut = encoderOut.clone();
        decoderOut = decoderOut.clone();
    }

    /** The row for {@code resolution}, which must be 32, 64, 128 or 256. */
    public static DArch of(int resolution) {
        for (DArch a : TABLE) {
            if (a.resolution == resolution) {
                return a;
            }
        }
        throw new IllegalArgumentException("no architecture for resolution " + resolution + "; have 32, 64, 128, 256");
    }

    /** Number of encoder blocks, which is also the number of decoder blocks. */
    public int depth() {
        return encoderOut.length;
    }

    /** Input channels of encoder block {@code k} for {@code c} image channels and width {@code ch}. */
    public int encoderIn(int k, int c, int ch) {
        return k == 0 ? c : encoderOut[k - 1] * ch;
    }

    /** The encoder block whose output decoder block {@code k ≥ 1} concatenates: {@code depth-1-k}. */
    public int skipSource(int k) {
        return depth() - 1 - k;
    }

    /** Input width of decoder block {@code k} (x ch), the skip included. */
    public int decoderIn(int k) {
        return k == 0 ? encoderOut[depth() - 1] : decoderOut[k - 1] + encoderOut[skipSource(k)];
    }

    /** Output size of encoder block {@code k}: {@code resolution / 2^(k+1)}. */
    public int encoderSize(int k) {
        return resolution >> (k + 1);
    }

    /** Output size of decoder block {@code k}: {@code 8, 16, ...}. */
    public int decoderSize(int k) {
        return GArch.BOTTOM << (k + 1);
    }

    @Override
    public int[] encoderOut() {
        return encoderOut.clone();
    }

    @Override
    public int[] decoderOut() {
        return decoderOut.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DArch a && a.resolution == resolution && Arrays.equals(a.encoderOut, encoderOut)
                && Arrays.equals(a.decoderOut, decoderOut);
    }

    @Override
    public int hashCode() {
        return 31 * resolution + Arrays.hashCode(encoderOut);
    }

    @Override
    public String toString() {
        return "DArch[" + resolution + ", encoder=" + Arrays.toString(encoderOut) + ", decoder="
                + Arrays.toString(decoderOut) + "]";
    }
}
