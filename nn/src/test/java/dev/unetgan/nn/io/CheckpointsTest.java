package dev.unetgan.nn.io;

import dev.unetgan.autograd.Tensor;
import dev.unetgan.nn.LoadOptions;
import dev.unetgan.nn.Module;
import dev.unetgan.nn.Sequential;
import dev.unetgan.nn.StateDictException;
import dev.unetgan.nn.layers.BatchNorm2d;
import dev.unetgan.nn.layers.Conv2d;
import dev.unetgan.nn.layers.ReLU;
import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.Device;
import dev.unetgan.tensor.Generator;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** A module round-trips through a checkpoint bit-exactly, and every bad checkpoint leaves the module unchanged. */
class CheckpointsTest {
    @TempDir
    Path dir;

    private static Sequential model(long seed) {
        Generator g = new Generator(seed);
        return new Sequential(Conv2d.builder(3, 4, 3).padding(1).build(g), new BatchNorm2d(4), new ReLU(),
                Conv2d.builder(4, 2, 1).build(g));
    }

    private static Map<String, int[]> bits(Module m) {
        Map<String, int[]> out = new LinkedHashMap<>();
        m.stateDict().forEach((k, v) -> out.put(k, v.dtype() == DType.I32 ? v.toIntArray()
                : floatBits(v.toFloatArray())));
        return out;
    }

    private static int[] floatBits(float[] f) {
        int[] b = new int[f.length];
        for (int i = 0; i < f.length; i++) b[i] = Float.floatToRawIntBits(f[i]);
        return b;
    }

    private static void assertSameBits(Map<String, int[]> a, Map<String, int[]> b) {
        assertEquals(a.keySet(), b.keySet());
        a.forEach((k, v) -> assertArrayEquals(v, b.get(k), k));
    }

    @Test
    void roundTripIsBitExactIncludingBuffers() throws IOException {
        Sequential source = model(1);
        // Move the BN running statistics away from their initial values.
        source.forward(Tensor.of(new Generator(5).normal(Shape.of(2, 3, 6, 6), DType.F32, Device.CPU, 0.5, 2)));
        Path file = dir.resolve("m.safetensors");
        Checkpoints.save(file, source, Map.of("iteration", "7"));
        Sequential target = model(2);
        assertEquals(Map.of("iteration", "7"), Checkpoints.load(file, target));
        assertSameBits(bits(source), bits(target));
    }

    @Test
    void everyBadCheckpointIsRefusedAndTheModuleIsUnchanged() throws IOException {
        Sequential source = model(1);
        Path good = dir.resolve("good.safetensors");
        Checkpoints.save(good, source, null);
        byte[] bytes = Files.readAllBytes(good);

        Sequential target = model(2);
        Map<String, int[]> before = bits(target);

        Map<String, NDArray> state = new LinkedHashMap<>(source.stateDict());
        Path missing = write("missing.safetensors", without(state, "0.bias"));
        Map<String, NDArray> extra = new LinkedHashMap<>(state);
        extra.put("linear.weight", NDArray.zeros(Shape.of(1, 2), DType.F32, Device.CPU));
        Path unexpected = write("unexpected.safetensors", extra);
        Map<String, NDArray> wrongShape = new LinkedHashMap<>(state);
        wrongShape.put("3.weight", NDArray.zeros(Shape.of(2, 4, 3, 3), DType.F32, Device.CPU));
        Path shape = write("shape.safetensors", wrongShape);
        Path truncated = dir.resolve("truncated.safetensors");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length - 9));
        Path malformed = dir.resolve("malformed.safetensors");
        byte[] bad = bytes.clone();
        bad[8] = '[';
        Files.write(malformed, bad);

        assertRefused(missing, target, StateDictException.class, "0.bias");
        assertRefused(unexpected, target, StateDictException.class, "linear.weight");
        assertRefused(shape, target, StateDictException.class, "3.weight");
        assertRefused(truncated, target, SafeTensorsFormatException.class, "truncated.safetensors");
        assertRefused(malformed, target, SafeTensorsFormatException.class, "malformed.safetensors");
        assertSameBits(before, bits(target));

        // The explicit option ignores a named unexpected key (the official D's unused layer, for example).
        Checkpoints.load(unexpected, target, LoadOptions.STRICT.ignoreUnexpected("linear.weight"));
        assertSameBits(bits(source), bits(target));
    }

    private Path write(String name, Map<String, NDArray> tensors) throws IOException {
        Path p = dir.resolve(name);
        SafeTensors.write(p, tensors, null);
        return p;
    }

    private static Map<String, NDArray> without(Map<String, NDArray> state, String key) {
        Map<String, NDArray> m = new LinkedHashMap<>(state);
        m.remove(key);
        return m;
    }

    private static void assertRefused(Path file, Module target, Class<? extends Exception> type, String named) {
        Exception e = assertThrows(type, () -> Checkpoints.load(file, target));
        assertTrue(e.getMessage().contains(named), e.getMessage());
    }
}
