package dev.unetgan.cuda;

/**
 * cuDNN's three NCHW convolution calls (see {@link DeviceRuntime#convolutionForward}) as im2col (conv.cu) plus the
 * runtime's SGEMM: the convolution tier of a runtime that has no cuDNN. The workspace holds the column matrices of
 * all images, {@code N·(C·R·S)·(P·Q)} floats. In column-major terms, per image:
 * <pre>
 * forward          y^T  [PQ x K]   = col^T [PQ x CRS] · w^T [CRS x K]         (one strided-batched call)
 * backward data    dcol^T [PQ x CRS] = dy^T [PQ x K] · w [K x CRS]            (strided-batched), then col2im
 * backward filter  dw^T [CRS x K]  = col [CRS x PQ] · dy^T [PQ x K], summed over images (beta = 1 after the first)
 * </pre>
 * cuDNN takes alpha and beta on the host; the GEMMs take them as device constants ({@link DeviceScalars}). Tested
 * against {@link VendorReference} on the host emulation.
 */
final class KernelConvolution implements ConvolutionTier {
    private final DeviceRuntime runtime;
    private final DeviceRuntime.Kernel im2col, col2im;
    private final KernelArgs args = new KernelArgs();
    private final DeviceScalars scalars;
    /** The int image of {@code struct ConvShape} of conv.cu. */
    private final int[] shape = new int[13];

    KernelConvolution(DeviceRuntime runtime) {
        this.runtime = runtime;
        this.im2col = runtime.kernel("im2col_kernel");
        this.col2im = runtime.kernel("col2im_kernel");
        this.scalars = new DeviceScalars(runtime);
    }

    @Override
    public void close() {
        scalars.close();
    }

    private static long crs(ConvGeometry g) {
        return (long) g.c() * g.r() * g.s();
    }

    private static long pq(ConvGeometry g) {
        return (long) g.p() * g.q();
    }

    @Override
    public long workspaceBytes(ConvGeometry g, DeviceRuntime.ConvPass pass) {
        return 4L * g.n() * crs(g) * pq(g);
    }

    private int[] shape(ConvGeometry g) {
        int[] s = {g.c(), g.h(), g.w(), g.r(), g.s(), g.p(), g.q(), g.padH(), g.padW(), g.strideH(), g.strideW(),
                g.dilationH(), g.dilationW()};
        System.arraycopy(s, 0, shape, 0, s.length);
        return shape;
    }

    private static Dim3 grid(long n) {
        return Dim3.of((int) Math.max(1, Math.min(KernelLauncher.MAX_GRID, (n + KernelLauncher.BLOCK - 1) / KernelLauncher.BLOCK)));
    }

    private void im2col(ConvGeometry g, long x, long col) {
        args.clear().ptr(x).ptr(col).i32(g.n()).ints(shape(g));
        runtime.launch(im2col, grid(g.n() * crs(g) * pq(g)), Dim3.of(KernelLauncher.BLOCK), 0, args);
    }

    @Override
    public synchronized void forward(ConvGeometry g, float alpha, long x, long w, float beta, long y, long workspace) {
        im2col(g, x, workspace);
        int pq = (int) pq(g), crs = (int) crs(g);
        runtime.sgemmStridedBatched(false, false, pq, g.k(), crs, scalars.of(alpha), workspace, pq, (long) crs * pq,
                w, crs, 0, scalars.of(beta), y, pq, (long) g.k() * pq, g.n());
    }

    @Override
    public synchronized void backwardData(ConvGeometry g, float alpha, long w, long dy, float beta, long dx, long workspace) {
        int pq = (int) pq(g), crs = (int) crs(g);
        runtime.sgemmStridedBatched(false, true, pq, crs, g.k(), scalars.of(1f), dy, pq, (long) g.k() * pq,
                w, crs, 0, scalars.of(0f), workspace, pq, (long) crs * pq, g.n());
        args.clear().ptr(workspace).ptr(dx).i32(g.n()).ints(shape(g)).f32(alpha).f32(beta);
        runtime.launch(col2im, grid((long) g.n() * g.c() * g.h() * g.w()), Dim3.of(KernelLauncher.BLOCK), 0, args);
    }

    @Override
    public synchronized void backwardFilter(ConvGeometry g, float alpha, long x, long dy, float beta, long dw, long workspace) {
        im2col(g, x, workspace);
        int pq = (int) pq(g), crs = (int) crs(g);
        for (int n = 0; n < g.n(); n++) {
            runtime.sgemm(true, false, crs, g.k(), pq, scalars.of(alpha), workspace + 4L * n * crs * pq, pq,
                    dy + 4L * n * g.k() * pq, pq, scalars.of(n == 0 ? beta : 1f), dw, crs);
        }
    }
}
