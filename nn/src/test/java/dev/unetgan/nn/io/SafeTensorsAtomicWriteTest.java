package dev.unetgan.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unetgan.tensor.Device;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A write that fails at any point leaves the previous file byte-identical and no temporary file behind. */
class SafeTensorsAtomicWriteTest {
    @TempDir
    Path dir;

    private Path target;
    private byte[] before;
    private Map<String, NDArray> next;

    @BeforeEach
    void writeOldFile() throws IOException {
        target = dir.resolve("model.safetensors");
        try (NDArray old = NDArray.of(new float[] {1, 2, 3}, Shape.of(3), Device.CPU)) {
            SafeTensors.write(target, Map.of("old", old), Map.of("version", "1"));
        }
        before = Files.readAllBytes(target);
        next = new LinkedHashMap<>();
        // Large enough that the first tensor spans several chunks before the failure hits.
        next.put("a", NDArray.full(Shape.of(700, 1000), dev.unetgan.tensor.DType.F32, Device.CPU, 0.5));
        next.put("b", NDArray.of(new float[] {4, 5}, Shape.of(2), Device.CPU));
        next.put("c", NDArray.of(new double[] {6}, Shape.of(1), Device.CPU));
    }

    @AfterEach
    void cleanUp() {
        SafeTensors.writeHook = stage -> { };
        next.values().forEach(NDArray::close);
    }

    private List<String> folder() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private void assertOldFileIntact() throws IOException {
        assertArrayEquals(before, Files.readAllBytes(target));
        assertEquals(List.of("model.safetensors"), folder());
        try (var c = SafeTensors.read(target)) {
            assertEquals(Map.of("version", "1"), c.metadata());
        }
    }

    /** Fails with an I/O error the {@code n}-th time {@code stage} is reached, after checking the temp file exists. */
    private void failAt(SafeTensors.Stage stage, int n) {
        AtomicInteger seen = new AtomicInteger();
        SafeTensors.writeHook = s -> {
            if (s == stage && seen.incrementAndGet() == n) {
                assertEquals(2, folder().size(), "temp file should exist beside the target: " + folder());
                throw new IOException("injected failure at " + s);
            }
        };
    }

    @Test
    void failureRightAfterOpeningTheTempFile() throws IOException {
        failAt(SafeTensors.Stage.TEMP_OPENED, 1);
        var e = assertThrows(IOException.class, () -> SafeTensors.write(target, next, null));
        assertEquals("injected failure at TEMP_OPENED", e.getMessage());
        assertOldFileIntact();
    }

    @Test
    void failureMidWriteAfterTheFirstTensor() throws IOException {
        failAt(SafeTensors.Stage.TENSOR_WRITTEN, 1);
        assertThrows(IOException.class, () -> SafeTensors.write(target, next, null));
        assertOldFileIntact();
    }

    @Test
    void failureAfterFsyncBeforeRename() throws IOException {
        failAt(SafeTensors.Stage.BEFORE_RENAME, 1);
        assertThrows(IOException.class, () -> SafeTensors.write(target, next, null));
        assertOldFileIntact();
    }

    /** An array closed by someone else while the write is under way: the write fails and nothing changes. */
    @Test
    void arrayClosedHalfwayThroughTheWrite() throws IOException {
        SafeTensors.writeHook = s -> {
            if (s == SafeTensors.Stage.TENSOR_WRITTEN) {
                next.get("b").close();
            }
        };
        var e = assertThrows(IllegalStateException.class, () -> SafeTensors.write(target, next, null));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertOldFileIntact();
    }

    @Test
    void closedArrayIsRejectedBeforeTouchingTheDisk() throws IOException {
        next.get("c").close();
        var e = assertThrows(IllegalStateException.class, () -> SafeTensors.write(target, next, null));
        assertTrue(e.getMessage().contains("'c'"), e.getMessage());
        assertOldFileIntact();
    }

    @Test
    void missingFolderFailsWithoutCreatingAnything() {
        Path nowhere = dir.resolve("no/such/folder/model.safetensors");
        assertThrows(NoSuchFileException.class, () -> SafeTensors.write(nowhere, next, null));
        assertFalse(Files.exists(dir.resolve("no")));
    }

    @Test
    void successfulWriteReplacesTheFileAndLeavesNoTemp() throws IOException {
        List<SafeTensors.Stage> stages = new java.util.ArrayList<>();
        SafeTensors.writeHook = stages::add;
        SafeTensors.write(target, next, Map.of("version", "2"));
        assertEquals(List.of(SafeTensors.Stage.TEMP_OPENED, SafeTensors.Stage.TENSOR_WRITTEN,
                SafeTensors.Stage.TENSOR_WRITTEN, SafeTensors.Stage.TENSOR_WRITTEN, SafeTensors.Stage.BEFORE_RENAME), stages);
        assertEquals(List.of("model.safetensors"), folder());
        try (var c = SafeTensors.read(target)) {
            assertEquals(Map.of("version", "2"), c.metadata());
            assertEquals(List.of("c", "a", "b"), List.copyOf(c.tensors().keySet()));
        }
    }

    @Test
    void relativePathWritesIntoTheWorkingFolder() throws IOException {
        Path relative = Path.of("target", "safetensors-relative-" + ProcessHandle.current().pid() + ".safetensors");
        try {
            SafeTensors.write(relative, next, null);
            try (var c = SafeTensors.read(relative)) {
                assertArrayEquals(new double[] {6}, c.tensors().get("c").toDoubleArray());
            }
        } finally {
            Files.deleteIfExists(relative);
        }
    }
}
