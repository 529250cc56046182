package dev.unetgan.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Both register tiles, whichever one this machine's GEMM uses: the GEMM and conv tests only reach the one that
 * {@link MicroKernel#run} picks here.
 */
class MicroKernelTest {
    private interface Kernel {
        void run(int kc, float[] pa, int aOff, float[] pb, int bOff, float[] tile, int t0, boolean add);
    }

    @Test
    void sixByFourMatchesNaiveProduct() {
        check(MicroKernel::sixByFour, 6, 4 * MicroKernel.V);
    }

    @Test
    void fiveByTwoMatchesNaiveProduct() {
        check(MicroKernel::fiveByTwo, 5, 2 * MicroKernel.V);
    }

    /**
     * The build runs the conv and GEMM tests a second time asking for 4-lane vectors (tensor-core/pom.xml); if the JVM
     * ignored that, the second run would check nothing new.
     */
    @Test
    void vectorsHaveTheLanesTheBuildAskedFor() {
        assertEquals(Integer.getInteger("unetgan.test.lanes", MicroKernel.V), MicroKernel.V);
    }

    @Test
    void machineTileIsOneOfTheTwo() {
        assertEquals(MicroKernel.VECTORS == 4 ? 6 : 5, MicroKernel.MR);
        assertEquals(MicroKernel.VECTORS * MicroKernel.V, MicroKernel.NR);
        check(MicroKernel::run, MicroKernel.MR, MicroKernel.NR);
    }

    /**
     * Runs {@code kernel} at offsets inside larger arrays, overwriting and then adding, at depths 0, 1 and a few
     * more, and checks the whole tile array: the tile against a double-precision sum, everything around it untouched.
     */
    private static void check(Kernel kernel, int mr, int nr) {
        Random rnd = new Random(mr * 100 + nr);
        for (int kc : new int[] {0, 1, 2, 7, 130}) {
            int aOff = 3, bOff = 5, t0 = 11;
            float[] pa = random(rnd, aOff + kc * mr + 4);
            float[] pb = random(rnd, bOff + kc * nr + 4);
            float[] start = random(rnd, t0 + mr * nr + 9);
            for (boolean add : new boolean[] {false, true}) {
                float[] tile = start.clone();
                kernel.run(kc, pa, aOff, pb, bOff, tile, t0, add);
                for (int i = 0; i < tile.length; i++) {
                    int rel = i - t0;
                    if (rel < 0 || rel >= mr * nr) {
                        assertEquals(start[i], tile[i], "outside the tile, index " + i);
                        continue;
                    }
                    int r = rel / nr, j = rel % nr;
                    double sum = add ? start[i] : 0;
                    for (int q = 0; q < kc; q++) {
                        sum += (double) pa[aOff + q * mr + r] * pb[bOff + q * nr + j];
                    }
                    assertEquals(sum, tile[i], 1e-5 * (kc + 1), "kc " + kc + " add " + add + " row " + r + " col " + j);
                }
            }
        }
    }

    private static float[] random(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = rnd.nextFloat() * 2 - 1;
        }
        return x;
    }
}
