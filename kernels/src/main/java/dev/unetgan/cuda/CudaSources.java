package dev.unetgan.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The {@code .cu} and {@code .cuh} texts that a runtime compiles: the project's kernels (resources under
 * {@code cuda/}, listed in {@code cuda/index.txt} by the build) or, for tests, a directory.
 */
public record CudaSources(List<File> files) {

    /** One source file: its name ({@code elementwise.cu}) and text. */
    public record File(String name, String text) {
        private static final Pattern KERNEL = Pattern.compile("__global__\\s+void\\s+(\\w+)\\s*\\(");

        /** Whether this is a kernel family ({@code .cu}) rather than a header. */
        public boolean isFamily() {
            return name.endsWith(".cu");
        }

        /** The names of the kernels it defines ({@code extern "C" __global__ void name(}). */
        public List<String> kernels() {
            List<String> names = new ArrayList<>();
            Matcher m = KERNEL.matcher(text);
            while (m.find()) {
                names.add(m.group(1));
            }
            return names;
        }
    }

    /** The project's kernels, from the class path. */
    public static CudaSources bundled() {
        String index = resource("cuda/index.txt");
        List<File> files = new ArrayList<>();
        for (String name : index.split("\\R")) {
            if (!name.isBlank()) {
                files.add(new File(name.strip(), resource("cuda/" + name.strip())));
            }
        }
        return new CudaSources(List.copyOf(files));
    }

    /** Every {@code .cu}/{@code .cuh} file of {@code dir}, plus the headers of the bundled kernels. */
    public static CudaSources directoryWithBundledHeaders(Path dir) {
        List<File> files = new ArrayList<>();
        for (File f : bundled().files()) {
            if (!f.isFamily()) {
                files.add(f);
            }
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) {
                String n = p.getFileName().toString();
                if (n.endsWith(".cu") || n.endsWith(".cuh")) {
                    files.add(new File(n, Files.readString(p)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading CUDA sources from " + dir, e);
        }
        return new CudaSources(List.copyOf(files));
    }

    /** A text resource of this module. */
    static String resource(String path) {
        try (InputStream in = CudaSources.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + path + " (is the kernels module built?)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("reading resource " + path, e);
        }
    }
}
