package dev.unetgan.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {
    @TempDir
    Path dir;

    private static float unit(double v) {
        return (float) (v / 127.5 - 1);
    }

    /** A TYPE_BYTE_GRAY image with rows of the given values. */
    private static BufferedImage gray(int[][] rows) {
        BufferedImage img = new BufferedImage(rows[0].length, rows.length, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < rows.length; y++) {
            img.getRaster().setPixels(0, y, rows[y].length, 1, rows[y]);
        }
        return img;
    }

    private static Path write(BufferedImage img, Path file) throws IOException {
        Files.createDirectories(file.getParent());
        String format = file.toString().endsWith(".png") ? "png" : "jpg";
        assertTrue(ImageIO.write(img, format, file.toFile()), "no writer for " + format);
        return file;
    }

    private static float[][] plane(Example e, int c) {
        float[][] p = new float[e.shape().height()][e.shape().width()];
        for (int y = 0; y < p.length; y++) {
            for (int x = 0; x < p[0].length; x++) {
                p[y][x] = e.at(c, y, x);
            }
        }
        return p;
    }

    private static void assertPlane(double[][] expected255, float[][] actual, float tol) {
        assertEquals(expected255.length, actual.length);
        for (int y = 0; y < actual.length; y++) {
            assertEquals(expected255[y].length, actual[y].length);
            for (int x = 0; x < actual[y].length; x++) {
                assertEquals(unit(expected255[y][x]), actual[y][x], tol, "(" + y + ", " + x + ")");
            }
        }
    }

    /** Captures WARNING records of the data package's logger. */
    private static final class Warnings extends Handler implements AutoCloseable {
        final List<String> messages = new ArrayList<>();
        final Logger logger = Logger.getLogger("dev.unetgan.nn.data");

        Warnings() {
            logger.addHandler(this);
        }

        @Override
        public synchronized void publish(LogRecord r) {
            if (r.getLevel() == Level.WARNING) {
                messages.add(r.getMessage());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            logger.removeHandler(this);
        }
    }

    @Test
    void areaDownscaleMatchesHandComputation() throws IOException {
        // 3 -> 2 on both axes: output 0 covers source [0, 1.5) (weights 2/3, 1/3), output 1 covers [1.5, 3).
        // Rows after the horizontal pass: (10, 50), (100, 140), (190, 230); then vertically:
        // 10*2/3 + 100/3 = 40, 50*2/3 + 140/3 = 80, 100/3 + 190*2/3 = 160, 140/3 + 230*2/3 = 200.
        write(gray(new int[][] {{0, 30, 60}, {90, 120, 150}, {180, 210, 240}}), dir.resolve("a.png"));
        ImageFolder ds = ImageFolder.builder(dir).channels(1).size(2).build();
        assertEquals(new ImageShape(1, 2, 2), ds.shape());
        assertPlane(new double[][] {{40, 80}, {160, 200}}, plane(ds.get(0), 0), 0f);
        assertEquals(0, ds.get(0).label());
        assertEquals(List.of(), ds.classes());
    }

    @Test
    void bilinearUpscaleMatchesHandComputation() throws IOException {
        // 2x1 -> short side 2 gives 4x2. Half-pixel centres: output x maps to (x + 0.5) / 2 - 0.5 = -0.25 (clamped
        // to 0), 0.25, 0.75, 1.25 (clamped to the last pixel): 0, 25, 75, 100. The single row is repeated.
        write(gray(new int[][] {{0, 100}}), dir.resolve("a.png"));
        ImageFolder ds = ImageFolder.builder(dir).channels(1).resize(2).build();
        assertEquals(new ImageShape(1, 2, 4), ds.shape());
        assertPlane(new double[][] {{0, 25, 75, 100}, {0, 25, 75, 100}}, plane(ds.get(0), 0), 0f);
    }

    @Test
    void resizeThenCenterCropOfAWideImage() throws IOException {
        // 8x4 (w x h) -> short side 2 gives 4x2, each output the mean of a 2x2 block; the centre 2x2 crop starts
        // at column (4 - 2) / 2 = 1.
        int[][] rows = new int[4][8];
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 8; x++) {
                rows[y][x] = 10 * x + 40 * y;
            }
        }
        write(gray(rows), dir.resolve("wide.png"));
        ImageFolder ds = ImageFolder.builder(dir).channels(1).size(2).build();
        // Block (by, bx) has mean 10 * (2 bx + 0.5) + 40 * (2 by + 0.5) = 20 bx + 80 by + 25; columns bx = 1, 2.
        assertPlane(new double[][] {{45, 65}, {125, 145}}, plane(ds.get(0), 0), 0f);
    }

    @Test
    void centerCropWithoutResize() throws IOException {
        int[][] rows = new int[5][6];
        for (int y = 0; y < 5; y++) {
            for (int x = 0; x < 6; x++) {
                rows[y][x] = 7 * x + 31 * y;
            }
        }
        write(gray(rows), dir.resolve("a.png"));
        ImageFolder ds = ImageFolder.builder(dir).channels(1).centerCrop(3).build();
        // Offsets: x0 = (6 - 3) / 2 = 1, y0 = (5 - 3) / 2 = 1.
        double[][] expected = new double[3][3];
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 3; x++) {
                expected[y][x] = rows[y + 1][x + 1];
            }
        }
        assertPlane(expected, plane(ds.get(0), 0), 0f);
    }

    @Test
    void rgbLayoutGrayscaleAndGrayToRgb() throws IOException {
        BufferedImage rgb = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
        rgb.setRGB(0, 0, 0xFF8000);
        rgb.setRGB(1, 0, 0x0A14C8);
        write(rgb, dir.resolve("rgb/a.png"));
        Example e = ImageFolder.builder(dir.resolve("rgb")).build().get(0);
        assertEquals(new ImageShape(3, 1, 2), e.shape());
        assertArrayEquals(new float[] {unit(255), unit(10), unit(128), unit(20), unit(0), unit(200)}, e.image());

        Example g = ImageFolder.builder(dir.resolve("rgb")).channels(1).build().get(0);
        // Luma 0.299 R + 0.587 G + 0.114 B, rounded to 8 bits: 151.39 -> 151 and 37.71 -> 38.
        assertArrayEquals(new float[] {unit(151), unit(38)}, g.image());

        // A grey PNG must keep its values (no linear-to-sRGB conversion) and is replicated to RGB.
        write(gray(new int[][] {{128, 3}}), dir.resolve("grey/a.png"));
        Example r = ImageFolder.builder(dir.resolve("grey")).channels(3).build().get(0);
        assertArrayEquals(new float[] {unit(128), unit(3), unit(128), unit(3), unit(128), unit(3)}, r.image());
    }

    @Test
    void jpegDecodesToNearlyTheSameColour() throws IOException {
        BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                img.setRGB(x, y, 0xC83214);
            }
        }
        write(img, dir.resolve("a.jpg"));
        write(img, dir.resolve("b.JPEG"));
        ImageFolder ds = ImageFolder.builder(dir).size(8).build();
        assertEquals(2, ds.size());
        Example e = ds.get(1);
        assertEquals(new ImageShape(3, 8, 8), e.shape());
        float tol = 3 / 127.5f; // JPEG is lossy even for a flat colour
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                assertEquals(unit(200), e.at(0, y, x), tol);
                assertEquals(unit(50), e.at(1, y, x), tol);
                assertEquals(unit(20), e.at(2, y, x), tol);
            }
        }
    }

    @Test
    void randomFlipIsSeededAndMirrors() throws IOException {
        write(gray(new int[][] {{0, 50, 100}, {150, 200, 250}}), dir.resolve("a.png"));
        ImageFolder plain = ImageFolder.builder(dir).channels(1).build();
        ImageFolder flipping = ImageFolder.builder(dir).channels(1).randomFlip(true).seed(3).build();
        ImageFolder again = ImageFolder.builder(dir).channels(1).randomFlip(true).seed(3).build();
        ImageFolder other = ImageFolder.builder(dir).channels(1).randomFlip(true).seed(4).build();
        float[] upright = plain.get(0).image();
        float[] mirrored = {unit(100), unit(50), unit(0), unit(250), unit(200), unit(150)};
        int flips = 0;
        boolean seedMatters = false;
        for (long key = 0; key < 400; key++) {
            float[] img = flipping.get(0, key).image();
            boolean f = flipping.flipped(0, key);
            assertArrayEquals(f ? mirrored : upright, img, "key " + key);
            assertArrayEquals(img, again.get(0, key).image(), "same seed and key, same draw");
            assertFalse(plain.flipped(0, key));
            flips += f ? 1 : 0;
            seedMatters |= f != other.flipped(0, key);
        }
        assertTrue(flips > 150 && flips < 250, "about half flipped: " + flips);
        assertTrue(seedMatters);
    }

    @Test
    void classSubFoldersBecomeSortedLabels() throws IOException {
        BufferedImage img = gray(new int[][] {{1, 2}, {3, 4}});
        write(img, dir.resolve("zebra/1.png"));
        write(img, dir.resolve("ant/x.png"));
        write(img, dir.resolve("ant/nested/y.png"));
        write(img, dir.resolve("moth/q.png"));
        write(img, dir.resolve("loose.png"));
        Files.writeString(dir.resolve("moth/readme.txt"), "not an image");
        write(img, dir.resolve("moth/.hidden.png"));
        try (Warnings w = new Warnings()) {
            ImageFolder ds = ImageFolder.builder(dir).channels(1).build();
            assertEquals(List.of("ant", "moth", "zebra"), ds.classes());
            assertEquals(4, ds.size());
            int[] labels = new int[4];
            for (int i = 0; i < 4; i++) {
                labels[i] = ds.get(i).label();
            }
            assertArrayEquals(new int[] {0, 0, 1, 2}, labels);
            assertEquals(List.of(dir.resolve("ant/nested/y.png"), dir.resolve("ant/x.png")),
                    List.of(ds.file(0), ds.file(1)));
            assertEquals(1, w.messages.size(), w.messages.toString());
            assertTrue(w.messages.getFirst().contains("ignoring the 1 image"), w.messages.toString());
        }
    }

    @Test
    void corruptFilesAreSkippedWithOneWarningEach() throws IOException {
        BufferedImage img = gray(new int[][] {{10, 20}, {30, 40}});
        write(img, dir.resolve("a.png"));
        Path good = write(img, dir.resolve("c.png"));
        Path garbage = dir.resolve("b.png");
        Files.write(garbage, "this is not a png".getBytes());
        byte[] bytes = Files.readAllBytes(good);
        Path truncated = dir.resolve("d.png");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 2));
        BufferedImage big = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        Path jpg = write(big, dir.resolve("e.jpg"));
        byte[] jb = Files.readAllBytes(jpg);
        Path cutJpeg = dir.resolve("f.jpg");
        Files.write(cutJpeg, Arrays.copyOf(jb, jb.length * 2 / 3));
        Files.delete(jpg);
        try (Warnings w = new Warnings()) {
            ImageFolder ds = ImageFolder.builder(dir).channels(1).size(2).build();
            assertEquals(2, ds.size());
            assertEquals(List.of(dir.resolve("a.png"), good), List.of(ds.file(0), ds.file(1)));
            assertEquals(3, w.messages.size(), w.messages.toString());
            assertTrue(w.messages.get(0).contains(garbage.toString()), w.messages.get(0));
            assertTrue(w.messages.get(1).contains(truncated.toString()), w.messages.get(1));
            assertTrue(w.messages.get(2).contains(cutJpeg.toString()), w.messages.get(2));
        }
    }

    @Test
    void emptyOrUnreadableFoldersAreErrors() throws IOException {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageFolder.builder(empty).build());
        assertTrue(e.getMessage().contains(empty.toString()) && e.getMessage().contains("no PNG or JPEG"),
                e.getMessage());

        Path bad = Files.createDirectory(dir.resolve("bad"));
        Files.writeString(bad.resolve("x.png"), "nope");
        Files.writeString(bad.resolve("y.jpg"), "nope");
        try (Warnings w = new Warnings()) {
            IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
                    () -> ImageFolder.builder(bad).build());
            assertTrue(e2.getMessage().contains(bad.toString()) && e2.getMessage().contains("none of the 2"),
                    e2.getMessage());
            assertEquals(2, w.messages.size());
        }

        Path missing = dir.resolve("missing");
        IllegalArgumentException e3 = assertThrows(IllegalArgumentException.class,
                () -> ImageFolder.builder(missing).build());
        assertTrue(e3.getMessage().contains(missing.toString()), e3.getMessage());
    }

    @Test
    void mixedSizesWithoutResizeNameTheFile() throws IOException {
        write(gray(new int[][] {{1, 2}}), dir.resolve("a.png"));
        Path odd = write(gray(new int[][] {{1, 2, 3}}), dir.resolve("b.png"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageFolder.builder(dir).build());
        assertTrue(e.getMessage().contains(odd.toString()), e.getMessage());
    }

    @Test
    void worksThroughTheLoader() throws IOException {
        for (int i = 0; i < 5; i++) {
            write(gray(new int[][] {{i, 2 * i}, {3 * i, 4 * i}}), dir.resolve("c" + (i % 2) + "/" + i + ".png"));
        }
        ImageFolder ds = ImageFolder.builder(dir).channels(3).randomFlip(true).build();
        try (DataLoader loader = DataLoader.builder(ds, 5).shuffle(true).seed(1).build();
             DataLoader.Batch b = loader.next()) {
            assertEquals(dev.unetgan.tensor.Shape.of(5, 3, 2, 2), b.images().shape());
            int[] labels = b.labels().toIntArray().clone();
            Arrays.sort(labels);
            assertArrayEquals(new int[] {0, 0, 0, 1, 1}, labels);
            assertNotEquals(0, b.images().toFloatArray().length);
        }
    }
}
