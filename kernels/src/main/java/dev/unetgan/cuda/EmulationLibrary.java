package dev.unetgan.cuda;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Builds the host-emulation shared library: each {@code .cu} is compiled by g++ as C++20 with {@code cuda_emu.h}
 * force-included and one {@code EMU_EXPORT(kernel)} line appended per kernel, then linked with
 * {@code emu_runtime.cpp} and Boost.Context. The result is cached under {@code <cacheRoot>/<content hash>/}, so a
 * second JVM (or a second test class) with the same sources loads it without compiling.
 */
final class EmulationLibrary {
    private static final String CXX = System.getProperty("unetgan.cuda.cxx", "g++");
    private static final List<String> FLAGS = List.of("-std=c++20", "-O2", "-fPIC", "-Wall", "-Wno-unused-function");

    private EmulationLibrary() {
    }

    /** The path of the library for {@code sources}, compiling it first when it is not cached. */
    static Path build(CudaSources sources, Path cacheRoot) {
        String header = CudaSources.resource("emu/cuda_emu.h");
        String runtime = CudaSources.resource("emu/emu_runtime.cpp");
        Path dir = cacheRoot.resolve(hash(sources, header, runtime));
        Path lib = dir.resolve("libcuda_emu.so");
        if (Files.exists(lib)) {
            return lib;
        }
        try {
            Path work = Files.createDirectories(dir.resolve("build-" + ProcessHandle.current().pid()));
            Files.writeString(work.resolve("cuda_emu.h"), header);
            Files.writeString(work.resolve("emu_runtime.cpp"), runtime);
            List<List<String>> compiles = new ArrayList<>();
            List<String> objects = new ArrayList<>();
            compiles.add(compile(work, "emu_runtime.cpp", objects));
            for (CudaSources.File f : sources.files()) {
                Files.writeString(work.resolve(f.name()), f.text());
                if (f.isFamily()) {
                    StringBuilder wrapper = new StringBuilder("#include \"" + f.name() + "\"\n");
                    for (String k : f.kernels()) {
                        wrapper.append("EMU_EXPORT(").append(k).append(")\n");
                    }
                    String cpp = f.name() + ".emu.cpp";
                    Files.writeString(work.resolve(cpp), wrapper);
                    compiles.add(compile(work, cpp, objects));
                }
            }
            runAll(work, compiles);
            List<String> link = new ArrayList<>(List.of(CXX, "-shared", "-o", "libcuda_emu.so"));
            link.addAll(objects);
            link.addAll(List.of("-lboost_context", "-lpthread"));
            run(work, link);
            try {
                Files.move(work.resolve("libcuda_emu.so"), lib, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(work.resolve("libcuda_emu.so"), lib, StandardCopyOption.REPLACE_EXISTING);
            }
            return lib;
        } catch (IOException e) {
            throw new UncheckedIOException("building the CUDA host emulation in " + dir, e);
        }
    }

    private static List<String> compile(Path work, String source, List<String> objects) {
        String object = source + ".o";
        objects.add(object);
        List<String> cmd = new ArrayList<>(List.of(CXX));
        cmd.addAll(FLAGS);
        cmd.addAll(List.of("-include", "cuda_emu.h", "-I.", "-c", source, "-o", object));
        return cmd;
    }

    /** Runs the compiles two at a time (the machines have two cores). */
    private static void runAll(Path work, List<List<String>> commands) {
        try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
            List<Future<?>> jobs = new ArrayList<>();
            for (List<String> c : commands) {
                jobs.add(pool.submit(() -> run(work, c)));
            }
            for (Future<?> j : jobs) {
                try {
                    j.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while compiling the CUDA host emulation", e);
                }
            }
        }
    }

    private static void run(Path work, List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new CudaException("host emulation: `" + String.join(" ", cmd) + "` failed in " + work + ":\n" + out);
            }
        } catch (IOException e) {
            throw new CudaException("host emulation: cannot run " + cmd.getFirst() + " (" + e.getMessage() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CudaException("host emulation: interrupted while running " + cmd.getFirst(), e);
        }
    }

    private static String hash(CudaSources sources, String header, String runtime) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (String s : List.of(CXX, String.join(" ", FLAGS), header, runtime)) {
                d.update(s.getBytes(StandardCharsets.UTF_8));
                d.update((byte) 0);
            }
            for (CudaSources.File f : sources.files()) {
                d.update(f.name().getBytes(StandardCharsets.UTF_8));
                d.update((byte) 0);
                d.update(f.text().getBytes(StandardCharsets.UTF_8));
                d.update((byte) 0);
            }
            return HexFormat.of().formatHex(d.digest(), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
