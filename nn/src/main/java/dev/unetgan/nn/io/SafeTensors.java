package dev.unetgan.nn.io;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.unetgan.nn.io.SafeTensorsHeader.Entry;
import dev.unetgan.nn.io.SafeTensorsHeader.Parsed;
import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.Device;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Shape;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Reads and writes the <a href="https://github.com/huggingface/safetensors">safetensors</a> format: an 8-byte
 * little-endian header length {@code N}, {@code N} bytes of UTF-8 JSON mapping each tensor name to
 * {@code {"dtype", "shape", "data_offsets": [begin, end)}} (relative to the data buffer that follows the header) plus
 * an optional {@code "__metadata__"} string map, then the data buffer: little-endian, row-major, every byte owned by
 * exactly one tensor.
 *
 * <p><b>Reading</b> accepts F32, F64, F16, BF16, I32 and I64. F16 and BF16 widen to F32 exactly; F64 stays F64; I64
 * narrows to I32 and fails if a value does not fit. Reading is strict and all-or-nothing: any departure from the
 * format throws {@link SafeTensorsFormatException} naming the file and the key or byte offset, and no array survives
 * a failed read.
 *
 * <p><b>Writing</b> stores each array in its own dtype (F32, F64 or I32). The layout is the one Python's
 * {@code safetensors} produces, so identical input gives identical bytes, and a file that Python wrote with these
 * dtypes is reproduced byte for byte: metadata first with keys in UTF-8 byte order; tensors ordered by dtype (F64,
 * then F32, then I32) and then by name in UTF-8 byte order, header keys in that same order; compact JSON padded with
 * spaces to a multiple of 8 bytes. An empty metadata map is not written. Writing is atomic: the bytes go to a
 * temporary file in the target's folder, which is forced to disk and then renamed over the target, and the folder is
 * forced after the rename; if anything fails before the rename, the previous file is untouched and the temporary file
 * is deleted.
 */
public final class SafeTensors {
    /** Python's safetensors refuses headers above 100 MB; so do we, rather than allocate whatever a bad length says. */
    static final long MAX_HEADER_BYTES = 100_000_000L;
    /** Bytes moved per read or write call; a multiple of every element size. */
    private static final int CHUNK_BYTES = 1 << 20;

    /** Points in {@link #write} where a test may inject a failure. */
    enum Stage { TEMP_OPENED, TENSOR_WRITTEN, BEFORE_RENAME }

    /** A test hook called at each {@link Stage}; throwing from it simulates a failure at that point. */
    @FunctionalInterface
    interface WriteHook {
        void reached(Stage stage) throws IOException;
    }

    static volatile WriteHook writeHook = stage -> { };

    private SafeTensors() {
    }

    /**
     * What {@link #read} returns: tensors in ascending data-offset order (the order of Python-written files) and the
     * metadata in file order (empty if the file has none). Closing it closes every tensor.
     */
    public record Contents(Map<String, NDArray> tensors, Map<String, String> metadata) implements AutoCloseable {
        public Contents {
            tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
            metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        }

        @Override
        public void close() {
            tensors.values().forEach(NDArray::close);
        }
    }

    /**
     * Reads a whole safetensors file into CPU arrays; each tensor keeps its file shape (rank 0 for a scalar).
     *
     * @throws SafeTensorsFormatException if the file breaks the format; the message names the key or byte offset
     * @throws IOException if the file cannot be read
     */
    public static Contents read(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long fileSize = ch.size();
            if (fileSize < 8) {
                throw new SafeTensorsFormatException(path, "file has " + fileSize
                        + " bytes, fewer than the 8-byte header length");
            }
            long headerLength = readFully(ch, path, 0, 8).getLong();
            if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
                throw new SafeTensorsFormatException(path, "header length " + Long.toUnsignedString(headerLength)
                        + " at byte offset 0 exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
            }
            if (8 + headerLength > fileSize) {
                throw new SafeTensorsFormatException(path, "header length " + headerLength + " at byte offset 0 runs to"
                        + " byte " + (8 + headerLength) + ", past the end of the " + fileSize + "-byte file");
            }
            byte[] json = new byte[(int) headerLength];
            readFully(ch, path, 8, (int) headerLength).get(json);
            long dataStart = 8 + headerLength;
            Parsed header = SafeTensorsHeader.parse(path, json, fileSize - dataStart);
            return new Contents(readTensors(ch, path, dataStart, header.entries()), header.metadata());
        }
    }

    private static Map<String, NDArray> readTensors(FileChannel ch, Path path, long dataStart, List<Entry> entries)
            throws IOException {
        Map<String, NDArray> out = new LinkedHashMap<>();
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        try {
            for (Entry e : entries) {
                out.put(e.key(), readTensor(ch, path, dataStart, e, chunk));
            }
            return out;
        } catch (Throwable t) {
            out.values().forEach(NDArray::close);
            throw t;
        }
    }

    private static NDArray readTensor(FileChannel ch, Path path, long dataStart, Entry e, ByteBuffer chunk)
            throws IOException {
        int n = (int) e.elements();
        Object array = e.dtype().newArray(n);
        int perChunk = CHUNK_BYTES / e.dtype().byteSize;
        for (int done = 0; done < n; done += perChunk) {
            int count = Math.min(perChunk, n - done);
            long position = dataStart + e.begin() + (long) done * e.dtype().byteSize;
            chunk.clear().limit(count * e.dtype().byteSize);
            fill(ch, path, position, chunk);
            try {
                e.dtype().decode(chunk.flip(), array, done, count);
            } catch (FileDType.OutOfRange r) {
                throw new SafeTensorsFormatException(path, "tensor '" + e.key() + "': I64 value " + r.value
                        + " at byte offset " + (position + (long) r.index * 8) + " does not fit in I32");
            }
        }
        Shape shape = Shape.of(e.shape());
        return switch (array) {
            case float[] f -> NDArray.of(f, shape, Device.CPU);
            case double[] d -> NDArray.of(d, shape, Device.CPU);
            case int[] i -> NDArray.of(i, shape, Device.CPU);
            default -> throw new IllegalStateException("unexpected array " + array.getClass());
        };
    }

    private static ByteBuffer readFully(FileChannel ch, Path path, long position, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        fill(ch, path, position, buf);
        return buf.flip();
    }

    /** Fills {@code buf} from {@code position}; a file that shrank under us is reported like a truncated one. */
    private static void fill(FileChannel ch, Path path, long position, ByteBuffer buf) throws IOException {
        long at = position;
        while (buf.hasRemaining()) {
            int got = ch.read(buf, at);
            if (got < 0) {
                throw new SafeTensorsFormatException(path, "unexpected end of file at byte offset " + at);
            }
            at += got;
        }
    }

    /**
     * Writes {@code tensors} (any device; F32, F64 or I32) and {@code metadata} (may be null) to {@code path}
     * atomically, replacing any existing file. The map's iteration order does not matter: see the class comment.
     *
     * @throws IllegalArgumentException if a name is {@code "__metadata__"}
     * @throws IllegalStateException if an array is closed
     * @throws IOException if writing fails; the previous file, if any, is then unchanged
     */
    public static void write(Path path, Map<String, NDArray> tensors, Map<String, String> metadata)
            throws IOException {
        Objects.requireNonNull(path, "path");
        List<Map.Entry<String, NDArray>> ordered = order(tensors);
        byte[] header = header(ordered, metadata == null ? Map.of() : metadata);
        Path target = path.toAbsolutePath();
        Path dir = target.getParent();
        Path temp = dir.resolve("." + target.getFileName() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        WriteHook hook = writeHook;
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                hook.reached(Stage.TEMP_OPENED);
                ByteBuffer head = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
                drain(ch, head.putLong(header.length).put(header).flip());
                ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
                for (Map.Entry<String, NDArray> t : ordered) {
                    writeTensor(ch, t.getValue(), chunk);
                    hook.reached(Stage.TENSOR_WRITTEN);
                }
                ch.force(true);
            }
            hook.reached(Stage.BEFORE_RENAME);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (Throwable t) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException | RuntimeException cleanup) {
                t.addSuppressed(cleanup);
            }
            throw t;
        }
        syncDirectory(dir);
    }

    /** Validates the input and fixes the write order: dtype (F64, F32, I32), then name in UTF-8 byte order. */
    private static List<Map.Entry<String, NDArray>> order(Map<String, NDArray> tensors) {
        List<Map.Entry<String, NDArray>> out = new ArrayList<>(tensors.size());
        for (Map.Entry<String, NDArray> t : tensors.entrySet()) {
            String name = Objects.requireNonNull(t.getKey(), "tensor name");
            NDArray a = Objects.requireNonNull(t.getValue(), () -> "tensor '" + name + "' is null");
            if (name.equals(SafeTensorsHeader.METADATA_KEY)) {
                throw new IllegalArgumentException("'" + name + "' is reserved for metadata, not a tensor name");
            }
            a.checkOpen("safetensors write of '" + name + "'");
            out.add(Map.entry(name, a));
        }
        out.sort(Comparator.<Map.Entry<String, NDArray>>comparingInt(t -> writeRank(t.getValue().dtype()))
                .thenComparing(Map.Entry::getKey, SafeTensors::compareUtf8));
        return out;
    }

    /** Python's writer puts wider dtypes first; among our dtypes that is F64, F32, I32. */
    private static int writeRank(DType dtype) {
        return switch (dtype) {
            case F64 -> 0;
            case F32 -> 1;
            case I32 -> 2;
        };
    }

    private static int compareUtf8(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] header(List<Map.Entry<String, NDArray>> ordered, Map<String, String> metadata)
            throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonGenerator g = SafeTensorsHeader.JSON.createGenerator(bytes)) {
            g.writeStartObject();
            if (!metadata.isEmpty()) {
                List<String> keys = new ArrayList<>(metadata.keySet());
                keys.sort(SafeTensors::compareUtf8);
                g.writeObjectFieldStart(SafeTensorsHeader.METADATA_KEY);
                for (String k : keys) {
                    g.writeStringField(Objects.requireNonNull(k, "metadata key"),
                            Objects.requireNonNull(metadata.get(k), () -> "metadata '" + k + "' is null"));
                }
                g.writeEndObject();
            }
            long offset = 0;
            for (Map.Entry<String, NDArray> t : ordered) {
                NDArray a = t.getValue();
                long end = offset + a.size() * a.dtype().byteSize();
                g.writeObjectFieldStart(t.getKey());
                g.writeStringField("dtype", a.dtype().name());
                g.writeArrayFieldStart("shape");
                for (int d : a.shape().dims()) {
                    g.writeNumber(d);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("data_offsets");
                g.writeNumber(offset);
                g.writeNumber(end);
                g.writeEndArray();
                g.writeEndObject();
                offset = end;
            }
            g.writeEndObject();
        }
        // Pad with spaces (valid JSON whitespace) so the data buffer starts 8-byte aligned, as Python does.
        int padded = (bytes.size() + 7) & ~7;
        while (bytes.size() < padded) {
            bytes.write(' ');
        }
        return bytes.toByteArray();
    }

    /** Writes one array's elements in little-endian order, a chunk at a time. */
    private static void writeTensor(FileChannel ch, NDArray a, ByteBuffer chunk) throws IOException {
        int size = a.dtype().byteSize();
        Object host = switch (a.dtype()) {
            case F32 -> a.toFloatArray();
            case F64 -> a.toDoubleArray();
            case I32 -> a.toIntArray();
        };
        int length = a.shape().sizeAsInt();
        int perChunk = CHUNK_BYTES / size;
        for (int i = 0; i < length; i += perChunk) {
            int n = Math.min(perChunk, length - i);
            chunk.clear();
            switch (host) {
                case float[] f -> chunk.asFloatBuffer().put(f, i, n);
                case double[] d -> chunk.asDoubleBuffer().put(d, i, n);
                case int[] v -> chunk.asIntBuffer().put(v, i, n);
                default -> throw new IllegalStateException("unexpected array " + host.getClass());
            }
            drain(ch, chunk.limit(n * size));
        }
    }

    private static void drain(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    /** Makes the rename itself durable. Some platforms (Windows) cannot open a folder; the rename is atomic there anyway. */
    private static void syncDirectory(Path dir) throws IOException {
        FileChannel ch;
        try {
            ch = FileChannel.open(dir, StandardOpenOption.READ);
        } catch (IOException e) {
            return;
        }
        try (ch) {
            ch.force(true);
        }
    }
}
