package dev.unetgan.cuda;

/**
 * Launch configurations and the one reused {@link KernelArgs} of a backend. The memory-bound kernels use grid-stride
 * loops, so their grid is capped: enough blocks to fill a large GPU (H100: 132 SMs x 16 blocks of 256 threads), not
 * one thread per element. Not thread-safe; {@link CudaBackend} serializes its calls, as one stream does.
 */
final class KernelLauncher {
    /** Threads per block of the memory-bound kernels; BLOCK in common.cuh. */
    static final int BLOCK = 256;
    /** The most blocks of a grid-stride launch. */
    static final int MAX_GRID = 2048;

    private final DeviceRuntime runtime;
    private final KernelArgs args = new KernelArgs();

    KernelLauncher(DeviceRuntime runtime) {
        this.runtime = runtime;
    }

    DeviceRuntime runtime() {
        return runtime;
    }

    /** The argument list, emptied, for the next launch. */
    KernelArgs args() {
        return args.clear();
    }

    /** A grid-stride launch covering {@code n} work items; nothing when {@code n == 0}. */
    void gridStride(DeviceRuntime.Kernel kernel, long n) {
        if (n > 0) {
            launch(kernel, (int) Math.min(MAX_GRID, (n + BLOCK - 1) / BLOCK), BLOCK);
        }
    }

    /** A launch of {@code grid} blocks of {@code block} threads with the current arguments. */
    void launch(DeviceRuntime.Kernel kernel, int grid, int block) {
        runtime.launch(kernel, Dim3.of(grid), Dim3.of(block), 0, args);
    }
}
