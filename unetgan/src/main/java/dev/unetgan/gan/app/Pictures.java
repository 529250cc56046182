package dev.unetgan.gan.app;

import dev.unetgan.tensor.NDArray;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * PNG figures of a run: grids of images ({@code [B, c, S, S]} in [-1, 1]) and the U-Net D's per-pixel decision
 * maps, the paper's figure. Files are written to a temporary name and moved into place, so a viewer that reloads
 * them never sees half a file.
 */
public final class Pictures {
    private static final int PAD = 2;
    private static final int LABEL_HEIGHT = 14;
    private static final Color BACKGROUND = new Color(40, 40, 40);

    private Pictures() {
    }

    /**
     * A grid of {@code images [B, c, S, S]} (c = 1 or 3, values in [-1, 1]), {@code cols} per row, enlarged
     * {@code scale} times (nearest neighbour, so pixels stay visible on small images).
     */
    public static BufferedImage grid(NDArray images, int cols, int scale) {
        checkImages(images);
        int n = images.dim(0);
        int rows = (n + cols - 1) / cols;
        int cell = images.dim(2) * scale;
        BufferedImage out = canvas(cols * (cell + PAD) + PAD, rows * (cell + PAD) + PAD);
        float[] v = images.toFloatArray();
        for (int i = 0; i < n; i++) {
            paint(out, v, i, images.dim(1), images.dim(2), scale, PAD + (i % cols) * (cell + PAD),
                    PAD + (i / cols) * (cell + PAD));
        }
        return out;
    }

    /**
     * The decision-map figure: one column per entry of {@code columns} (each {@code [n, c|1, S, S]}; the same
     * {@code n} and S), one row per sample, labelled on top. A column flagged {@code probability} holds D's logits,
     * drawn as {@code sigmoid(logit)} (white: D says real); other columns are images or masks in [-1, 1] or [0, 1]
     * as {@code range01} says.
     */
    public static BufferedImage columns(List<Column> columns, int scale) {
        int n = columns.getFirst().values().dim(0);
        int size = columns.getFirst().values().dim(2);
        int cell = size * scale;
        BufferedImage out = canvas(columns.size() * (cell + PAD) + PAD, LABEL_HEIGHT + n * (cell + PAD) + PAD);
        Graphics2D g = out.createGraphics();
        g.setColor(Color.WHITE);
        for (int k = 0; k < columns.size(); k++) {
            Column col = columns.get(k);
            if (col.values().dim(0) != n || col.values().dim(2) != size) {
                throw new IllegalArgumentException("decision maps: column '" + col.label() + "' is "
                        + col.values().shape() + ", expected " + n + " images of " + size + "x" + size);
            }
            g.drawString(col.label(), PAD + k * (cell + PAD), LABEL_HEIGHT - 3);
            float[] v = col.values().toFloatArray();
            for (int i = 0; i < n; i++) {
                if (col.kind() == Column.Kind.LOGITS) {
                    for (int j = i * size * size; j < (i + 1) * size * size; j++) {
                        v[j] = (float) (2 / (1 + Math.exp(-v[j])) - 1);
                    }
                } else if (col.kind() == Column.Kind.MASK) {
                    for (int j = i * size * size; j < (i + 1) * size * size; j++) {
                        v[j] = 2 * v[j] - 1;
                    }
                }
                paint(out, v, i, col.values().dim(1), size, scale, PAD + k * (cell + PAD),
                        LABEL_HEIGHT + PAD + i * (cell + PAD));
            }
        }
        g.dispose();
        return out;
    }

    /** One column of {@link #columns}: a label and {@code [n, c, S, S]} values of one kind. */
    public record Column(String label, NDArray values, Kind kind) {
        /** How values become grey levels: images in [-1, 1], masks in [0, 1], or D's logits through a sigmoid. */
        public enum Kind { IMAGE, MASK, LOGITS }
    }

    /** Writes {@code image} as a PNG at {@code file} (temporary name, then an atomic move). */
    public static void writePng(BufferedImage image, Path file) throws IOException {
        Path target = file.toAbsolutePath();
        Files.createDirectories(target.getParent());
        Path temp = target.resolveSibling("." + target.getFileName() + ".tmp");
        if (!ImageIO.write(image, "png", temp.toFile())) {
            throw new IOException("no PNG writer in this JVM for " + file);
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void checkImages(NDArray images) {
        if (images.rank() != 4 || (images.dim(1) != 1 && images.dim(1) != 3) || images.dim(2) != images.dim(3)) {
            throw new IllegalArgumentException("picture: needs square images [B, 1|3, S, S], got " + images.shape());
        }
    }

    private static BufferedImage canvas(int width, int height) {
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(BACKGROUND);
        g.fillRect(0, 0, width, height);
        g.dispose();
        return out;
    }

    /** Paints image {@code i} of {@code v} ({@code [.., c, S, S]} in [-1, 1]) with its top-left corner at (x0, y0). */
    private static void paint(BufferedImage out, float[] v, int i, int c, int size, int scale, int x0, int y0) {
        int plane = size * size;
        int base = i * c * plane;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int p = y * size + x;
                int r = level(v[base + p]);
                int rgb = c == 1 ? (r << 16) | (r << 8) | r
                        : (r << 16) | (level(v[base + plane + p]) << 8) | level(v[base + 2 * plane + p]);
                for (int dy = 0; dy < scale; dy++) {
                    for (int dx = 0; dx < scale; dx++) {
                        out.setRGB(x0 + x * scale + dx, y0 + y * scale + dy, rgb);
                    }
                }
            }
        }
    }

    /** [-1, 1] to a grey level 0..255 (clamped; NaN becomes 0). */
    static int level(float v) {
        double g = Math.round((v + 1) * 127.5);
        return g > 255 ? 255 : g >= 0 ? (int) g : 0;
    }
}
