package dev.unetgan.cuda;

import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;
import jcuda.nvrtc.JNvrtc;
import jcuda.nvrtc.nvrtcProgram;
import jcuda.nvrtc.nvrtcResult;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The kernels on a real GPU (DESIGN.md §4): one module per family, from the nvcc-built fatbin resource; when that
 * is missing or does not load (for example its PTX is newer than the driver), from NVRTC, compiled to a CUBIN for the
 * device's architecture and cached on disk under (source hash, architecture, NVRTC version). Each
 * {@link CUfunction} is looked up once.
 */
final class KernelModules {
    private static final Logger LOG = Logger.getLogger("dev.unetgan.cuda");

    private final Map<String, CUfunction> functions = new HashMap<>();
    private final List<CUmodule> modules = new ArrayList<>();

    /** Loads every family of {@code sources} for a device of compute capability {@code major.minor}. */
    KernelModules(CudaSources sources, int major, int minor) {
        List<CudaSources.File> headers = sources.files().stream().filter(f -> !f.isFamily()).toList();
        for (CudaSources.File family : sources.files()) {
            if (!family.isFamily()) {
                continue;
            }
            String name = family.name().substring(0, family.name().length() - 3);
            CUmodule module = new CUmodule();
            byte[] fatbin = resource("cuda/" + name + ".fatbin");
            int status = fatbin == null ? CUresult.CUDA_ERROR_NOT_FOUND : JCudaDriver.cuModuleLoadData(module, fatbin);
            if (status != CUresult.CUDA_SUCCESS) {
                LOG.fine(() -> name + ".fatbin: " + (fatbin == null ? "not built" : CUresult.stringFor(status))
                        + "; compiling with NVRTC");
                JCudaRuntime.check(JCudaDriver.cuModuleLoadData(module, nvrtcCubin(family, headers, major, minor)),
                        "cuModuleLoadData(" + name + " from NVRTC)");
            }
            modules.add(module);
            for (String kernel : family.kernels()) {
                CUfunction f = new CUfunction();
                JCudaRuntime.check(JCudaDriver.cuModuleGetFunction(f, module, kernel), "cuModuleGetFunction(" + kernel + ")");
                functions.put(kernel, f);
            }
        }
    }

    CUfunction function(String kernel) {
        CUfunction f = functions.get(kernel);
        if (f == null) {
            throw new CudaException("no CUDA kernel named " + kernel);
        }
        return f;
    }

    void unload() {
        for (CUmodule m : modules) {
            JCudaDriver.cuModuleUnload(m);
        }
        modules.clear();
        functions.clear();
    }

    private static byte[] resource(String path) {
        try (InputStream in = KernelModules.class.getClassLoader().getResourceAsStream(path)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            return null;
        }
    }

    private static Path cacheDir() {
        String dir = System.getProperty("unetgan.cuda.kernelCache");
        return dir != null ? Path.of(dir) : Path.of(System.getProperty("user.home"), ".cache", "unetgan", "cuda");
    }

    /** A CUBIN of {@code family} for {@code sm_<major><minor>}, from the disk cache or compiled now. */
    private static byte[] nvrtcCubin(CudaSources.File family, List<CudaSources.File> headers, int major, int minor) {
        int[] nvrtcMajor = new int[1], nvrtcMinor = new int[1];
        checkNvrtc(JNvrtc.nvrtcVersion(nvrtcMajor, nvrtcMinor), "nvrtcVersion");
        String arch = "sm_" + major + minor;
        Path cached = cacheDir().resolve(
                hash(family, headers, arch + " nvrtc " + nvrtcMajor[0] + "." + nvrtcMinor[0]) + ".cubin");
        try {
            if (Files.exists(cached)) {
                return Files.readAllBytes(cached);
            }
        } catch (IOException e) {
            LOG.fine(() -> "unreadable kernel cache " + cached + ": " + e);
        }
        nvrtcProgram program = new nvrtcProgram();
        String[] headerTexts = headers.stream().map(CudaSources.File::text).toArray(String[]::new);
        String[] headerNames = headers.stream().map(CudaSources.File::name).toArray(String[]::new);
        checkNvrtc(JNvrtc.nvrtcCreateProgram(program, family.text(), family.name(), headers.size(), headerTexts,
                headerNames), "nvrtcCreateProgram(" + family.name() + ")");
        try {
            String[] options = {"--gpu-architecture=" + arch, "-std=c++17", "-default-device"};
            int status = JNvrtc.nvrtcCompileProgram(program, options.length, options);
            if (status != nvrtcResult.NVRTC_SUCCESS) {
                String[] log = new String[1];
                JNvrtc.nvrtcGetProgramLog(program, log);
                throw new CudaException("nvrtcCompileProgram(" + family.name() + ", " + arch + "): "
                        + nvrtcResult.stringFor(status) + "\n" + log[0]);
            }
            long[] size = new long[1];
            checkNvrtc(JNvrtc.nvrtcGetCUBINSize(program, size), "nvrtcGetCUBINSize");
            byte[] cubin = new byte[(int) size[0]];
            checkNvrtc(JNvrtc.nvrtcGetCUBIN(program, cubin), "nvrtcGetCUBIN");
            store(cached, cubin);
            return cubin;
        } finally {
            JNvrtc.nvrtcDestroyProgram(program);
        }
    }

    private static void store(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
            Files.write(tmp, bytes);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            LOG.fine(() -> "cannot cache " + file + ": " + e);
        }
    }

    private static void checkNvrtc(int status, String call) {
        if (status != nvrtcResult.NVRTC_SUCCESS) {
            throw new CudaException(call + ": " + nvrtcResult.stringFor(status));
        }
    }

    private static String hash(CudaSources.File family, List<CudaSources.File> headers, String target) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(target.getBytes(StandardCharsets.UTF_8));
            d.update(family.text().getBytes(StandardCharsets.UTF_8));
            for (CudaSources.File h : headers) {
                d.update(h.text().getBytes(StandardCharsets.UTF_8));
            }
            return family.name() + "-" + HexFormat.of().formatHex(d.digest(), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
