package dev.unetgan.tensor.cpu;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Reading the L2 size from a sysfs-shaped directory, and the fallback when it is missing or unreadable. */
class CpuCachesTest {
    private static void cache(Path dir, String index, String level, String type, String size) throws IOException {
        Path d = Files.createDirectories(dir.resolve(index));
        Files.writeString(d.resolve("level"), level + "\n");
        Files.writeString(d.resolve("type"), type + "\n");
        Files.writeString(d.resolve("size"), size + "\n");
    }

    @Test
    void theLevel2DataOrUnifiedCacheIsRead(@TempDir Path dir) throws IOException {
        cache(dir, "index0", "1", "Data", "48K");
        cache(dir, "index1", "1", "Instruction", "64K");
        cache(dir, "index2", "2", "Unified", "2048K");
        cache(dir, "index3", "3", "Unified", "491520K");
        Files.writeString(dir.resolve("uevent"), "");
        assertEquals(2L << 20, CpuCaches.l2Bytes(dir));
    }

    @Test
    void noL2OrNoDirectoryFallsBackToTheDefault(@TempDir Path dir) throws IOException {
        assertEquals(CpuCaches.DEFAULT_L2_BYTES, CpuCaches.l2Bytes(dir.resolve("missing")));
        cache(dir, "index0", "1", "Data", "32K");
        assertEquals(CpuCaches.DEFAULT_L2_BYTES, CpuCaches.l2Bytes(dir));
        cache(dir, "index2", "2", "Unified", "garbage");
        assertEquals(CpuCaches.DEFAULT_L2_BYTES, CpuCaches.l2Bytes(dir));
    }

    @Test
    void sizesParseInSysfsUnits() {
        assertEquals(48L << 10, CpuCaches.parseSize("48K"));
        assertEquals(1L << 20, CpuCaches.parseSize("1M\n"));
        assertEquals(4096, CpuCaches.parseSize("4096"));
        assertEquals(0, CpuCaches.parseSize("n/a"));
    }
}
