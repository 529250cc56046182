package dev.unetgan.gan.model;

import java.util.Arrays;

/**
 * The generator table of UNETGAN.md §1: per GBlock, its input and output width as multiples of {@code ch}; every
 * block doubles H and W, starting from 4x4. Only the spec's four rows exist.
 *
 * @param resolution the output size
 * @param in         input width of each block (x ch)
 * @param out        output width of each block (x ch)
 */
public record GArch(int resolution, int[] in, int[] out) {
    /** The spatial size G's first linear layer is reshaped to. */
    public static final int BOTTOM = 4;

    private static final GArch[] TABLE = {
            new GArch(256, new int[]{16, 16, 8, 8, 4, 2}, new int[]{16, 8, 8, 4, 2, 1}),
            new GArch(128, new int[]{16, 16, 8, 4, 2}, new int[]{16, 8, 4, 2, 1}),
            new GArch(64, new int[]{16, 16, 8, 4}, new int[]{16, 8, 4, 2}),
            new GArch(32, new int[]{16, 16, 8}, new int[]{16, 8, 4}),
    };

    public GArch {
        if (in.length != out.length || BOTTOM << in.length != resolution) {
            throw new IllegalArgumentException("G arch " + resolution + ": " + in.length + " blocks do not reach it");
        }
        for (int k = 1; k < in.length; k++) {
            if (in[k] != out[k - 1]) {
                throw new IllegalArgumentException("G arch " + resolution + ": block " + k + " input " + in[k]
                        + " differs from the previous output " + out[k - 1]);
            }
        }
        in = in.clone();
        out = out.clone();
    }

    /** The row for {@code resolution}, which must be 32, 64, 128 or 256. */
    public static GArch of(int resolution) {
        for (GArch a : TABLE) {
            if (a.resolution == resolution) {
                return a;
            }
        }
        throw new IllegalArgumentException("no architecture for resolution " + resolution + "; have 32, 64, 128, 256");
    }

    public int blocks() {
        return in.length;
    }

    /** The output size of block {@code k}: {@code 8, 16, ...}. */
    public int outputSize(int k) {
        return BOTTOM << (k + 1);
    }

    @Override
    public int[] in() {
        return in.clone();
    }

    @Override
    public int[] out() {
        return out.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GArch a && a.resolution == resolution && Arrays.equals(a.in, in) && Arrays.equals(a.out, out);
    }

    @Override
    public int hashCode() {
        return 31 * resolution + Arrays.hashCode(out);
    }

    @Override
    public String toString() {
        return "GArch[" + resolution + ", in=" + Arrays.toString(in) + ", out=" + Arrays.toString(out) + "]";
    }
}
