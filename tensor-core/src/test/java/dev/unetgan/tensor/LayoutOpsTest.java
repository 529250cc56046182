package dev.unetgan.tensor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Copies, slices, concatenation, permutation, casts and gathers: exact data movement, checked element by element. */
class LayoutOpsTest {
    private static NDArray iota(int... dims) {
        Shape s = Shape.of(dims);
        double[] d = new double[s.sizeAsInt()];
        for (int i = 0; i < d.length; i++) d[i] = i;
        return NDArray.of(d, s, Device.CPU);
    }

    @Test
    void sliceAndConcatAreInverse() {
        NDArray x = iota(2, 5, 3);
        NDArray a = Ops.slice(x, 1, 0, 2);
        NDArray b = Ops.slice(x, 1, 2, 5);
        assertEquals(Shape.of(2, 3, 3), b.shape());
        assertEquals(6 * 1 + 0, b.toDoubleArray()[0]); // x[0,2,0] = 0*15 + 2*3
        assertArrayEquals(x.toDoubleArray(), Ops.concat(1, a, b).toDoubleArray());
    }

    @Test
    void permuteMovesEveryElement() {
        NDArray x = iota(2, 3, 4);
        NDArray p = Ops.permute(x, 2, 0, 1);
        assertEquals(Shape.of(4, 2, 3), p.shape());
        double[] xs = x.toDoubleArray(), ps = p.toDoubleArray();
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                for (int k = 0; k < 4; k++)
                    assertEquals(xs[i * 12 + j * 4 + k], ps[k * 6 + i * 3 + j]);
        assertThrows(IllegalArgumentException.class, () -> Ops.permute(x, 0, 0, 1));
    }

    @Test
    void castRoundTripsAndTruncates() {
        NDArray f = NDArray.of(new float[]{1.5f, -2.7f, 3f}, 3);
        NDArray i = Ops.cast(f, DType.I32);
        assertArrayEquals(new int[]{1, -2, 3}, i.toIntArray());
        assertArrayEquals(new double[]{1.5, -2.700000047683716, 3}, Ops.cast(f, DType.F64).toDoubleArray(), 0);
    }

    @Test
    void gatherAndScatterAddRows() {
        NDArray table = iota(4, 2);
        NDArray idx = NDArray.of(new int[]{3, 0, 3}, Shape.of(3), Device.CPU);
        assertArrayEquals(new double[]{6, 7, 0, 1, 6, 7}, Ops.gather(table, idx).toDoubleArray());
        NDArray acc = NDArray.zeros(Shape.of(4, 2), DType.F64, Device.CPU);
        Ops.scatterAdd(NDArray.of(new double[]{1, 1, 2, 2, 3, 3}, 3, 2), idx, acc);
        assertArrayEquals(new double[]{2, 2, 0, 0, 0, 0, 4, 4}, acc.toDoubleArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Ops.gather(table, NDArray.of(new int[]{4}, Shape.of(1), Device.CPU)));
        assertTrue(e.getMessage().contains("index 4") && e.getMessage().contains("[4, 2]"), e.getMessage());
    }

    @Test
    void badInputNamesTheOpAndShapes() {
        NDArray a = iota(2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ops.slice(a, 1, 2, 4));
        assertTrue(e.getMessage().contains("slice") && e.getMessage().contains("[2, 3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Ops.concat(0, a, iota(2, 2)));
        assertTrue(e.getMessage().contains("concat"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Ops.matmul(a, iota(2, 3)));
        assertTrue(e.getMessage().contains("matmul") && e.getMessage().contains("[2, 3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> a.reshape(4, 2));
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("[4, 2]"), e.getMessage());
        NDArray f32 = NDArray.of(new float[]{1, 2, 3, 4, 5, 6}, 2, 3);
        e = assertThrows(IllegalArgumentException.class, () -> Ops.concat(0, a, f32));
        assertTrue(e.getMessage().contains("mixed dtypes"), e.getMessage());
        NDArray ints = NDArray.of(new int[]{1}, Shape.of(1), Device.CPU);
        e = assertThrows(IllegalArgumentException.class, () -> Ops.gather(ints.reshape(1, 1), ints));
        assertTrue(e.getMessage().contains("floating"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Ops.reduce(ReduceOp.SUM, a, false, 2));
        assertTrue(e.getMessage().contains("axis 2") && e.getMessage().contains("[2, 3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SpatialOps.conv2d(iota(1, 2, 4, 4), iota(1, 3, 3, 3), null, Conv2dSpec.of(1, 0, 1)));
        assertTrue(e.getMessage().contains("conv2d") && e.getMessage().contains("[1, 3, 3, 3]"), e.getMessage());
        // A window larger than the (padded) input is refused, not rounded up to one output.
        e = assertThrows(IllegalArgumentException.class, () -> SpatialOps.avgPool2d(iota(1, 1, 1, 1), Pool2dSpec.of(2)));
        assertTrue(e.getMessage().contains("avg_pool2d") && e.getMessage().contains("[1, 1, 1, 1]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SpatialOps.conv2d(iota(1, 1, 2, 2), iota(1, 1, 3, 3), null, Conv2dSpec.of(2, 0, 1)));
        assertTrue(e.getMessage().contains("does not fit"), e.getMessage());
    }

    @Test
    void unavailableDeviceIsAClearError() {
        // No CUDA backend is on tensor-core's class path: asking for it names the device and the reason.
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> NDArray.zeros(Shape.of(1), DType.F32, Device.cuda(0)));
        assertTrue(e.getMessage().contains("cuda:0"), e.getMessage());
        assertEquals(Device.CPU, Device.best());
    }
}
