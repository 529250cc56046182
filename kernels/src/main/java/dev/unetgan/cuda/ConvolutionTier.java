package dev.unetgan.cuda;

/** Who carries out the convolution calls of {@link DeviceRuntime} on a GPU: cuDNN, or im2col plus GEMM. */
interface ConvolutionTier extends AutoCloseable {
    long workspaceBytes(ConvGeometry g, DeviceRuntime.ConvPass pass);

    void forward(ConvGeometry g, float alpha, long x, long w, float beta, long y, long workspace);

    void backwardData(ConvGeometry g, float alpha, long w, long dy, float beta, long dx, long workspace);

    void backwardFilter(ConvGeometry g, float alpha, long x, long dy, float beta, long dw, long workspace);

    /** Releases the tier's handles, descriptors and constants. */
    @Override
    void close();
}
