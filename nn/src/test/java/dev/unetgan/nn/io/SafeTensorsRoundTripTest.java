package dev.unetgan.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.Device;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsRoundTripTest {
    @TempDir
    Path dir;

    /** Random bit patterns, so NaN payloads, subnormals, infinities and -0 all go through the file. */
    private static float[] randomFloatBits(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = Float.intBitsToFloat(r.nextInt());
        }
        return v;
    }

    private static double[] randomDoubleBits(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = Double.longBitsToDouble(r.nextLong());
        }
        return v;
    }

    private static Map<String, NDArray> sample() {
        Map<String, NDArray> m = new LinkedHashMap<>();
        // 300_013 floats are 1.2 MB: more than one 1 MiB chunk, ending mid-chunk.
        m.put("big.weight", NDArray.of(randomFloatBits(7 * 42_859, 1), Shape.of(7, 42_859), Device.CPU));
        m.put("conv.weight", NDArray.of(randomFloatBits(3 * 5 * 2 * 2, 2), Shape.of(3, 5, 2, 2), Device.CPU));
        m.put("one", NDArray.of(new float[] {Float.NaN}, Shape.of(1), Device.CPU));
        m.put("scalar", NDArray.of(new float[] {-0.0f}, Shape.scalar(), Device.CPU));
        m.put("empty", NDArray.of(new float[0], Shape.of(4, 0), Device.CPU));
        m.put("stats", NDArray.of(randomDoubleBits(131_075, 3), Shape.of(131_075), Device.CPU));
        m.put("ids", NDArray.of(new int[] {Integer.MIN_VALUE, -1, 0, 7, Integer.MAX_VALUE}, Shape.of(5), Device.CPU));
        m.put("ünïcode.名前", NDArray.of(new float[] {1, 2, 3}, Shape.of(3), Device.CPU));
        return m;
    }

    private static void assertBitsEqual(NDArray expected, NDArray actual, String key) {
        assertEquals(expected.shape(), actual.shape(), key);
        assertEquals(expected.dtype(), actual.dtype(), key);
        assertEquals(Device.CPU, actual.device(), key);
        switch (expected.dtype()) {
            case F32 -> {
                float[] e = expected.toFloatArray();
                float[] a = actual.toFloatArray();
                assertEquals(e.length, a.length, key);
                for (int i = 0; i < e.length; i++) {
                    if (Float.floatToRawIntBits(e[i]) != Float.floatToRawIntBits(a[i])) {
                        throw new AssertionError(key + "[" + i + "]: bits " + Integer.toHexString(Float.floatToRawIntBits(e[i]))
                                + " became " + Integer.toHexString(Float.floatToRawIntBits(a[i])));
                    }
                }
            }
            case F64 -> {
                double[] e = expected.toDoubleArray();
                double[] a = actual.toDoubleArray();
                assertEquals(e.length, a.length, key);
                for (int i = 0; i < e.length; i++) {
                    assertEquals(Double.doubleToRawLongBits(e[i]), Double.doubleToRawLongBits(a[i]), key + "[" + i + "]");
                }
            }
            case I32 -> assertArrayEquals(expected.toIntArray(), actual.toIntArray(), key);
        }
    }

    @Test
    void roundTripIsBitExactAndRewriteIsByteIdentical() throws IOException {
        Map<String, NDArray> in = sample();
        Map<String, String> meta = Map.of("format", "pt", "step", "1200", "note", "é \"quoted\" \\ \n");
        Path first = dir.resolve("a.safetensors");
        Path second = dir.resolve("b.safetensors");
        SafeTensors.write(first, in, meta);
        try (SafeTensors.Contents c = SafeTensors.read(first)) {
            assertEquals(in.keySet(), c.tensors().keySet());
            for (var e : in.entrySet()) {
                assertBitsEqual(e.getValue(), c.tensors().get(e.getKey()), e.getKey());
            }
            assertEquals(meta, c.metadata());
            SafeTensors.write(second, c.tensors(), c.metadata());
        }
        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second));
        in.values().forEach(NDArray::close);
    }

    @Test
    void inputOrderDoesNotChangeTheBytes() throws IOException {
        Map<String, NDArray> in = sample();
        List<String> reversed = new ArrayList<>(in.keySet()).reversed();
        Map<String, NDArray> backwards = new LinkedHashMap<>();
        reversed.forEach(k -> backwards.put(k, in.get(k)));
        Map<String, NDArray> hashed = new HashMap<>(in);
        Map<String, String> meta1 = new LinkedHashMap<>();
        meta1.put("b", "2");
        meta1.put("a", "1");
        Map<String, String> meta2 = new LinkedHashMap<>();
        meta2.put("a", "1");
        meta2.put("b", "2");
        SafeTensors.write(dir.resolve("1"), in, meta1);
        SafeTensors.write(dir.resolve("2"), backwards, meta2);
        SafeTensors.write(dir.resolve("3"), hashed, meta1);
        byte[] one = Files.readAllBytes(dir.resolve("1"));
        assertArrayEquals(one, Files.readAllBytes(dir.resolve("2")));
        assertArrayEquals(one, Files.readAllBytes(dir.resolve("3")));
        in.values().forEach(NDArray::close);
    }

    /** Python's safetensors 0.8.0 wrote exactly these bytes for {@code save({"w": torch.tensor([1.0])})}. */
    @Test
    void smallestFileMatchesPythonBytes() throws IOException {
        Path p = dir.resolve("w.safetensors");
        try (NDArray w = NDArray.of(new float[] {1.0f}, Shape.of(1), Device.CPU)) {
            SafeTensors.write(p, Map.of("w", w), null);
        }
        String json = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}  ";
        ByteBuffer expected = ByteBuffer.allocate(8 + 56 + 4).order(ByteOrder.LITTLE_ENDIAN);
        expected.putLong(56).put(json.getBytes(StandardCharsets.US_ASCII)).putFloat(1.0f);
        assertArrayEquals(expected.array(), Files.readAllBytes(p));
    }

    @Test
    void layoutOrdersByDtypeThenNameAndPadsHeaderWithSpaces() throws IOException {
        Path p = dir.resolve("order.safetensors");
        Map<String, NDArray> in = new LinkedHashMap<>();
        in.put("a.int", NDArray.of(new int[] {5}, Shape.of(1), Device.CPU));
        in.put("b.float", NDArray.of(new float[] {2f, 3f}, Shape.of(2), Device.CPU));
        in.put("a.float", NDArray.of(new float[] {1f}, Shape.scalar(), Device.CPU));
        in.put("z.double", NDArray.of(new double[] {4.0}, Shape.of(1, 1), Device.CPU));
        SafeTensors.write(p, in, Map.of("k", "v"));
        byte[] bytes = Files.readAllBytes(p);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int n = (int) b.getLong();
        assertEquals(0, n % 8);
        String header = new String(bytes, 8, n, StandardCharsets.UTF_8);
        String json = "{\"__metadata__\":{\"k\":\"v\"},"
                + "\"z.double\":{\"dtype\":\"F64\",\"shape\":[1,1],\"data_offsets\":[0,8]},"
                + "\"a.float\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[8,12]},"
                + "\"b.float\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]},"
                + "\"a.int\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[20,24]}}";
        assertEquals(json + " ".repeat(n - json.length()), header);
        b.position(8 + n);
        assertEquals(4.0, b.getDouble());
        assertEquals(1f, b.getFloat());
        assertEquals(2f, b.getFloat());
        assertEquals(3f, b.getFloat());
        assertEquals(5, b.getInt());
        assertEquals(bytes.length, b.position());
        in.values().forEach(NDArray::close);
    }

    @Test
    void readReturnsTensorsInDataOrderWithMetadataInFileOrder() throws IOException {
        Path p = dir.resolve("x.safetensors");
        try (NDArray a = NDArray.of(new double[] {1}, Shape.of(1), Device.CPU);
                NDArray b = NDArray.of(new float[] {2}, Shape.of(1), Device.CPU)) {
            SafeTensors.write(p, Map.of("b", b, "a", a), Map.of("y", "1", "x", "2"));
        }
        try (SafeTensors.Contents c = SafeTensors.read(p)) {
            assertEquals(List.of("a", "b"), List.copyOf(c.tensors().keySet()));
            assertEquals(DType.F64, c.tensors().get("a").dtype());
            assertEquals(List.of("x", "y"), List.copyOf(c.metadata().keySet()));
        }
    }

    @Test
    void emptyFileOfTensorsRoundTrips() throws IOException {
        Path p = dir.resolve("none.safetensors");
        SafeTensors.write(p, Map.of(), Map.of());
        assertEquals("{}      ", new String(Files.readAllBytes(p), 8, 8, StandardCharsets.US_ASCII));
        try (SafeTensors.Contents c = SafeTensors.read(p)) {
            assertEquals(0, c.tensors().size());
            assertEquals(0, c.metadata().size());
        }
    }

    @Test
    void reservedNameIsRejected() {
        try (NDArray a = NDArray.of(new float[] {1}, Shape.of(1), Device.CPU)) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> SafeTensors.write(dir.resolve("r"), Map.of("__metadata__", a), null));
            assertEquals(true, e.getMessage().contains("__metadata__"));
        }
    }
}
