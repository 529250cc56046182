package dev.unetgan.nn.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses and validates a safetensors header. Everything that can be checked without reading tensor data is checked
 * here, so that a bad file fails before a single array is allocated.
 */
final class SafeTensorsHeader {
    static final String METADATA_KEY = "__metadata__";

    /** The JSON factory shared by reader and writer; duplicate keys at any depth are a parse error. */
    static final JsonFactory JSON = JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    /** One tensor's header entry; {@code begin}/{@code end} are relative to the data buffer. */
    record Entry(String key, FileDType dtype, int[] shape, long begin, long end) {
        long elements() {
            long n = 1;
            for (int d : shape) {
                n *= d; // cannot overflow: checked when parsed
            }
            return n;
        }
    }

    /** The entries in ascending data order, and the metadata in file order (empty if absent). */
    record Parsed(List<Entry> entries, Map<String, String> metadata) {}

    private final Path file;
    /** File offset of the data buffer, for messages. */
    private final long dataStart;

    private SafeTensorsHeader(Path file, long dataStart) {
        this.file = file;
        this.dataStart = dataStart;
    }

    /**
     * Parses {@code json} (the header bytes, which sit at file offset 8) and checks that the entries tile a data
     * buffer of {@code bufferLength} bytes exactly: no overlap, no hole, nothing past the end.
     */
    static Parsed parse(Path file, byte[] json, long bufferLength) throws SafeTensorsFormatException {
        SafeTensorsHeader h = new SafeTensorsHeader(file, 8L + json.length);
        h.checkUtf8(json);
        Parsed parsed = h.parseJson(json);
        h.checkLayout(parsed.entries(), bufferLength);
        return parsed;
    }

    private void checkUtf8(byte[] json) throws SafeTensorsFormatException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(json);
        try {
            decoder.decode(in);
        } catch (CharacterCodingException e) {
            throw fail("header is not valid UTF-8 near byte offset " + (8 + in.position()));
        }
    }

    private Parsed parseJson(byte[] json) throws SafeTensorsFormatException {
        List<Entry> entries = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw fail("header at byte offset 8 is not a JSON object");
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                p.nextToken();
                if (key.equals(METADATA_KEY)) {
                    readMetadata(p, metadata);
                } else {
                    entries.add(readEntry(p, key));
                }
            }
            if (t != JsonToken.END_OBJECT) {
                throw fail("malformed header JSON at byte offset " + offset(p.currentLocation()));
            }
            if (p.nextToken() != null) {
                throw fail("unexpected content after the header object at byte offset " + offset(p.currentTokenLocation()));
            }
        } catch (SafeTensorsFormatException e) {
            throw e;
        } catch (JsonProcessingException e) {
            throw fail("malformed header JSON at byte offset " + offset(e.getLocation()) + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalStateException("reading a byte array cannot fail", e);
        }
        entries.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        return new Parsed(List.copyOf(entries), metadata);
    }

    private void readMetadata(JsonParser p, Map<String, String> into) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return;
        }
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw fail("'" + METADATA_KEY + "' must be an object of strings, got " + p.currentToken());
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            if (p.nextToken() != JsonToken.VALUE_STRING) {
                throw fail("metadata '" + key + "': value must be a string, got " + p.currentToken());
            }
            into.put(key, p.getText());
        }
    }

    private Entry readEntry(JsonParser p, String key) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw fail("tensor '" + key + "': entry must be an object, got " + p.currentToken());
        }
        String dtypeName = null;
        long[] shape = null;
        long[] offsets = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "dtype" -> {
                    if (value != JsonToken.VALUE_STRING) {
                        throw fail("tensor '" + key + "': dtype must be a string, got " + value);
                    }
                    dtypeName = p.getText();
                }
                case "shape" -> shape = readInts(p, key, field);
                case "data_offsets" -> offsets = readInts(p, key, field);
                default -> throw fail("tensor '" + key + "': unexpected field '" + field + "'");
            }
        }
        if (dtypeName == null || shape == null || offsets == null) {
            String missing = dtypeName == null ? "dtype" : shape == null ? "shape" : "data_offsets";
            throw fail("tensor '" + key + "': missing field '" + missing + "'");
        }
        FileDType dtype = FileDType.named(dtypeName);
        if (dtype == null) {
            throw fail("tensor '" + key + "': unknown or unsupported dtype '" + dtypeName + "' (supported: "
                    + Arrays.toString(FileDType.values()) + ")");
        }
        int[] dims = new int[shape.length];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] > Integer.MAX_VALUE) {
                throw fail("tensor '" + key + "': dimension " + shape[i] + " is too large");
            }
            dims[i] = (int) shape[i];
            elements = multiply(elements, dims[i], key);
        }
        if (elements > Integer.MAX_VALUE) {
            throw fail("tensor '" + key + "': " + elements + " elements do not fit in one array");
        }
        if (offsets.length != 2) {
            throw fail("tensor '" + key + "': data_offsets must be [begin, end], got " + offsets.length + " numbers");
        }
        long begin = offsets[0];
        long end = offsets[1];
        if (end < begin) {
            throw fail("tensor '" + key + "': data_offsets [" + begin + ", " + end + ") end before they begin");
        }
        long needed = multiply(elements, dtype.byteSize, key);
        if (end - begin != needed) {
            throw fail("tensor '" + key + "': shape " + Arrays.toString(dims) + " of " + dtype + " needs " + needed
                    + " bytes, but data_offsets [" + begin + ", " + end + ") hold " + (end - begin));
        }
        return new Entry(key, dtype, dims, begin, end);
    }

    /** A JSON array of non-negative integers that fit in a long. */
    private long[] readInts(JsonParser p, String key, String field) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw fail("tensor '" + key + "': " + field + " must be an array, got " + p.currentToken());
        }
        long[] out = new long[8];
        int n = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                    || p.getLongValue() < 0) {
                throw fail("tensor '" + key + "': " + field + " must hold non-negative integers, got '" + p.getText()
                        + "' at byte offset " + offset(p.currentTokenLocation()));
            }
            if (n == out.length) {
                out = Arrays.copyOf(out, n * 2);
            }
            out[n++] = p.getLongValue();
        }
        return Arrays.copyOf(out, n);
    }

    private long multiply(long a, long b, String key) throws SafeTensorsFormatException {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw fail("tensor '" + key + "': size overflows");
        }
    }

    private void checkLayout(List<Entry> sorted, long bufferLength) throws SafeTensorsFormatException {
        for (Entry e : sorted) {
            if (e.end() > bufferLength) {
                throw fail("tensor '" + e.key() + "': data_offsets [" + e.begin() + ", " + e.end()
                        + ") run past the data buffer of " + bufferLength + " bytes (file offsets "
                        + region(e.begin(), e.end()) + "); the file is truncated or the offsets are wrong");
            }
        }
        long covered = 0;
        Entry previous = null;
        for (Entry e : sorted) {
            if (e.begin() < covered) {
                throw fail("tensor '" + e.key() + "': data_offsets [" + e.begin() + ", " + e.end()
                        + ") overlap tensor '" + previous.key() + "' [" + previous.begin() + ", " + previous.end() + ")");
            }
            if (e.begin() > covered) {
                throw fail("hole in the data buffer: bytes [" + covered + ", " + e.begin() + ") before tensor '"
                        + e.key() + "' belong to no tensor");
            }
            covered = e.end();
            if (e.end() > e.begin()) {
                previous = e;
            }
        }
        if (covered != bufferLength) {
            throw fail("data buffer bytes [" + covered + ", " + bufferLength + ") (file offsets "
                    + region(covered, bufferLength) + ") belong to no tensor");
        }
    }

    private String region(long begin, long end) {
        return "[" + (dataStart + begin) + ", " + (dataStart + end) + ")";
    }

    private static long offset(JsonLocation location) {
        return location == null || location.getByteOffset() < 0 ? -1 : 8 + location.getByteOffset();
    }

    private SafeTensorsFormatException fail(String problem) {
        return new SafeTensorsFormatException(file, problem);
    }
}
