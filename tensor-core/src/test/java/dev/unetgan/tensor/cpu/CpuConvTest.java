package dev.unetgan.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.junit.jupiter.api.Test;

import dev.unetgan.tensor.Conv2dSpec;
import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.Device;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Shape;
import dev.unetgan.tensor.SpatialOps;

class CpuConvTest {

    /** One test geometry: input [n,c,h,w], weight [k,c,r,s], and the spec. */
    record Case(int n, int c, int h, int w, int k, int r, int s, Conv2dSpec spec) {
        int p() {
            return spec.outH(h, r);
        }

        int q() {
            return spec.outW(w, s);
        }

        Shape xShape() {
            return Shape.of(n, c, h, w);
        }

        Shape wShape() {
            return Shape.of(k, c, r, s);
        }

        Shape outShape() {
            return Shape.of(n, k, p(), q());
        }

        ConvGeometry geometry() {
            return new ConvGeometry(n, c, h, w, k, r, s, p(), q(), spec.strideH(), spec.strideW(), spec.padH(),
                    spec.padW(), spec.dilationH(), spec.dilationW());
        }
    }

    /** Kernels 1,2,3,5 and non-square ones, strides 1,2, pads 0,1,2, dilations 1,2, batch 1 and 3; odd C and K. */
    private static List<Case> geometries() {
        List<Case> cases = new ArrayList<>();
        int[][] kernels = {{1, 1}, {2, 2}, {3, 3}, {5, 5}, {3, 2}, {1, 3}};
        for (int[] kr : kernels) {
            for (int stride = 1; stride <= 2; stride++) {
                for (int pad = 0; pad <= 2; pad++) {
                    for (int dil = 1; dil <= 2; dil++) {
                        for (int n : new int[] {1, 3}) {
                            Case c = new Case(n, 3, 7, 10, 5, kr[0], kr[1], Conv2dSpec.of(stride, pad, dil));
                            if (c.p() > 0 && c.q() > 0) {
                                cases.add(c);
                            }
                        }
                    }
                }
            }
        }
        // Anisotropic stride, padding and dilation, so that an H/W mix-up cannot pass.
        cases.add(new Case(2, 3, 9, 6, 5, 3, 2, new Conv2dSpec(2, 1, 1, 2, 1, 2)));
        cases.add(new Case(1, 1, 1, 1, 1, 1, 1, Conv2dSpec.of(1, 0, 1)));
        cases.add(new Case(3, 1, 1, 5, 2, 1, 3, new Conv2dSpec(1, 2, 0, 1, 1, 1)));
        // At least GemmPacked.MR input channels, so that stride-1 backward-data runs as the flipped forward conv,
        // including the padding larger than the kernel reach, where the flipped conv crops (negative padding).
        int[][] wideKernels = {{1, 1}, {2, 2}, {3, 3}, {3, 2}};
        for (int[] kr : wideKernels) {
            for (int pad = 0; pad <= 2; pad++) {
                for (int dil = 1; dil <= 2; dil++) {
                    Case c = new Case(2, 9, 6, 7, 10, kr[0], kr[1], Conv2dSpec.of(1, pad, dil));
                    if (c.p() > 0 && c.q() > 0) {
                        cases.add(c);
                    }
                }
            }
        }
        // GAN-like shapes: 3x3 pad 1 and pointwise, large enough to be split across threads; 8-pixel-wide images,
        // whose B vectors span two output rows (and slivers two images).
        for (int n : new int[] {1, 3}) {
            cases.add(new Case(n, 12, 8, 8, 17, 3, 3, Conv2dSpec.of(1, 1, 1)));
            cases.add(new Case(n, 29, 16, 16, 7, 3, 3, Conv2dSpec.of(1, 1, 1)));
            cases.add(new Case(n, 19, 17, 15, 21, 1, 1, Conv2dSpec.of(1, 0, 1)));
            cases.add(new Case(n, 5, 20, 20, 11, 3, 3, Conv2dSpec.of(2, 1, 1)));
        }
        // One B sliver of output pixels (4x4) under 64 output channels, enough work for two threads: the implicit
        // GEMM's pieces of C then split that sliver's row tiles between them.
        cases.add(new Case(1, 32, 8, 8, 64, 3, 3, Conv2dSpec.of(2, 1, 1)));
        // Stride 1 with 4x8 outputs (a multiple of 16 pixels): backward-filter takes LaneFilterGradient, with few
        // weight columns and a partial k-tile (C 3, K 5), or few output channels (C 8, K 3).
        int[][] laneKernels = {{3, 3}, {5, 5}, {3, 2}, {1, 3}};
        for (int[] kr : laneKernels) {
            for (int pad = 0; pad <= 2; pad++) {
                for (int dil = 1; dil <= 2; dil++) {
                    int h = 4 + dil * (kr[0] - 1) - 2 * pad, w = 8 + dil * (kr[1] - 1) - 2 * pad;
                    if (h > 0 && w > 0) {
                        cases.add(new Case(2, 3, h, w, 5, kr[0], kr[1], Conv2dSpec.of(1, pad, dil)));
                        cases.add(new Case(1, 8, h, w, 3, kr[0], kr[1], Conv2dSpec.of(1, pad, dil)));
                    }
                }
            }
        }
        // One output column and padding wider than it: kernel columns 0 and 4 see only padding.
        cases.add(new Case(1, 1, 16, 1, 1, 1, 5, new Conv2dSpec(1, 1, 0, 2, 1, 1)));
        return cases;
    }

    // ---- deliberately naive direct convolution, in double ----

    private static double[] naiveForward(Case g, double[] x, double[] w, double[] bias) {
        int p = g.p(), q = g.q();
        Conv2dSpec sp = g.spec();
        double[] out = new double[g.n() * g.k() * p * q];
        for (int n = 0; n < g.n(); n++)
            for (int k = 0; k < g.k(); k++)
                for (int i = 0; i < p; i++)
                    for (int j = 0; j < q; j++) {
                        double acc = bias == null ? 0 : bias[k];
                        for (int c = 0; c < g.c(); c++)
                            for (int r = 0; r < g.r(); r++)
                                for (int s = 0; s < g.s(); s++) {
                                    int ih = i * sp.strideH() - sp.padH() + r * sp.dilationH();
                                    int iw = j * sp.strideW() - sp.padW() + s * sp.dilationW();
                                    if (ih >= 0 && ih < g.h() && iw >= 0 && iw < g.w()) {
                                        acc += x[((n * g.c() + c) * g.h() + ih) * g.w() + iw]
                                                * w[((k * g.c() + c) * g.r() + r) * g.s() + s];
                                    }
                                }
                        out[((n * g.k() + k) * p + i) * q + j] = acc;
                    }
        return out;
    }

    /** d(sum(out·gOut))/dx by brute force over every (input, output) pair. */
    private static double[] naiveBackwardData(Case g, double[] gOut, double[] w) {
        int p = g.p(), q = g.q();
        Conv2dSpec sp = g.spec();
        double[] gIn = new double[g.n() * g.c() * g.h() * g.w()];
        for (int n = 0; n < g.n(); n++)
            for (int c = 0; c < g.c(); c++)
                for (int ih = 0; ih < g.h(); ih++)
                    for (int iw = 0; iw < g.w(); iw++) {
                        double acc = 0;
                        for (int k = 0; k < g.k(); k++)
                            for (int r = 0; r < g.r(); r++)
                                for (int s = 0; s < g.s(); s++) {
                                    int ni = ih + sp.padH() - r * sp.dilationH();
                                    int nj = iw + sp.padW() - s * sp.dilationW();
                                    if (ni < 0 || nj < 0 || ni % sp.strideH() != 0 || nj % sp.strideW() != 0) continue;
                                    int i = ni / sp.strideH(), j = nj / sp.strideW();
                                    if (i >= p || j >= q) continue;
                                    acc += gOut[((n * g.k() + k) * p + i) * q + j]
                                            * w[((k * g.c() + c) * g.r() + r) * g.s() + s];
                                }
                        gIn[((n * g.c() + c) * g.h() + ih) * g.w() + iw] = acc;
                    }
        return gIn;
    }

    private static double[] naiveBackwardFilter(Case g, double[] x, double[] gOut) {
        int p = g.p(), q = g.q();
        Conv2dSpec sp = g.spec();
        double[] gW = new double[g.k() * g.c() * g.r() * g.s()];
        for (int k = 0; k < g.k(); k++)
            for (int c = 0; c < g.c(); c++)
                for (int r = 0; r < g.r(); r++)
                    for (int s = 0; s < g.s(); s++) {
                        double acc = 0;
                        for (int n = 0; n < g.n(); n++)
                            for (int i = 0; i < p; i++)
                                for (int j = 0; j < q; j++) {
                                    int ih = i * sp.strideH() - sp.padH() + r * sp.dilationH();
                                    int iw = j * sp.strideW() - sp.padW() + s * sp.dilationW();
                                    if (ih >= 0 && ih < g.h() && iw >= 0 && iw < g.w()) {
                                        acc += x[((n * g.c() + c) * g.h() + ih) * g.w() + iw]
                                                * gOut[((n * g.k() + k) * p + i) * q + j];
                                    }
                                }
                        gW[((k * g.c() + c) * g.r() + r) * g.s() + s] = acc;
                    }
        return gW;
    }

    // ---- helpers ----

    private static double[] random(Random rnd, Shape shape) {
        double[] a = new double[(int) shape.size()];
        for (int i = 0; i < a.length; i++) {
            // Values exactly representable in F32, so F32 and F64 runs see the same inputs.
            a[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return a;
    }

    private static NDArray array(double[] data, Shape shape, DType dtype) {
        if (dtype == DType.F64) {
            return NDArray.of(data, shape, Device.CPU);
        }
        float[] f = new float[data.length];
        for (int i = 0; i < f.length; i++) f[i] = (float) data[i];
        return NDArray.of(f, shape, Device.CPU);
    }

    private static float[] toFloats(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            f[i] = (float) a[i];
        }
        return f;
    }

    /** Takes three pooled float buffers of every size up to {@code floats}, fills them with NaN, gives them back. */
    private static void dirtyPooledBuffers(long floats) {
        List<float[]> taken = new ArrayList<>();
        for (long size = 1; size <= 2 * floats; size *= 2) {
            for (int i = 0; i < 3; i++) {
                float[] a = BufferPool.takeFloats(Math.toIntExact(size));
                Arrays.fill(a, Float.NaN);
                taken.add(a);
            }
        }
        taken.forEach(BufferPool::give);
    }

    private static double[] toDoubles(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    private static double dot(double[] a, double[] b) {
        double acc = 0;
        for (int i = 0; i < a.length; i++) acc += a[i] * b[i];
        return acc;
    }

    /** An output poisoned with NaN, so an element the kernel forgets to write, or a beta=0 GEMM that reads C, shows. */
    private static NDArray poisoned(Shape shape, DType dtype) {
        return NDArray.full(shape, dtype, Device.CPU, Double.NaN);
    }

    /** The results of one case: forward with and without bias, backward-data, backward-filter. */
    record Results(double[] out, double[] outNoBias, double[] gIn, double[] gW) {
    }

    private static Results run(Case g, double[] x, double[] w, double[] b, double[] gOut, DType dtype, boolean scalar) {
        boolean saved = CpuOptions.scalar();
        CpuOptions.setScalar(scalar);
        try (NDArray xa = array(x, g.xShape(), dtype); NDArray wa = array(w, g.wShape(), dtype);
             NDArray ba = array(b, Shape.of(g.k()), dtype); NDArray ga = array(gOut, g.outShape(), dtype);
             NDArray out = poisoned(g.outShape(), dtype); NDArray outNoBias = poisoned(g.outShape(), dtype);
             NDArray gIn = poisoned(g.xShape(), dtype);
             NDArray gW = poisoned(g.wShape(), dtype)) {
            xa.backend().conv2dForward(xa, wa, ba, g.spec(), out);
            xa.backend().conv2dForward(xa, wa, null, g.spec(), outNoBias);
            xa.backend().conv2dBackwardData(ga, wa, g.spec(), gIn);
            xa.backend().conv2dBackwardFilter(xa, ga, g.spec(), gW);
            return new Results(out.toDoubleArray(), outNoBias.toDoubleArray(), gIn.toDoubleArray(), gW.toDoubleArray());
        } finally {
            CpuOptions.setScalar(saved);
        }
    }

    private static void assertClose(String what, double[] expected, double[] actual, double tol) {
        assertEquals(expected.length, actual.length, what + ": length");
        boolean nonZero = false;
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i], a = actual[i];
            if (!(Math.abs(e - a) <= tol * (1 + Math.abs(e)))) {
                fail(what + ": element " + i + " expected " + e + " but was " + a);
            }
            nonZero |= e != 0;
        }
        assertTrue(nonZero, what + ": golden values are all zero, the comparison proves nothing");
    }

    // ---- tests ----

    @Test
    void allOpsMatchNaiveConvolutionForEveryGeometryDtypeAndPath() {
        Random rnd = new Random(42);
        List<Case> cases = geometries();
        assertTrue(cases.size() > 100, "geometry sweep unexpectedly small: " + cases.size());
        for (Case g : cases) {
            double[] x = random(rnd, g.xShape()), w = random(rnd, g.wShape());
            double[] b = random(rnd, Shape.of(g.k())), gOut = random(rnd, g.outShape());
            double[] out = naiveForward(g, x, w, b);
            double[] outNoBias = naiveForward(g, x, w, null);
            double[] gIn = naiveBackwardData(g, gOut, w);
            double[] gW = naiveBackwardFilter(g, x, gOut);
            for (DType dtype : new DType[] {DType.F64, DType.F32}) {
                for (boolean scalar : new boolean[] {false, true}) {
                    double tol = dtype == DType.F64 ? 1e-12 : 2e-5;
                    String tag = g + " " + dtype + (scalar ? " scalar" : " vector");
                    Results r = run(g, x, w, b, gOut, dtype, scalar);
                    assertClose("forward " + tag, out, r.out(), tol);
                    assertClose("forward without bias " + tag, outNoBias, r.outNoBias(), tol);
                    boolean coversInput = false;
                    for (double v : gIn) coversInput |= v != 0;
                    if (coversInput) {
                        assertClose("backwardData " + tag, gIn, r.gIn(), tol);
                    } else {
                        assertArrayEquals(gIn, r.gIn(), "backwardData " + tag);
                    }
                    assertClose("backwardFilter " + tag, gW, r.gW(), tol);
                }
            }
        }
    }

    @Test
    void vectorPathAgreesWithScalarPathInF32() {
        Random rnd = new Random(7);
        for (Case g : geometries()) {
            double[] x = random(rnd, g.xShape()), w = random(rnd, g.wShape());
            double[] b = random(rnd, Shape.of(g.k())), gOut = random(rnd, g.outShape());
            Results vec = run(g, x, w, b, gOut, DType.F32, false);
            Results ref = run(g, x, w, b, gOut, DType.F32, true);
            assertClose("forward " + g, ref.out(), vec.out(), 2e-5);
            assertClose("forward without bias " + g, ref.outNoBias(), vec.outNoBias(), 2e-5);
            assertClose("backwardFilter " + g, ref.gW(), vec.gW(), 2e-5);
            for (int i = 0; i < ref.gIn().length; i++) {
                assertEquals(ref.gIn()[i], vec.gIn()[i], 2e-5 * (1 + Math.abs(ref.gIn()[i])), "backwardData " + g);
            }
        }
    }

    /** {@code <conv(x,w), g> == <x, bwdData(g,w)> == <w, bwdFilter(x,g)>}: the backward ops are true adjoints. */
    @Test
    void backwardOpsAreAdjointsOfForwardInF64() {
        Random rnd = new Random(3);
        for (Case g : geometries()) {
            double[] x = random(rnd, g.xShape()), w = random(rnd, g.wShape()), gOut = random(rnd, g.outShape());
            try (NDArray xa = array(x, g.xShape(), DType.F64); NDArray wa = array(w, g.wShape(), DType.F64);
                 NDArray ga = array(gOut, g.outShape(), DType.F64);
                 NDArray out = SpatialOps.conv2d(xa, wa, null, g.spec());
                 NDArray gIn = SpatialOps.conv2dBackwardData(ga, wa, g.spec(), g.xShape());
                 NDArray gW = SpatialOps.conv2dBackwardFilter(xa, ga, g.spec(), g.wShape())) {
                double viaOut = dot(out.toDoubleArray(), gOut);
                double viaIn = dot(x, gIn.toDoubleArray());
                double viaW = dot(w, gW.toDoubleArray());
                double tol = 1e-10 * (1 + Math.abs(viaOut));
                assertEquals(viaOut, viaIn, tol, "<conv(x,w),g> vs <x,bwdData(g,w)> " + g);
                assertEquals(viaOut, viaW, tol, "<conv(x,w),g> vs <w,bwdFilter(x,g)> " + g);
            }
        }
    }

    /**
     * A reduction deeper than one packed depth block ({@link ConvGemm#kcMax}; C·R·S = 540) and more register tiles
     * than one C chunk holds, so the implicit GEMM accumulates C over depth blocks chunk by chunk; F32 against the
     * naive loops.
     */
    @Test
    void deepAndWideF32ConvMatchesNaive() {
        Random rnd = new Random(5);
        Case g = new Case(2, 60, 44, 44, 40, 3, 3, Conv2dSpec.of(1, 1, 1));
        double[] x = random(rnd, g.xShape()), w = random(rnd, g.wShape());
        double[] b = random(rnd, Shape.of(g.k())), gOut = random(rnd, g.outShape());
        Results r = run(g, x, w, b, gOut, DType.F32, false);
        // Winograd takes it at some vector widths, F(4×4, 3×3) at 4 lanes.
        ConvGeometry adjoint = g.geometry().stride1Adjoint();
        double forward = Winograd.suits(g.geometry()) ? winogradTolerance(g.geometry()) : 0;
        double backwardData = Winograd.suits(adjoint) ? winogradTolerance(adjoint) : 0;
        assertClose("forward", naiveForward(g, x, w, b), r.out(), Math.max(1e-4, forward));
        assertClose("backwardData", naiveBackwardData(g, gOut, w), r.gIn(), Math.max(1e-4, backwardData));
        assertClose("backwardFilter", naiveBackwardFilter(g, x, gOut), r.gW(), 1e-4);
    }

    /**
     * The 3×3 stride-1 convs with at least {@link Winograd#MIN_CHANNELS} channels both ways run by Winograd's
     * F(2×2, 3×3): forward, backward-data (its flipped adjoint) and backward-filter ({@link WinogradFilterGradient})
     * against the naive loops at the sweep's F32 tolerance. Rows of 4V - 1 or 4V - 3 pixels (two vectors of tiles,
     * the last tile half outside; the spare columns of the rounded-up row), odd output heights, paddings 0-3 (3: the
     * adjoint's padding is negative), different paddings along H and W, one to three images, a single output row, and
     * more input channels than one depth block of the packed weights. Rows narrower than a vector, in bands of rows
     * of tiles: two rows to a band (whole bands, a half last band, a half last tile), V rows of one tile each, V - 1
     * rows with a spare lane, and bands under the adjoint's negative padding (those run only backward-data here).
     */
    @Test
    void winogradConvMatchesNaive() {
        Random rnd = new Random(31);
        int ch = Winograd.MIN_CHANNELS, v = LaneLoads.V;
        List<Case> cases = new ArrayList<>();
        for (int pad = 0; pad <= 2; pad++) {
            // Output width 4V - 1, or 4V - 3 without padding, so that the input (backward-data's output) is as wide.
            int w = (pad == 0 ? 4 * v - 3 : 4 * v - 1) + 2 - 2 * pad;
            cases.add(new Case(3, ch, 7, w, ch + 3, 3, 3, Conv2dSpec.of(1, pad, 1)));
            cases.add(new Case(1, ch + 5, 8 - 2 * pad, w, ch, 3, 3, Conv2dSpec.of(1, pad, 1)));
        }
        cases.add(new Case(2, ch, 3, 4 * v - 1, ch, 3, 3, Conv2dSpec.of(1, 0, 1)));
        cases.add(new Case(2, ch, 6, 4 * v - 3, ch, 3, 3, new Conv2dSpec(1, 1, 0, 2, 1, 1)));
        // Padding 3, past the kernel's reach: the adjoint's padding is -1 and crops. 27 columns: 14 tiles in and 16
        // out, few enough spare columns at 4, 8 and 16 lanes.
        cases.add(new Case(1, ch, 5, 27, ch + 1, 3, 3, Conv2dSpec.of(1, 3, 1)));
        // More input channels than one depth block of the packed weights (GemmPacked.KC), the last one partial.
        cases.add(new Case(1, GemmPacked.KC + 5, 4, 4 * v - 1, ch + 1, 3, 3, Conv2dSpec.of(1, 1, 1)));
        // Output rows of V/2 tiles, two rows of tiles to a vector: bands whole, or the last one half (10 rows, 5
        // rows of tiles), the last tile whole or half, and padding 2 along H with 1 along W.
        cases.add(new Case(2, ch, 8, v, ch + 3, 3, 3, Conv2dSpec.of(1, 1, 1)));
        cases.add(new Case(1, ch + 5, 10, v - 1, ch, 3, 3, Conv2dSpec.of(1, 1, 1)));
        cases.add(new Case(1, ch, 8, v, ch, 3, 3, new Conv2dSpec(1, 1, 2, 1, 1, 1)));
        // Rows of one tile (2 pixels): V rows of tiles to a band; V - 1, leaving a lane spare (within a fifth only
        // from 8 lanes on).
        cases.add(new Case(2, ch, 2 * v, 2, ch + 1, 3, 3, Conv2dSpec.of(1, 1, 1)));
        if (v >= 8) {
            cases.add(new Case(1, ch, 2 * v - 3, 2, ch, 3, 3, Conv2dSpec.of(1, 1, 1)));
        }
        for (Case g : cases) {
            assertTrue(Winograd.suits(g.geometry()) && Winograd.suits(g.geometry().stride1Adjoint()), g.toString());
            checkAgainstNaive(rnd, g);
            checkTilings(rnd, g);
        }
        // Bands of two rows of tiles under the adjoint's negative padding (-1, and -2 along H with -1 along W); the
        // forward conv, wider, keeps the implicit GEMM.
        for (Case g : List.of(new Case(1, ch, 8, v, ch + 1, 3, 3, Conv2dSpec.of(1, 3, 1)),
                new Case(2, ch + 2, 8, v - 1, ch, 3, 3, new Conv2dSpec(1, 1, 4, 3, 1, 1)))) {
            assertTrue(Winograd.suits(g.geometry().stride1Adjoint()), g.toString());
            checkAgainstNaive(rnd, g);
            checkTilings(rnd, g);
        }
    }

    /**
     * Winograd's F(4×4, 3×3) tilings where they differ from F(2×2, 3×3)'s: output widths of every remainder by 4
     * (4V - 3, 4V - 2, 4V - 1 and 4V), bands of two rows of tiles (2V wide) whole or with a half last band and a
     * partial last tile, bands of four (V wide), bands under the adjoint's negative padding (-1), and rows under it.
     */
    @Test
    void winogradFourByFourMatchesNaive() {
        Random rnd = new Random(43);
        int ch = Winograd.MIN_CHANNELS, v = LaneLoads.V;
        // Which of forward and backward-data must take F(4×4, 3×3) at any vector width; others may too.
        record Expect(Case c, boolean forward, boolean adjoint) {
        }
        List<Expect> cases = List.of(
                new Expect(new Case(2, ch, 7, 4 * v - 3, ch + 3, 3, 3, Conv2dSpec.of(1, 1, 1)), true, true),
                new Expect(new Case(1, ch, 6, 4 * v - 2, ch, 3, 3, Conv2dSpec.of(1, 1, 1)), true, true),
                new Expect(new Case(1, ch + 5, 9, 4 * v - 1, ch, 3, 3, Conv2dSpec.of(1, 1, 1)), true, true),
                new Expect(new Case(2, ch, 9, 4 * v, ch + 1, 3, 3, new Conv2dSpec(1, 1, 2, 1, 1, 1)), true, true),
                new Expect(new Case(2, ch, 2 * v, 2 * v, ch + 3, 3, 3, Conv2dSpec.of(1, 1, 1)), true, true),
                new Expect(new Case(1, ch + 5, 18, 2 * v - 1, ch, 3, 3, Conv2dSpec.of(1, 1, 1)), true, true),
                new Expect(new Case(1, ch, 4 * v, v, ch, 3, 3, Conv2dSpec.of(1, 1, 1)), true, true),
                new Expect(new Case(1, ch, 4 * v, v, ch + 1, 3, 3, Conv2dSpec.of(1, 3, 1)), false, true),
                new Expect(new Case(1, ch, 5, 27, ch + 1, 3, 3, Conv2dSpec.of(1, 3, 1)), false, true));
        for (Expect e : cases) {
            ConvGeometry g = e.c().geometry();
            assertTrue(!e.forward() || Winograd.Tiling.of(g, 4).whole(), "F(4x4, 3x3) forward " + e);
            assertTrue(!e.adjoint() || Winograd.Tiling.of(g.stride1Adjoint(), 4).whole(), "backward-data " + e);
            checkAgainstNaive(rnd, e.c());
            checkTilings(rnd, e.c());
        }
    }

    /**
     * Forward (with bias) and backward-data of {@code c} by {@link Winograd#run} in every tiling whose columns are
     * whole, 2×2 and 4×4 pixels, against the naive loops.
     */
    private static void checkTilings(Random rnd, Case c) {
        double[] x = random(rnd, c.xShape()), w = random(rnd, c.wShape());
        double[] b = random(rnd, Shape.of(c.k())), gOut = random(rnd, c.outShape());
        for (int m : new int[] {2, 4}) {
            for (boolean adjoint : new boolean[] {false, true}) {
                ConvGeometry g = adjoint ? c.geometry().stride1Adjoint() : c.geometry();
                Winograd.Tiling t = Winograd.Tiling.of(g, m);
                if (!Winograd.suits(g) || !t.whole()) {
                    continue;
                }
                float[] out = new float[adjoint ? x.length : gOut.length];
                Winograd.run(g, t, toFloats(adjoint ? gOut : x), toFloats(w), adjoint, adjoint ? null : toFloats(b),
                        out, Winograd.PLANES_MAX);
                double[] want = adjoint ? naiveBackwardData(c, gOut, w) : naiveForward(c, x, w, b);
                assertClose(t + (adjoint ? " backward-data " : " forward ") + c, want, toDoubles(out),
                        winogradTolerance(g, t));
            }
        }
    }

    /** Forward (with and without bias), backward-data and backward-filter of {@code g} against the naive loops. */
    private static void checkAgainstNaive(Random rnd, Case g) {
        double[] x = random(rnd, g.xShape()), w = random(rnd, g.wShape());
        double[] b = random(rnd, Shape.of(g.k())), gOut = random(rnd, g.outShape());
        Results r = run(g, x, w, b, gOut, DType.F32, false);
        double forward = winogradTolerance(g.geometry());
        double backwardData = winogradTolerance(g.geometry().stride1Adjoint());
        assertClose("forward " + g, naiveForward(g, x, w, b), r.out(), forward);
        assertClose("forward without bias " + g, naiveForward(g, x, w, null), r.outNoBias(), forward);
        assertClose("backwardData " + g, naiveBackwardData(g, gOut, w), r.gIn(), backwardData);
        assertClose("backwardFilter " + g, naiveBackwardFilter(g, x, gOut), r.gW(), filterGradientTolerance(g));
    }

    /**
     * The F32 tolerance of backward-filter against the naive loops, relative to {@code 1 + |want|}: each weight's
     * gradient sums N·P·Q products, and a float sum's error grows as the square root of its terms. The cases above
     * scale their widths with the vector, so 16 lanes sum twice the terms of 8: Winograd's largest error was 7e-7 per
     * √term at both widths (2.6e-5 over 1408 terms with AVX-512, 1.3e-5 over 651 with AVX2).
     */
    private static double filterGradientTolerance(Case g) {
        return Math.max(2e-5, 1.5e-6 * Math.sqrt((double) g.outShape().size() / g.k()));
    }

    /**
     * The F32 tolerance of Winograd in tiles {@code t} on {@code g} against the naive loops, relative to
     * {@code 1 + |want|}: F(4×4, 3×3)'s larger transform constants round about ten times more than F(2×2, 3×3)'s
     * (1.9e-4 at 133 channels, against 9e-6), and rounding grows as the square root of the channels summed (2.2e-5
     * for F(2×2, 3×3) at 517); still far below what any wrong coefficient or index gives.
     */
    private static double winogradTolerance(ConvGeometry g, Winograd.Tiling t) {
        return (t.m() == 4 ? 5e-4 : 2e-5) * Math.sqrt(Math.max(1, g.c() / 133.0));
    }

    /** {@link #winogradTolerance(ConvGeometry, Winograd.Tiling)} in the tiles that {@code g} runs in. */
    private static double winogradTolerance(ConvGeometry g) {
        return winogradTolerance(g, Winograd.Tiling.of(g));
    }

    /**
     * Winograd's backward-filter of {@code c} into {@code gW}, in per-thread chunks of at most {@code budget} floats
     * ({@link WinogradFilterGradient#chunked}) or in shared groups of images of that budget
     * ({@link WinogradFilterGradient#grouped}).
     */
    private static void winogradFilterGradient(boolean chunked, Case c, float[] x, float[] gOut, float[] gW,
                                               int budget) {
        if (chunked) {
            WinogradFilterGradient.chunked(c.geometry(), x, gOut, gW, budget);
        } else {
            WinogradFilterGradient.grouped(c.geometry(), x, gOut, gW, budget);
        }
    }

    /**
     * {@link Winograd#eachClaimed} runs every unit exactly once, whether the threads claim one unit at a time (few
     * units) or runs of several, with a last run cut short (thousands of units, as the 8x8 layer's planes).
     */
    @Test
    void winogradClaimsEveryUnitOnce() {
        for (int units : new int[] {1, 2, 3, 64, 65, 127, 1000, 4097}) {
            AtomicIntegerArray runs = new AtomicIntegerArray(units);
            Winograd.eachClaimed(units, (unit, none) -> runs.incrementAndGet(unit), () -> null);
            for (int unit = 0; unit < units; unit++) {
                assertEquals(1, runs.get(unit), "unit " + unit + " of " + units);
            }
        }
    }

    /** Winograd declines a conv whose output has no pixel (it used to divide by zero working out its tiles). */
    @Test
    void winogradDeclinesEmptyOutputs() {
        int ch = Winograd.MIN_CHANNELS;
        assertFalse(Winograd.suits(new ConvGeometry(1, ch, 2, 10, ch, 3, 3, 0, 8, 1, 1, 0, 0, 1, 1)));
        assertFalse(Winograd.suits(new ConvGeometry(1, ch, 10, 2, ch, 3, 3, 8, 0, 1, 1, 0, 0, 1, 1)));
    }

    /**
     * Winograd's backward-filter when a group's (or a chunk's) tiles are a multiple of 256 (a 32x32 output, 16x16
     * tiles): V's rows are then padded ({@link ForwardConv#planeStride}) so that the GEMMs gather Vᵀ, and the
     * transform that writes V and the GEMMs that read it must agree on that stride. Shared groups and per-thread
     * chunks of the whole image, against the naive loops, pooled buffers starting as NaN.
     */
    @Test
    void winogradFilterGradientWithPaddedRows() {
        Random rnd = new Random(29);
        int ch = Winograd.MIN_CHANNELS;
        Case c = new Case(1, ch, 32, 32, ch + 3, 3, 3, Conv2dSpec.of(1, 1, 1));
        Winograd.Tiling t = Winograd.Tiling.of(c.geometry(), 2);
        assertEquals(0, t.imageColumns() % 256, "the case must give a multiple of 256 tiles");
        assertTrue(ForwardConv.planeStride(t.imageColumns()) != t.imageColumns());
        double[] x = random(rnd, c.xShape()), gOut = random(rnd, c.outShape());
        for (boolean chunked : new boolean[] {false, true}) {
            float[] gW = new float[Math.toIntExact(c.wShape().size())];
            Arrays.fill(gW, Float.NaN);
            dirtyPooledBuffers(Winograd.imagePlanes(c.geometry(), t) * 4);
            winogradFilterGradient(chunked, c, toFloats(x), toFloats(gOut), gW,
                    chunked ? Integer.MAX_VALUE : Winograd.PLANES_MAX);
            // Each weight sums 1024 output pixels here (the group test's cases: at most 48 an image), and float sums
            // that long miss by up to about 2.5e-5 (the same value, bit for bit, with V's rows unpadded); a wrong row
            // stride misses by order 1.
            assertClose(c + ", backward-filter, chunked " + chunked, naiveBackwardFilter(c, x, gOut), toDoubles(gW),
                    1e-4);
        }
    }

    /**
     * Winograd in groups of images (a budget for the transformed planes below the batch's) gives bit for bit what the
     * whole batch at once gives, forward (with bias) and backward-data; backward-filter, whose sums run across the
     * groups, stays as close to the naive loops, in shared groups of images and in per-thread chunks of bands. Groups
     * of one, and of two with the last one partial, for rows of tiles one to a band and two to a band.
     */
    @Test
    void winogradRunsInGroupsOfImages() {
        Random rnd = new Random(5);
        int ch = Winograd.MIN_CHANNELS, v = LaneLoads.V;
        for (Case c : List.of(new Case(3, ch + 1, 6, 4 * v - 1, ch, 3, 3, Conv2dSpec.of(1, 1, 1)),
                new Case(3, ch, 8, v, ch + 2, 3, 3, Conv2dSpec.of(1, 1, 1)))) {
            float[] x = toFloats(random(rnd, c.xShape())), w = toFloats(random(rnd, c.wShape()));
            float[] b = toFloats(random(rnd, Shape.of(c.k()))), gOut = toFloats(random(rnd, c.outShape()));
            for (boolean adjoint : new boolean[] {false, true}) {
                ConvGeometry g = adjoint ? c.geometry().stride1Adjoint() : c.geometry();
                Winograd.Tiling t = Winograd.Tiling.of(g);
                float[] in = adjoint ? gOut : x, bias = adjoint ? null : b;
                float[] whole = new float[adjoint ? x.length : gOut.length];
                Winograd.run(g, t, in, w, adjoint, bias, whole, Winograd.PLANES_MAX);
                for (long budget : new long[] {1, Winograd.imagePlanes(g, t) * 5 / 2}) {
                    float[] grouped = new float[whole.length];
                    Winograd.run(g, t, in, w, adjoint, bias, grouped, Math.toIntExact(budget));
                    assertArrayEquals(whole, grouped, c + ", adjoint " + adjoint + ", budget " + budget);
                }
            }
            // Backward-filter sums across the groups (or chunks), so they change its rounding, not its accuracy.
            // Every element must be written, and nothing read from the pooled buffers' old contents: both start as
            // NaN. Shared groups of one image, of two with the last partial, and of all; per-thread chunks of one
            // band, of two bands (one image with a single band: a whole image), and of a whole image.
            double[] gW = naiveBackwardFilter(c, toDoubles(x), toDoubles(gOut));
            Winograd.Tiling t = Winograd.Tiling.of(c.geometry(), 2);
            long planes = Winograd.imagePlanes(c.geometry(), t);
            long perBand = (long) Winograd.XI * (c.c() + Math.ceilDiv(c.k(), GemmPacked.MR) * GemmPacked.MR)
                    * t.columns();
            for (boolean chunked : new boolean[] {false, true}) {
                long[] budgets = chunked ? new long[] {1, 2 * perBand, Integer.MAX_VALUE}
                        : new long[] {1, planes * 5 / 2, Winograd.PLANES_MAX};
                for (long budget : budgets) {
                    float[] sums = new float[w.length];
                    Arrays.fill(sums, Float.NaN);
                    dirtyPooledBuffers(planes * 4);
                    winogradFilterGradient(chunked, c, x, gOut, sums, Math.toIntExact(budget));
                    assertClose(c + ", backward-filter, chunked " + chunked + ", budget " + budget, gW,
                            toDoubles(sums), filterGradientTolerance(c));
                }
            }
        }
    }

    /**
     * The shallow forward path ({@link ShallowConv}: stride 1, C·R·S up to its MAX_DEPTH, output rows of whole
     * 2-vector tiles) against the naive loops, with and without bias: K below, at and past a multiple of its 5-row
     * tile; one and several tiles per row; anisotropic padding and dilation; a 1×1 conv at the deepest depth it
     * takes; and the RGB layer (3 → 64 channels) over three images, enough work for every thread. The pooled buffers
     * start as NaN, so a value the padded copy or the packed weights forget to write shows.
     */
    @Test
    void shallowForwardMatchesNaive() {
        Random rnd = new Random(23);
        int v = LaneLoads.V;
        List<Case> cases = List.of(new Case(2, 3, 5, 2 * v, 13, 3, 3, Conv2dSpec.of(1, 1, 1)),
                new Case(1, 3, 6, 4 * v, 4, 3, 3, Conv2dSpec.of(1, 1, 1)),
                new Case(1, 2, 3, 2 * v, 5, 3, 3, Conv2dSpec.of(1, 1, 1)),
                new Case(3, 2, 9, 4 * v - 3, 10, 3, 2, new Conv2dSpec(1, 1, 1, 2, 2, 1)),
                new Case(1, ShallowConv.MAX_DEPTH, 4, 2 * v, 6, 1, 1, Conv2dSpec.of(1, 0, 1)),
                new Case(3, 3, 16, 4 * v, 64, 3, 3, Conv2dSpec.of(1, 1, 1)));
        for (Case c : cases) {
            assertTrue(ShallowConv.suits(c.geometry()), "the shallow path must take " + c);
            double[] x = random(rnd, c.xShape()), w = random(rnd, c.wShape());
            double[] b = random(rnd, Shape.of(c.k())), gOut = random(rnd, c.outShape());
            dirtyPooledBuffers(c.xShape().size());
            Results r = run(c, x, w, b, gOut, DType.F32, false);
            assertClose("forward " + c, naiveForward(c, x, w, b), r.out(), 2e-5);
            assertClose("forward without bias " + c, naiveForward(c, x, w, null), r.outNoBias(), 2e-5);
        }
        Case deeper = new Case(1, ShallowConv.MAX_DEPTH + 1, 4, 2 * v, 6, 1, 1, Conv2dSpec.of(1, 0, 1));
        assertFalse(ShallowConv.suits(deeper.geometry()), "one channel past MAX_DEPTH goes to the implicit GEMM");
        Case partialRow = new Case(1, 3, 4, 2 * v + 1, 6, 3, 3, Conv2dSpec.of(1, 1, 1));
        assertFalse(ShallowConv.suits(partialRow.geometry()), "a row of 2V + 1 pixels goes to the implicit GEMM");
    }

    /**
     * Backward-filter with at least 64 input channels, where a B sliver (64 columns with AVX-512, 16 with AVX2) is
     * consecutive channels of one tap and is packed as whole runs: 64 channels (every sliver one run) and 72 (runs,
     * and slivers that span two taps, for either sliver width), at stride 1 and at stride 2 with dilation 2; F32
     * against the naive loops.
     */
    @Test
    void wideChannelBackwardFilterMatchesNaive() {
        Random rnd = new Random(17);
        Case[] cases = {new Case(2, 64, 9, 10, 7, 3, 3, Conv2dSpec.of(1, 1, 1)),
            new Case(2, 72, 9, 10, 7, 3, 3, Conv2dSpec.of(1, 1, 1)),
            new Case(1, 72, 11, 12, 6, 3, 2, Conv2dSpec.of(2, 2, 2))};
        for (Case g : cases) {
            double[] x = random(rnd, g.xShape()), w = random(rnd, g.wShape());
            double[] b = random(rnd, Shape.of(g.k())), gOut = random(rnd, g.outShape());
            Results r = run(g, x, w, b, gOut, DType.F32, false);
            assertClose("backwardFilter " + g, naiveBackwardFilter(g, x, gOut), r.gW(), 1e-4);
        }
    }

    /**
     * Both of LaneFilterGradient's register tiles, whichever this machine uses (the sweep reaches only that one), on
     * the sweep's lane geometries, and with 13 output channels (a partial last k-tile for both shapes) and 9 · 3
     * weight columns (a partial last column tile for both).
     */
    @Test
    void bothLaneTilesMatchNaive() {
        Random rnd = new Random(17);
        List<Case> cases = new ArrayList<>(geometries().stream()
                .filter(c -> c.spec().strideH() == 1 && c.spec().strideW() == 1 && c.p() * c.q() % LaneLoads.V == 0)
                .toList());
        cases.add(new Case(2, 3, 8, 8, 13, 3, 3, Conv2dSpec.of(1, 1, 1)));
        assertTrue(cases.size() > 40, "lane geometries: " + cases.size());
        for (Case c : cases) {
            ConvGeometry g = c.geometry();
            double[] x = random(rnd, c.xShape()), gOut = random(rnd, c.outShape());
            double[] expected = naiveBackwardFilter(c, x, gOut);
            for (LaneFilterGradient.Tile tile : LaneFilterGradient.Tile.values()) {
                float[] gW = new float[expected.length];
                LaneFilterGradient.compute(g, tile, toFloats(x), toFloats(gOut), gW);
                double[] actual = new double[gW.length];
                for (int i = 0; i < gW.length; i++) {
                    actual[i] = gW[i];
                }
                assertClose(tile + " " + c, expected, actual, 1e-4);
            }
        }
    }

    /** The geometry of {@code c}, which the lane path must take. */
    private static ConvGeometry laneGeometry(Case c) {
        ConvGeometry g = c.geometry();
        assertTrue(LaneFilterGradient.suits(g), "the lane path must take " + c);
        return g;
    }

    /**
     * LaneFilterGradient's exact summation order, bit for bit, with both tiles and on every call, from the first
     * (interpreted) to those after C2 compiled it: lane l of each accumulator adds the pixels {@code ≡ l (mod V)},
     * image after image, with one fused multiply-add each, and the lanes are added in lane order, in double. Its lane
     * sums once went through {@code reduceLanes(ADD)}, whose order changed with compilation, and two training runs
     * parted at iteration 8.
     */
    @Test
    void laneFilterGradientFollowsItsSummationOrderExactly() {
        Random rnd = new Random(19);
        Case c = new Case(2, 3, 8, 8, 7, 3, 3, Conv2dSpec.of(1, 1, 1));
        ConvGeometry g = laneGeometry(c);
        float[] x = toFloats(random(rnd, c.xShape())), gOut = toFloats(random(rnd, c.outShape()));
        int v = LaneLoads.V, pq = 64;
        float[] expected = new float[7 * 27];
        for (int k = 0; k < 7; k++) {
            for (int col = 0; col < 27; col++) {
                int ci = col / 9, r = col % 9 / 3, sc = col % 3;
                float[] lanes = new float[v];
                for (int n = 0; n < 2; n++) {
                    for (int pix = 0; pix < pq; pix++) {
                        int ih = pix / 8 - 1 + r, iw = pix % 8 - 1 + sc;
                        float xv = ih < 0 || ih >= 8 || iw < 0 || iw >= 8 ? 0f : x[((n * 3 + ci) * 8 + ih) * 8 + iw];
                        lanes[pix % v] = Math.fma(gOut[(n * 7 + k) * pq + pix], xv, lanes[pix % v]);
                    }
                }
                double sum = 0;
                for (float lane : lanes) {
                    sum += lane;
                }
                expected[k * 27 + col] = (float) sum;
            }
        }
        float[] gW = new float[expected.length];
        for (int call = 0; call < 2000; call++) {
            for (LaneFilterGradient.Tile tile : LaneFilterGradient.Tile.values()) {
                LaneFilterGradient.compute(g, tile, x, gOut, gW);
                assertArrayEquals(expected, gW, tile + ", call " + call);
            }
        }
    }

    /**
     * LaneFilterGradient, with either tile, over two chunks of images: one 64x64 image of 64 channels fills a chunk's
     * shifted copy ({@code [S=3, 1, C, plane]}, 0.8M floats), so the tiles carry their sums from the first image to
     * the second. That copy comes from the buffer pool, which is first handed a buffer of its size full of NaN, so a
     * padding zero the copy forgets to write shows. (The size stays below those BufferPoolTest pools.)
     */
    @Test
    void laneFilterGradientAcrossImageChunksMatchesNaive() {
        Random rnd = new Random(13);
        Case c = new Case(2, 64, 64, 64, 3, 3, 3, Conv2dSpec.of(1, 1, 1));
        ConvGeometry g = laneGeometry(c);
        double[] x = random(rnd, c.xShape()), gOut = random(rnd, c.outShape());
        float[] gW = new float[3 * 64 * 9];
        for (LaneFilterGradient.Tile tile : LaneFilterGradient.Tile.values()) {
            float[] dirty = BufferPool.takeFloats(3 * 64 * ForwardConv.planeStride(66 * 64));
            Arrays.fill(dirty, Float.NaN);
            BufferPool.give(dirty);
            LaneFilterGradient.compute(g, tile, toFloats(x), toFloats(gOut), gW);
            double[] actual = new double[gW.length];
            for (int i = 0; i < gW.length; i++) {
                actual[i] = gW[i];
            }
            // Each element sums 8192 products of size up to 1, in float.
            assertClose(tile + " backwardFilter", naiveBackwardFilter(c, x, gOut), actual, 1e-3);
        }
    }

    /** No input channels: the forward output is the bias; no output channels: the input gradient is zero. */
    @Test
    void emptyReductionsStillWriteTheirOutputs() {
        Random rnd = new Random(9);
        Case noInput = new Case(2, 0, 5, 5, 3, 3, 3, Conv2dSpec.of(1, 1, 1));
        double[] b = random(rnd, Shape.of(3));
        Results r = run(noInput, new double[0], new double[0], b, random(rnd, noInput.outShape()), DType.F32, false);
        assertClose("forward", naiveForward(noInput, new double[0], new double[0], b), r.out(), 0);
        Case noOutput = new Case(2, 9, 5, 5, 0, 3, 3, Conv2dSpec.of(1, 1, 1));
        double[] none = new double[0];
        r = run(noOutput, random(rnd, noOutput.xShape()), none, none, none, DType.F32, false);
        assertArrayEquals(new double[2 * 9 * 5 * 5], r.gIn(), "backwardData");
    }

    @Test
    void f32FastPathIsDeterministicAcrossRuns() {
        Random rnd = new Random(11);
        // The GEMM paths, and an RGB-like layer whose backward-filter takes LaneFilterGradient.
        for (Case g : new Case[] {new Case(5, 13, 12, 12, 9, 3, 3, Conv2dSpec.of(1, 1, 1)),
            new Case(5, 3, 16, 16, 9, 3, 3, Conv2dSpec.of(1, 1, 1))}) {
            double[] x = random(rnd, g.xShape()), w = random(rnd, g.wShape());
            double[] b = random(rnd, Shape.of(g.k())), gOut = random(rnd, g.outShape());
            Results first = run(g, x, w, b, gOut, DType.F32, false);
            for (int rep = 0; rep < 3; rep++) {
                Results again = run(g, x, w, b, gOut, DType.F32, false);
                assertArrayEquals(first.out(), again.out(), g.toString());
                assertArrayEquals(first.outNoBias(), again.outNoBias(), g.toString());
                assertArrayEquals(first.gIn(), again.gIn(), g.toString());
                assertArrayEquals(first.gW(), again.gW(), g.toString());
            }
        }
    }

    @Test
    void handWorkedExample() {
        // x = [[1,2,3],[4,5,6],[7,8,9]], w = [[1,0],[0,-1]], stride 1, pad 0: out[i][j] = x[i][j] - x[i+1][j+1] = -4.
        float[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        float[] w = {1, 0, 0, -1};
        try (NDArray xa = NDArray.of(x, 1, 1, 3, 3); NDArray wa = NDArray.of(w, 1, 1, 2, 2);
             NDArray ba = NDArray.of(new float[] {0.5f}, 1);
             NDArray out = SpatialOps.conv2d(xa, wa, ba, Conv2dSpec.of(1, 0, 1));
             NDArray g = NDArray.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2);
             NDArray gIn = SpatialOps.conv2dBackwardData(g, wa, Conv2dSpec.of(1, 0, 1), Shape.of(1, 1, 3, 3));
             NDArray gW = SpatialOps.conv2dBackwardFilter(xa, g, Conv2dSpec.of(1, 0, 1), Shape.of(1, 1, 2, 2))) {
            assertArrayEquals(new float[] {-3.5f, -3.5f, -3.5f, -3.5f}, out.toFloatArray());
            // gIn = g scattered through w: +g at (i,j), -g at (i+1,j+1).
            assertArrayEquals(new float[] {1, 2, 0, 3, 3, -2, 0, -3, -4}, gIn.toFloatArray());
            // gW[r][s] = sum_ij g[i][j]·x[i+r][j+s]: 1·1+2·2+3·4+4·5 = 37, 2+6+15+24 = 47, 4+10+21+32 = 67, 77.
            assertArrayEquals(new float[] {37, 47, 67, 77}, gW.toFloatArray());
        }
    }
}
