package dev.unetgan.nn.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The IDX format of MNIST and Fashion-MNIST: a big-endian magic {@code 00 00 08 n} (unsigned bytes, n dimensions),
 * n big-endian int32 sizes, then the bytes in row-major order. Files may be gzipped (detected by the gzip magic),
 * as Debian and the original sites ship them.
 *
 * <p>Strict: a wrong magic, a data type other than unsigned byte, fewer bytes than the header promises, or
 * bytes after the data are errors that name the file; a short file never becomes a short dataset.
 */
public final class Idx {
    private static final int UNSIGNED_BYTE = 0x08;

    private Idx() {
    }

    /** The contents of an unsigned-byte IDX file: its dimensions and {@code product(dims)} bytes. */
    public record Data(int[] dims, byte[] bytes) {
        /** Size of dimension {@code axis}. */
        public int dim(int axis) {
            return dims[axis];
        }

        /** The unsigned value of element {@code i}. */
        public int unsigned(int i) {
            return bytes[i] & 0xFF;
        }

        @Override
        public String toString() {
            return "Idx.Data" + Arrays.toString(dims);
        }
    }

    /**
     * Reads an unsigned-byte IDX file, gzipped or not.
     *
     * @throws IOException naming the file on an I/O error, a bad magic, a truncated or over-long file
     */
    public static Data read(Path file) throws IOException {
        try (InputStream in = open(file)) {
            byte[] header = readFully(in, 4, file, "the 4-byte magic");
            if (header[0] != 0 || header[1] != 0 || (header[2] & 0xFF) != UNSIGNED_BYTE || header[3] == 0) {
                throw new IOException(file + ": not an unsigned-byte IDX file (magic "
                        + String.format("%02x %02x %02x %02x", header[0], header[1], header[2], header[3])
                        + ", expected 00 00 08 <ndims>)");
            }
            int rank = header[3] & 0xFF;
            byte[] dimBytes = readFully(in, 4 * rank, file, "the " + rank + " dimension sizes");
            int[] dims = new int[rank];
            long count = 1;
            for (int d = 0; d < rank; d++) {
                dims[d] = ((dimBytes[4 * d] & 0xFF) << 24) | ((dimBytes[4 * d + 1] & 0xFF) << 16)
                        | ((dimBytes[4 * d + 2] & 0xFF) << 8) | (dimBytes[4 * d + 3] & 0xFF);
                if (dims[d] < 0) {
                    throw new IOException(file + ": dimension " + d + " has a negative size " + dims[d]);
                }
                count *= dims[d];
            }
            if (count > Integer.MAX_VALUE - 8) {
                throw new IOException(file + ": " + Arrays.toString(dims) + " is too large for one array");
            }
            byte[] bytes = in.readNBytes((int) count);
            if (bytes.length < count) {
                throw new IOException(file + " is truncated: header " + Arrays.toString(dims) + " promises " + count
                        + " data bytes (" + dims[0] + " items) but only " + bytes.length + " are present ("
                        + (dims[0] == 0 ? 0 : bytes.length / (count / dims[0])) + " complete items)");
            }
            if (in.read() != -1) {
                throw new IOException(file + " has data after the " + count + " bytes that its header "
                        + Arrays.toString(dims) + " declares");
            }
            return new Data(dims, bytes);
        } catch (EOFException e) {
            // GZIPInputStream signals a cut-off compressed stream this way, mid-way through any read above.
            throw new IOException(file + " is truncated (the compressed stream ends early: " + e.getMessage() + ")",
                    e);
        }
    }

    /** Writes {@code bytes} with dimensions {@code dims} as an unsigned-byte IDX file, gzipped if {@code gzip}. */
    public static void write(Path file, int[] dims, byte[] bytes, boolean gzip) throws IOException {
        long count = 1;
        for (int d : dims) {
            count *= d;
        }
        if (count != bytes.length || dims.length == 0 || dims.length > 255) {
            throw new IllegalArgumentException("IDX dims " + Arrays.toString(dims) + " do not match " + bytes.length
                    + " bytes");
        }
        try (OutputStream raw = Files.newOutputStream(file);
             OutputStream out = gzip ? new GZIPOutputStream(raw) : raw) {
            out.write(new byte[] {0, 0, UNSIGNED_BYTE, (byte) dims.length});
            for (int d : dims) {
                out.write(new byte[] {(byte) (d >>> 24), (byte) (d >>> 16), (byte) (d >>> 8), (byte) d});
            }
            out.write(bytes);
        }
    }

    private static InputStream open(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        return b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(in, 1 << 16) : in;
    }

    private static byte[] readFully(InputStream in, int n, Path file, String what) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw new IOException(file + " is truncated: it ends within " + what + " (" + b.length + " of " + n
                    + " bytes)");
        }
        return b;
    }
}
