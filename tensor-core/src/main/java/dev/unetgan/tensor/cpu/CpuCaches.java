package dev.unetgan.tensor.cpu;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The per-core L2 size, which the conv GEMM's A block is sized by. It differs by a factor of two between the
 * machines this engine has run on (1 MiB on an AMD Zen 4, 2 MiB on an Intel Xeon with AMX), and an A block tuned for
 * one is a few percent off on the other (benchmarks/README.md). Read once from Linux's sysfs; elsewhere, or when
 * sysfs says nothing, 1 MiB.
 */
final class CpuCaches {
    static final long DEFAULT_L2_BYTES = 1L << 20;
    /** Bytes of one core's L2. */
    static final long L2_BYTES = l2Bytes(Path.of("/sys/devices/system/cpu/cpu0/cache"));

    private CpuCaches() {
    }

    /**
     * The size of the level-2 data or unified cache described under {@code cacheDir} (sysfs layout:
     * {@code index*}/{@code level}, {@code type}, {@code size}), or {@link #DEFAULT_L2_BYTES} when there is none
     * or it cannot be read.
     */
    static long l2Bytes(Path cacheDir) {
        try (Stream<Path> entries = Files.list(cacheDir)) {
            return entries.filter(d -> d.getFileName().toString().startsWith("index"))
                    .filter(d -> read(d, "level").equals("2") && !read(d, "type").equals("Instruction"))
                    .mapToLong(d -> parseSize(read(d, "size")))
                    .filter(bytes -> bytes > 0)
                    .findFirst()
                    .orElse(DEFAULT_L2_BYTES);
        } catch (IOException | UncheckedIOException e) {
            return DEFAULT_L2_BYTES;
        }
    }

    /** {@code "2048K"}, {@code "1M"} or a plain byte count, as sysfs writes them; 0 when it is none of these. */
    static long parseSize(String text) {
        String s = text.strip().toUpperCase(Locale.ROOT);
        long unit = s.endsWith("K") ? 1L << 10 : s.endsWith("M") ? 1L << 20 : 1;
        String digits = unit == 1 ? s : s.substring(0, s.length() - 1);
        try {
            return Long.parseLong(digits) * unit;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String read(Path dir, String file) {
        try {
            return Files.readString(dir.resolve(file)).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
