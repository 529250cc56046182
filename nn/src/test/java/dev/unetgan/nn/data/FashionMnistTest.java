package dev.unetgan.nn.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {
    private static final Path DIR = Path.of(FashionMnist.DEFAULT_DIR);

    private static void assumeInstalled() {
        assumeTrue(Files.isRegularFile(DIR.resolve("train-images-idx3-ubyte.gz")),
                "dataset-fashion-mnist is not installed");
    }

    /** The first {@code n} bytes after skipping {@code skip}, read with nothing but GZIPInputStream. */
    private static byte[] rawBytes(String file, int skip, int n) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(DIR.resolve(file)))) {
            in.skipNBytes(skip);
            return in.readNBytes(n);
        }
    }

    @Test
    void trainingSet() throws IOException {
        assumeInstalled();
        IdxDataset train = FashionMnist.train();
        assertEquals(60000, train.size());
        assertEquals(new ImageShape(1, 28, 28), train.shape());
        int[] counts = new int[10];
        for (int i = 0; i < train.size(); i++) {
            counts[train.label(i)]++;
        }
        for (int c = 0; c < 10; c++) {
            assertEquals(6000, counts[c], "class " + c);
        }
        // Label file: 8 header bytes, then one byte per label; image file: 16 header bytes.
        assertEquals(9, rawBytes("train-labels-idx1-ubyte.gz", 8, 1)[0]);
        assertEquals(9, train.get(0).label());
        assertEquals("Ankle boot", FashionMnist.CLASSES.get(train.get(0).label()));
        byte[] first = rawBytes("train-images-idx3-ubyte.gz", 16, 784);
        float[] image = train.get(0).image();
        for (int p = 0; p < 784; p++) {
            assertEquals((first[p] & 0xFF) / 127.5f - 1f, image[p], 1e-6f);
        }
    }

    @Test
    void testSetAndPadding() throws IOException {
        assumeInstalled();
        IdxDataset test = FashionMnist.test();
        assertEquals(10000, test.size());
        byte[] labels = rawBytes("t10k-labels-idx1-ubyte.gz", 8, 10000);
        for (int i = 0; i < 10000; i++) {
            assertEquals(labels[i] & 0xFF, test.label(i));
            assertTrue(test.label(i) >= 0 && test.label(i) <= 9);
        }
        IdxDataset padded = FashionMnist.test(true);
        assertEquals(new ImageShape(1, 32, 32), padded.shape());
        Example a = test.get(123);
        Example b = padded.get(123);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                boolean inside = y >= 2 && y < 30 && x >= 2 && x < 30;
                assertEquals(inside ? a.at(0, y - 2, x - 2) : -1f, b.at(0, y, x), 0f);
            }
        }
    }

    @Test
    void missingFilesTellHowToInstall(@TempDir Path empty) {
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> FashionMnist.load(empty, FashionMnist.Split.TRAIN, false));
        String m = e.getMessage();
        assertTrue(m.contains("apt-get install dataset-fashion-mnist"), m);
        assertTrue(m.contains(empty.resolve("train-images-idx3-ubyte.gz").toString()), m);
    }
}
