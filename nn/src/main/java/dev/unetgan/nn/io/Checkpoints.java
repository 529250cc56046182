package dev.unetgan.nn.io;

import dev.unetgan.nn.LoadOptions;
import dev.unetgan.nn.Module;
import dev.unetgan.tensor.NDArray;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Module checkpoints as safetensors files. Saving is atomic ({@link SafeTensors#write}); loading is strict and
 * all-or-nothing: the file is read and checked completely ({@link SafeTensors#read}), then the state dict is
 * validated against the module before any parameter or buffer changes ({@link Module#loadStateDict}). So a
 * truncated or malformed file, a missing or unexpected key, or a shape mismatch throws and leaves the module as it
 * was.
 */
public final class Checkpoints {
    private Checkpoints() {
    }

    /** Writes the module's state dict (parameters and buffers) and {@code metadata} (may be null) to {@code file}. */
    public static void save(Path file, Module module, Map<String, String> metadata) throws IOException {
        SafeTensors.write(file, module.stateDict(), metadata);
    }

    /** Loads {@code file} into {@code module} strictly; returns the file's metadata. */
    public static Map<String, String> load(Path file, Module module) throws IOException {
        return load(file, module, LoadOptions.STRICT);
    }

    /**
     * Loads {@code file} into {@code module}; {@code options} may name unexpected keys to ignore. Returns the file's
     * metadata.
     */
    public static Map<String, String> load(Path file, Module module, LoadOptions options) throws IOException {
        try (SafeTensors.Contents contents = SafeTensors.read(file)) {
            Map<String, NDArray> tensors = contents.tensors();
            module.loadStateDict(tensors, options);
            return contents.metadata();
        }
    }
}
