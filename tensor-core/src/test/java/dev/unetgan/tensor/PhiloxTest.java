package dev.unetgan.tensor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class PhiloxTest {
    /** Known-answer vectors of Philox-4x32-10 from the Random123 distribution (kat_vectors). */
    @Test
    void matchesRandom123KnownAnswers() {
        int[] w = new int[4];
        Philox.block(0L, 0L, w);
        assertArrayEquals(new int[]{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}, w);
    }

    @Test
    void generatorIsCounterBasedAndReproducible() {
        Generator g1 = new Generator(42);
        double[] a = g1.normal(Shape.of(1000), DType.F64, Device.CPU, 0, 1).toDoubleArray();
        double[] b = g1.normal(Shape.of(10), DType.F64, Device.CPU, 0, 1).toDoubleArray();
        assertEquals(1010, g1.offset());
        // A generator restored at offset 1000 continues the same stream.
        double[] b2 = new Generator(42, 1000).normal(Shape.of(10), DType.F64, Device.CPU, 0, 1).toDoubleArray();
        assertArrayEquals(b, b2);
        double[] a2 = new Generator(42).normal(Shape.of(1000), DType.F64, Device.CPU, 0, 1).toDoubleArray();
        assertArrayEquals(a, a2);
        assertFalse(java.util.Arrays.equals(a, new Generator(43).normal(Shape.of(1000), DType.F64, Device.CPU, 0, 1).toDoubleArray()));
    }

    @Test
    void distributionsHaveTheRightMoments() {
        int n = 200_000;
        Generator g = new Generator(7);
        double[] z = g.normal(Shape.of(n), DType.F32, Device.CPU, 1, 2).toDoubleArray();
        double[] u = g.uniform(Shape.of(n), DType.F32, Device.CPU, -1, 3).toDoubleArray();
        double[] b = g.bernoulli(Shape.of(n), DType.F32, Device.CPU, 0.3).toDoubleArray();
        assertEquals(1, mean(z), 0.02);
        assertEquals(4, variance(z), 0.05);
        assertEquals(1, mean(u), 0.02);
        assertEquals(16.0 / 12, variance(u), 0.02);
        assertEquals(0.3, mean(b), 0.005);
        for (double v : u) assertTrue(v >= -1 && v < 3);
        for (double v : b) assertTrue(v == 0 || v == 1);
    }

    private static double mean(double[] x) {
        double s = 0;
        for (double v : x) s += v;
        return s / x.length;
    }

    private static double variance(double[] x) {
        double m = mean(x), s = 0;
        for (double v : x) s += (v - m) * (v - m);
        return s / x.length;
    }
}
