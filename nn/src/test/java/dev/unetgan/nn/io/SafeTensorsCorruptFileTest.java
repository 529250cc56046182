package dev.unetgan.nn.io;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every malformed file is rejected with a message naming the file and the key or byte offset at fault. */
class SafeTensorsCorruptFileTest {
    @TempDir
    Path dir;

    private static final String A = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";
    private static final String B = "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}";
    private static final String VALID = "{" + A + "," + B + "}";

    private int counter;

    private Path raw(byte[] bytes) throws IOException {
        Path p = dir.resolve("bad" + (counter++) + ".safetensors");
        Files.write(p, bytes);
        return p;
    }

    /** A file whose length prefix is the true header length. */
    private Path file(byte[] header, int dataBytes) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header);
        for (int i = 0; i < dataBytes; i++) {
            b.put((byte) i);
        }
        return raw(b.array());
    }

    private Path file(String json, int dataBytes) throws IOException {
        return file(json.getBytes(StandardCharsets.UTF_8), dataBytes);
    }

    private static void rejects(Path p, String... fragments) {
        var e = assertThrows(SafeTensorsFormatException.class, () -> SafeTensors.read(p));
        String m = e.getMessage();
        assertTrue(m.startsWith(p.toString() + ": "), m);
        for (String f : fragments) {
            assertTrue(m.contains(f), "message lacks '" + f + "': " + m);
        }
    }

    @Test
    void validBaselineReads() throws IOException {
        try (var c = SafeTensors.read(file(VALID, 12))) {
            assertTrue(c.tensors().containsKey("a") && c.tensors().containsKey("b"));
        }
    }

    @Test
    void fileShorterThanLengthPrefix() throws IOException {
        rejects(raw(new byte[0]), "0 bytes", "8-byte header length");
        rejects(raw(new byte[5]), "5 bytes", "8-byte header length");
    }

    @Test
    void headerLengthPastEndOfFile() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 + 20).order(ByteOrder.LITTLE_ENDIAN).putLong(1000);
        rejects(raw(b.array()), "header length 1000 at byte offset 0", "28-byte file");
    }

    @Test
    void absurdHeaderLength() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40);
        rejects(raw(b.array()), "header length " + (1L << 40), "limit");
        ByteBuffer neg = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L);
        rejects(raw(neg.array()), "header length 18446744073709551615", "limit");
    }

    @Test
    void truncatedData() throws IOException {
        rejects(file(VALID, 10), "tensor 'b'", "[8, 12)", "data buffer of 10 bytes", "truncated");
    }

    @Test
    void bytesAfterTheLastTensor() throws IOException {
        int h = VALID.length();
        rejects(file(VALID, 16), "data buffer bytes [12, 16)", "file offsets [" + (8 + h + 12) + ", " + (8 + h + 16) + ")",
                "belong to no tensor");
    }

    @Test
    void malformedJson() throws IOException {
        String json = "{" + A + "," + B; // missing closing brace
        rejects(file(json, 12), "malformed header JSON at byte offset");
        rejects(file("{\"a\" " + A.substring(4) + "}", 8), "malformed header JSON at byte offset 13");
    }

    @Test
    void headerIsNotAnObject() throws IOException {
        rejects(file("[1, 2]  ", 0), "not a JSON object");
    }

    @Test
    void contentAfterTheHeaderObject() throws IOException {
        rejects(file(VALID + " {}", 12), "unexpected content after the header object at byte offset " + (8 + VALID.length() + 1));
    }

    @Test
    void invalidUtf8() throws IOException {
        byte[] header = VALID.getBytes(StandardCharsets.US_ASCII);
        header[2] = (byte) 0xFF; // the key "a" becomes an invalid byte
        rejects(file(header, 12), "not valid UTF-8 near byte offset 10");
    }

    @Test
    void unknownAndUnsupportedDtypes() throws IOException {
        rejects(file(VALID.replace("\"F32\",\"shape\":[2]", "\"F7\",\"shape\":[2]"), 12), "tensor 'a'", "'F7'");
        rejects(file(VALID.replace("\"F32\",\"shape\":[1]", "\"U8\",\"shape\":[1]"), 12), "tensor 'b'", "'U8'");
        rejects(file(VALID.replace("\"F32\",\"shape\":[1]", "\"f32\",\"shape\":[1]"), 12), "tensor 'b'", "'f32'");
    }

    @Test
    void shapeDoesNotMatchOffsets() throws IOException {
        rejects(file(VALID.replace("[2]", "[3]"), 12), "tensor 'a'", "shape [3] of F32 needs 12 bytes", "hold 8");
        rejects(file(VALID.replace("[2]", "[]"), 12), "tensor 'a'", "needs 4 bytes");
    }

    @Test
    void offsetsEndBeforeTheyBegin() throws IOException {
        rejects(file(VALID.replace("[0,8]", "[8,0]"), 12), "tensor 'a'", "[8, 0)");
    }

    @Test
    void offsetsOutOfBounds() throws IOException {
        String json = "{" + A + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}";
        rejects(file(json, 12), "tensor 'b'", "[8, 16)", "12 bytes");
    }

    @Test
    void overlappingRegions() throws IOException {
        String json = "{" + A + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        rejects(file(json, 12), "tensor 'b'", "[4, 12)", "overlap tensor 'a' [0, 8)");
        String empty = "{" + A + ",\"e\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,4]}}";
        rejects(file(empty, 8), "tensor 'e'", "overlap tensor 'a'");
    }

    @Test
    void holeBetweenRegions() throws IOException {
        String json = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}," + B + "}";
        rejects(file(json, 12), "hole", "bytes [4, 8)", "tensor 'b'");
        String first = "{\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
        rejects(file(first, 8), "hole", "bytes [0, 4)", "tensor 'b'");
    }

    @Test
    void duplicateKeys() throws IOException {
        rejects(file("{" + A + "," + A.replace("[0,8]", "[8,16]") + "}", 16), "Duplicate", "'a'");
        rejects(file("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}," + A + "}", 8), "Duplicate", "'k'");
        rejects(file(VALID.replace("{\"dtype\":\"F32\",\"shape\":[2]", "{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2]"), 12),
                "Duplicate", "'dtype'");
    }

    @Test
    void missingOrUnexpectedFields() throws IOException {
        rejects(file(VALID.replace(",\"data_offsets\":[0,8]", ""), 12), "tensor 'a'", "missing field 'data_offsets'");
        rejects(file(VALID.replace("\"dtype\":\"F32\",\"shape\":[1],", ""), 12), "tensor 'b'", "missing field 'dtype'");
        rejects(file(VALID.replace("\"shape\":[1]", "\"shape\":[1],\"extra\":1"), 12), "tensor 'b'", "unexpected field 'extra'");
        rejects(file(VALID.replace(B, "\"b\":[1]"), 12), "tensor 'b'", "must be an object");
    }

    @Test
    void badNumbers() throws IOException {
        rejects(file(VALID.replace("[2]", "[-2]"), 12), "tensor 'a'", "shape must hold non-negative integers", "'-2'");
        rejects(file(VALID.replace("[2]", "[1.5]"), 12), "tensor 'a'", "'1.5'");
        rejects(file(VALID.replace("[2]", "[\"2\"]"), 12), "tensor 'a'", "'2'");
        rejects(file(VALID.replace("[0,8]", "[0,100000000000000000000000]"), 12), "tensor 'a'", "data_offsets");
        rejects(file(VALID.replace("[0,8]", "[0,8,8]"), 12), "tensor 'a'", "got 3 numbers");
        rejects(file(VALID.replace("[2]", "[65536,65536]"), 12), "tensor 'a'", "do not fit");
        rejects(file(VALID.replace("[2]", "[2147483647,2147483647,2147483647]"), 12), "tensor 'a'", "overflows");
    }

    @Test
    void badMetadata() throws IOException {
        rejects(file("{\"__metadata__\":{\"k\":1}," + A + "}", 8), "metadata 'k'", "must be a string");
        rejects(file("{\"__metadata__\":[]," + A + "}", 8), "'__metadata__' must be an object");
    }

    @Test
    void i64ThatDoesNotFitI32NamesKeyAndOffset() throws IOException {
        String json = "{" + A + ",\"n\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[8,24]}}";
        byte[] header = json.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + 24).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header).putFloat(1f).putFloat(2f).putLong(7).putLong(1L << 31);
        long offset = 8 + header.length + 16;
        rejects(raw(b.array()), "tensor 'n'", "I64 value 2147483648 at byte offset " + offset);
    }
}
