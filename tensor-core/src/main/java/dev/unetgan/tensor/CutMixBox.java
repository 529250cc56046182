package dev.unetgan.tensor;

/**
 * One sample's CutMix box (UNETGAN.md §5), already clipped to the image: rows {@code [rowStart, rowEnd)} and
 * columns {@code [colStart, colEnd)}, half-open, so an empty box has {@code start == end} on some side. The mask is
 * {@code M = 1} (real) outside the box and 0 inside; {@code inverted} flips it. Host integers: the box is sampled
 * on the host ({@code gan.loss.CutMix}) and handed to {@link Backend#cutmixBlend}, which builds M on the fly.
 */
public record CutMixBox(int rowStart, int rowEnd, int colStart, int colEnd, boolean inverted) {
    public CutMixBox {
        if (rowStart < 0 || colStart < 0 || rowEnd < rowStart || colEnd < colStart) {
            throw new IllegalArgumentException("CutMix box: need 0 <= start <= end, got rows [" + rowStart + ", "
                    + rowEnd + ") cols [" + colStart + ", " + colEnd + ")");
        }
    }

    /** Whether {@code (row, col)} lies inside the box (before any inversion). */
    public boolean inside(int row, int col) {
        return row >= rowStart && row < rowEnd && col >= colStart && col < colEnd;
    }

    /** {@code M[row, col]}: true (1, a real pixel) outside the box, false inside; the other way round when inverted. */
    public boolean real(int row, int col) {
        return inside(row, col) == inverted;
    }

    /** The number of pixels inside the box. */
    public int area() {
        return (rowEnd - rowStart) * (colEnd - colStart);
    }
}
