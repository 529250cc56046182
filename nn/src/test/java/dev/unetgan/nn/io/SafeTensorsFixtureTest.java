package dev.unetgan.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Shape;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interop with Python: the fixtures beside {@code make_fixture.py} in {@code src/test/resources/io} were written by
 * Python's own safetensors 0.8.0 library (with Debian's PyTorch), not by our writer. The expected values here repeat
 * the ones in that script.
 */
class SafeTensorsFixtureTest {
    @TempDir
    Path dir;

    private static Path resource(String name) {
        try {
            return Path.of(SafeTensorsFixtureTest.class.getResource("/io/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void assertFloats(float[] expected, NDArray actual, Shape shape) {
        assertEquals(shape, actual.shape());
        assertEquals(DType.F32, actual.dtype());
        float[] a = actual.toFloatArray();
        assertEquals(expected.length, a.length);
        for (int i = 0; i < a.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(a[i]), "element " + i);
        }
    }

    @Test
    void readsEveryDtypeFromPython() throws IOException {
        try (SafeTensors.Contents c = SafeTensors.read(resource("fixture.safetensors"))) {
            Map<String, NDArray> t = c.tensors();
            // Python wrote the data ordered by dtype, then name; read() keeps data order.
            assertEquals(List.of("i64.ids", "f64.vector", "f32.empty", "f32.matrix", "f32.scalar", "i32.ids",
                    "bf16.values", "f16.values"), List.copyOf(t.keySet()));
            assertEquals(Map.of("format", "pt", "note", "unetgan fixture \u00fc\u20ac"), c.metadata());

            assertFloats(new float[] {0f, 1f, -2.5f, 3.25f, -0f, (float) 1.0e-3}, t.get("f32.matrix"), Shape.of(2, 3));
            assertFloats(new float[] {42.5f}, t.get("f32.scalar"), Shape.scalar());
            assertFloats(new float[0], t.get("f32.empty"), Shape.of(2, 0));

            NDArray f64 = t.get("f64.vector");
            assertEquals(DType.F64, f64.dtype());
            assertEquals(Shape.of(4), f64.shape());
            assertArrayEquals(new double[] {1.0 / 3.0, -1.0e300, Double.MIN_VALUE, Math.PI}, f64.toDoubleArray());

            assertFloats(new float[] {1f, -2f, 0.5f, 65504f, Math.scalb(1f, -24), Float.POSITIVE_INFINITY},
                    t.get("f16.values"), Shape.of(6));
            assertFloats(new float[] {1f, -3.140625f, Math.scalb(1f, -133), Float.intBitsToFloat(0x7F7F0000)},
                    t.get("bf16.values"), Shape.of(2, 2));
            assertEquals(3.3895313892515355e38, t.get("bf16.values").toDoubleArray()[3]);

            NDArray i32 = t.get("i32.ids");
            assertEquals(DType.I32, i32.dtype());
            assertArrayEquals(new int[] {-7, 123456789}, i32.toIntArray());
            NDArray i64 = t.get("i64.ids");
            assertEquals(DType.I32, i64.dtype());
            assertEquals(Shape.of(4), i64.shape());
            assertArrayEquals(new int[] {-5, 0, Integer.MAX_VALUE, Integer.MIN_VALUE}, i64.toIntArray());
        }
    }

    /** Our writer reproduces, byte for byte, a file Python wrote with the dtypes we write. */
    @Test
    void rewritesPythonFileByteForByte() throws IOException {
        Path python = resource("writable.safetensors");
        Path ours = dir.resolve("ours.safetensors");
        try (SafeTensors.Contents c = SafeTensors.read(python)) {
            assertArrayEquals(new float[] {0.5f, -1.25f, 3f, (float) 1.0e-7, 7f, -0f},
                    c.tensors().get("layer.weight").toFloatArray());
            assertArrayEquals(new double[] {1.0 / 3.0, -2.0, 1.0e-310}, c.tensors().get("stats").toDoubleArray());
            assertArrayEquals(new int[] {12345, -1}, c.tensors().get("step").toIntArray());
            assertEquals(Map.of("format", "pt", "epoch", "3"), c.metadata());
            SafeTensors.write(ours, c.tensors(), c.metadata());
        }
        assertArrayEquals(Files.readAllBytes(python), Files.readAllBytes(ours));
    }

    /** Every F16 and BF16 bit pattern widens to the float an independent, naive decoder gives. */
    @Test
    void allHalfPrecisionPatternsWidenExactly() throws IOException {
        int n = 1 << 16;
        String json = "{\"h\":{\"dtype\":\"F16\",\"shape\":[256,256],\"data_offsets\":[0," + 2 * n + "]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[" + n + "],\"data_offsets\":[" + 2 * n + "," + 4 * n + "]}}";
        byte[] header = json.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer file = ByteBuffer.allocate(8 + header.length + 4 * n).order(ByteOrder.LITTLE_ENDIAN);
        file.putLong(header.length).put(header);
        for (int pass = 0; pass < 2; pass++) {
            for (int bits = 0; bits < n; bits++) {
                file.putShort((short) bits);
            }
        }
        Path p = dir.resolve("halves.safetensors");
        Files.write(p, file.array());
        try (SafeTensors.Contents c = SafeTensors.read(p)) {
            float[] h = c.tensors().get("h").toFloatArray();
            float[] b = c.tensors().get("b").toFloatArray();
            for (int bits = 0; bits < n; bits++) {
                float expected = naiveHalf(bits);
                if (Float.isNaN(expected)) {
                    assertTrue(Float.isNaN(h[bits]), "F16 " + Integer.toHexString(bits));
                } else {
                    assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(h[bits]),
                            "F16 " + Integer.toHexString(bits));
                }
                assertEquals(naiveBfloat(bits), Float.floatToRawIntBits(b[bits]), "BF16 " + Integer.toHexString(bits));
            }
        }
    }

    /** IEEE binary16 by its definition: (-1)^s * 2^(e-15) * 1.m, or 2^-14 * 0.m when e = 0. */
    private static float naiveHalf(int bits) {
        int sign = (bits >> 15) & 1;
        int exp = (bits >> 10) & 0x1F;
        int mant = bits & 0x3FF;
        double magnitude;
        if (exp == 0x1F) {
            magnitude = mant == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        } else if (exp == 0) {
            magnitude = mant * Math.pow(2, -24);
        } else {
            magnitude = (1 + mant / 1024.0) * Math.pow(2, exp - 15);
        }
        return (float) (sign == 1 ? -magnitude : magnitude);
    }

    /** The float bits a bfloat16 stands for: its sign, exponent and 7 mantissa bits, zero-extended. */
    private static int naiveBfloat(int bits) {
        int sign = (bits >> 15) & 1;
        int exp = (bits >> 7) & 0xFF;
        int mant = bits & 0x7F;
        return (sign << 31) | (exp << 23) | (mant << 16);
    }
}
