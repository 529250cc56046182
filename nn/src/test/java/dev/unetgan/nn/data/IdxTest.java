package dev.unetgan.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
    @TempDir
    Path dir;

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Header and payload written byte by byte here, independently of Idx.write. */
    private static byte[] rawIdx(int type, int[] dims, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0, 0, (byte) type, (byte) dims.length});
        for (int d : dims) {
            out.writeBytes(new byte[] {(byte) (d >>> 24), (byte) (d >>> 16), (byte) (d >>> 8), (byte) d});
        }
        out.writeBytes(payload);
        return out.toByteArray();
    }

    private Path gz(String name, byte[] content) throws IOException {
        Path p = dir.resolve(name);
        try (GZIPOutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
            out.write(content);
        }
        return p;
    }

    @Test
    void roundTripGzippedAndPlain() throws IOException {
        int n = 5;
        int h = 3;
        int w = 7;
        byte[] pixels = randomBytes(n * h * w, 1);
        pixels[0] = 0;
        pixels[1] = (byte) 255;
        byte[] labels = {3, 0, 9, (byte) 200, 1};
        for (boolean gzip : new boolean[] {true, false}) {
            Path img = dir.resolve("img" + gzip);
            Path lab = dir.resolve("lab" + gzip);
            Idx.write(img, new int[] {n, h, w}, pixels, gzip);
            Idx.write(lab, new int[] {n}, labels, gzip);
            Idx.Data data = Idx.read(img);
            assertArrayEquals(new int[] {n, h, w}, data.dims());
            assertArrayEquals(pixels, data.bytes());

            IdxDataset ds = IdxDataset.read(img, lab);
            assertEquals(n, ds.size());
            assertEquals(new ImageShape(1, h, w), ds.shape());
            for (int i = 0; i < n; i++) {
                Example e = ds.get(i);
                assertEquals(labels[i] & 0xFF, e.label());
                assertEquals(labels[i] & 0xFF, ds.label(i));
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        int v = pixels[(i * h + y) * w + x] & 0xFF;
                        assertEquals((float) (v / 127.5 - 1), e.at(0, y, x), 0f);
                    }
                }
            }
            assertEquals(-1f, ds.get(0).image()[0], 0f);
            assertEquals(1f, ds.get(0).image()[1], 0f);
        }
    }

    @Test
    void readsAFileWrittenByHand() throws IOException {
        byte[] payload = {1, 2, 3, 4, 5, 6};
        Path p = gz("hand.gz", rawIdx(8, new int[] {2, 3}, payload));
        Idx.Data d = Idx.read(p);
        assertArrayEquals(new int[] {2, 3}, d.dims());
        assertArrayEquals(payload, d.bytes());
    }

    @Test
    void paddingSurroundsTheImageWithThePadValue() throws IOException {
        byte[] pixels = randomBytes(2 * 2 * 3, 2);
        Path img = dir.resolve("i");
        Path lab = dir.resolve("l");
        Idx.write(img, new int[] {2, 2, 3}, pixels, true);
        Idx.write(lab, new int[] {2}, new byte[] {4, 7}, true);
        IdxDataset ds = IdxDataset.read(img, lab, 2, -1f);
        assertEquals(new ImageShape(1, 6, 7), ds.shape());
        Example e = ds.get(1);
        assertEquals(7, e.label());
        for (int y = 0; y < 6; y++) {
            for (int x = 0; x < 7; x++) {
                boolean inside = y >= 2 && y < 4 && x >= 2 && x < 5;
                float expected = inside ? (float) ((pixels[6 + (y - 2) * 3 + (x - 2)] & 0xFF) / 127.5 - 1) : -1f;
                assertEquals(expected, e.at(0, y, x), 0f, "(" + y + ", " + x + ")");
            }
        }
    }

    @Test
    void badMagicNamesTheFile() throws IOException {
        Path p = gz("floats.gz", rawIdx(0x0D, new int[] {2}, new byte[8]));
        IOException e = assertThrows(IOException.class, () -> Idx.read(p));
        assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("magic 00 00 0d 01"), e.getMessage());

        Path text = dir.resolve("text.gz");
        Files.writeString(text, "hello world");
        IOException e2 = assertThrows(IOException.class, () -> Idx.read(text));
        assertTrue(e2.getMessage().contains("magic"), e2.getMessage());
    }

    @Test
    void truncatedDataIsAnErrorWithCounts() throws IOException {
        // The header promises 10 images of 2x2 (40 bytes) but only 4.5 images' worth follow.
        Path p = gz("short.gz", rawIdx(8, new int[] {10, 2, 2}, new byte[18]));
        IOException e = assertThrows(IOException.class, () -> Idx.read(p));
        String m = e.getMessage();
        assertTrue(m.contains(p.toString()) && m.contains("truncated"), m);
        assertTrue(m.contains("promises 40 data bytes (10 items)") && m.contains("only 18 are present"), m);
        assertTrue(m.contains("4 complete items"), m);

        Path header = gz("header.gz", new byte[] {0, 0, 8, 3, 0, 0});
        IOException e2 = assertThrows(IOException.class, () -> Idx.read(header));
        assertTrue(e2.getMessage().contains("truncated") && e2.getMessage().contains("2 of 12 bytes"),
                e2.getMessage());
    }

    @Test
    void cutCompressedStreamIsAnError() throws IOException {
        Path full = dir.resolve("full.gz");
        Idx.write(full, new int[] {50, 8, 8}, randomBytes(3200, 3), true);
        byte[] bytes = Files.readAllBytes(full);
        Path cut = dir.resolve("cut.gz");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
        IOException e = assertThrows(IOException.class, () -> Idx.read(cut));
        assertTrue(e.getMessage().contains(cut.toString()) && e.getMessage().contains("truncated"),
                e.getMessage());
    }

    @Test
    void trailingBytesAreAnError() throws IOException {
        Path p = gz("long.gz", rawIdx(8, new int[] {2}, new byte[3]));
        IOException e = assertThrows(IOException.class, () -> Idx.read(p));
        assertTrue(e.getMessage().contains("data after the 2 bytes"), e.getMessage());
    }

    @Test
    void labelImageCountMismatchNamesBothFiles() throws IOException {
        Path img = dir.resolve("img.gz");
        Path lab = dir.resolve("lab.gz");
        Idx.write(img, new int[] {5, 2, 2}, new byte[20], true);
        Idx.write(lab, new int[] {4}, new byte[4], true);
        IOException e = assertThrows(IOException.class, () -> IdxDataset.read(img, lab));
        String m = e.getMessage();
        assertTrue(m.contains("mismatch") && m.contains("5 images") && m.contains("4 labels"), m);
        assertTrue(m.contains(img.toString()) && m.contains(lab.toString()), m);

        IOException rank = assertThrows(IOException.class, () -> IdxDataset.read(lab, lab));
        assertTrue(rank.getMessage().contains("rank 3"), rank.getMessage());
    }
}
