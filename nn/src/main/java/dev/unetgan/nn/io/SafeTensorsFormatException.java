package dev.unetgan.nn.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A safetensors file that breaks the format: its message names the file and the tensor key or byte offset at fault.
 * An {@link IOException} because, like a {@code ZipException}, it describes bad input rather than a programming error.
 */
public final class SafeTensorsFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    SafeTensorsFormatException(Path file, String problem) {
        super(file + ": " + problem);
    }
}
