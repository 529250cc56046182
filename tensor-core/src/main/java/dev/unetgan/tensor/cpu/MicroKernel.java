package dev.unetgan.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register tiles of the packed GEMM ({@link GemmPacked}) and the implicit-GEMM convolutions ({@link ConvGemm}):
 * {@code tile[MR×NR] (+)= Asliver[MR×kc]·Bsliver[kc×NR]}, from a packed A sliver ({@code pa[aOff + q·MR + r]}) and
 * a packed B sliver ({@code pb[bOff + q·NR + j]}), into the tile at {@code t0} (row stride NR), which a kernel
 * overwrites, or adds to when {@code add}.
 *
 * <p>The tile's shape follows the machine's vector registers, because the accumulators must all stay in them: 6
 * rows × 4 vectors where vectors are 512 bits (AVX-512 has 32 registers), 5 rows × 2 vectors elsewhere (AVX2 has
 * 16). The JIT folds {@link #run}'s choice away. Each kernel spells its accumulators out so that C2 keeps them in
 * registers (an array of vectors would live in memory); they enter and leave only through plain loads and stores of
 * the tile, since passing them to a helper that C2 declines to inline would box every one of them per call. Each
 * kernel works in its own shape (its name's rows, and row stride 4V or 2V), so a test runs both on any machine.
 */
final class MicroKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Floats per vector: 16 with 512-bit vectors, 8 with AVX2. */
    static final int V = S.length();
    /** Vectors per tile row: 4 with 32 vector registers, 2 with 16. */
    static final int VECTORS = S.vectorBitSize() >= 512 ? 4 : 2;
    /** Rows of the tile: 6 with AVX-512 (64 conv channels pad to 66), 5 with AVX2 (64 pad to 65). */
    static final int MR = VECTORS == 4 ? 6 : 5;
    /** Columns of the tile: 64 with AVX-512, 16 with AVX2. */
    static final int NR = VECTORS * V;

    private MicroKernel() {
    }

    /** The tile of this machine (see the class comment). */
    static void run(int kc, float[] pa, int aOff, float[] pb, int bOff, float[] tile, int t0, boolean add) {
        if (VECTORS == 4) {
            sixByFour(kc, pa, aOff, pb, bOff, tile, t0, add);
        } else {
            fiveByTwo(kc, pa, aOff, pb, bOff, tile, t0, add);
        }
    }

    /**
     * The 6 × 4-vector tile, for 32 vector registers (AVX-512): 24 accumulators, 4 B vectors and one broadcast. Per
     * depth step it issues 6 broadcasts and 4 B loads for 24 FMAs, where 8 × 2 issued 10 loads for 16: on the Xeon
     * of 2026-12-03, whose FMA loop ran at 60-75% of its quiet rate (something else shared the core), 6 × 4 alone ran
     * 1.10x faster than 8 × 2 (4 × 6, 4 × 5, 7 × 3: 1.03-1.05) and the whole GEMM 1.07-1.09x faster on one thread
     * (benchmarks/README.md, "Intel Xeon, 2026-12-03"). 8 × 3 kept two accumulators on the stack. Tile row stride 4V.
     */
    static void sixByFour(int kc, float[] pa, int aOff, float[] pb, int bOff, float[] tile, int t0, boolean add) {
        final int mr = 6, nr = 4 * V;
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c02 = z, c03 = z;
        FloatVector c10 = z, c11 = z, c12 = z, c13 = z;
        FloatVector c20 = z, c21 = z, c22 = z, c23 = z;
        FloatVector c30 = z, c31 = z, c32 = z, c33 = z;
        FloatVector c40 = z, c41 = z, c42 = z, c43 = z;
        FloatVector c50 = z, c51 = z, c52 = z, c53 = z;
        if (add) {
            c00 = FloatVector.fromArray(S, tile, t0);
            c01 = FloatVector.fromArray(S, tile, t0 + V);
            c02 = FloatVector.fromArray(S, tile, t0 + 2 * V);
            c03 = FloatVector.fromArray(S, tile, t0 + 3 * V);
            c10 = FloatVector.fromArray(S, tile, t0 + nr);
            c11 = FloatVector.fromArray(S, tile, t0 + nr + V);
            c12 = FloatVector.fromArray(S, tile, t0 + nr + 2 * V);
            c13 = FloatVector.fromArray(S, tile, t0 + nr + 3 * V);
            c20 = FloatVector.fromArray(S, tile, t0 + 2 * nr);
            c21 = FloatVector.fromArray(S, tile, t0 + 2 * nr + V);
            c22 = FloatVector.fromArray(S, tile, t0 + 2 * nr + 2 * V);
            c23 = FloatVector.fromArray(S, tile, t0 + 2 * nr + 3 * V);
            c30 = FloatVector.fromArray(S, tile, t0 + 3 * nr);
            c31 = FloatVector.fromArray(S, tile, t0 + 3 * nr + V);
            c32 = FloatVector.fromArray(S, tile, t0 + 3 * nr + 2 * V);
            c33 = FloatVector.fromArray(S, tile, t0 + 3 * nr + 3 * V);
            c40 = FloatVector.fromArray(S, tile, t0 + 4 * nr);
            c41 = FloatVector.fromArray(S, tile, t0 + 4 * nr + V);
            c42 = FloatVector.fromArray(S, tile, t0 + 4 * nr + 2 * V);
            c43 = FloatVector.fromArray(S, tile, t0 + 4 * nr + 3 * V);
            c50 = FloatVector.fromArray(S, tile, t0 + 5 * nr);
            c51 = FloatVector.fromArray(S, tile, t0 + 5 * nr + V);
            c52 = FloatVector.fromArray(S, tile, t0 + 5 * nr + 2 * V);
            c53 = FloatVector.fromArray(S, tile, t0 + 5 * nr + 3 * V);
        }
        // Two induction variables instead of q·mr and q·nr: C2 then advances both by plain adds, with no
        // multiply, shift or lea per step (paired on the Xeon: 1.02-1.06x at 1024³ and 2048³).
        for (int ai = aOff, bi = bOff, aEnd = aOff + kc * mr; ai < aEnd; ai += mr, bi += nr) {
            FloatVector b0 = FloatVector.fromArray(S, pb, bi);
            FloatVector b1 = FloatVector.fromArray(S, pb, bi + V);
            FloatVector b2 = FloatVector.fromArray(S, pb, bi + 2 * V);
            FloatVector b3 = FloatVector.fromArray(S, pb, bi + 3 * V);
            FloatVector x = FloatVector.broadcast(S, pa[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            c02 = x.fma(b2, c02);
            c03 = x.fma(b3, c03);
            x = FloatVector.broadcast(S, pa[ai + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            c12 = x.fma(b2, c12);
            c13 = x.fma(b3, c13);
            x = FloatVector.broadcast(S, pa[ai + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            c22 = x.fma(b2, c22);
            c23 = x.fma(b3, c23);
            x = FloatVector.broadcast(S, pa[ai + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            c32 = x.fma(b2, c32);
            c33 = x.fma(b3, c33);
            x = FloatVector.broadcast(S, pa[ai + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            c42 = x.fma(b2, c42);
            c43 = x.fma(b3, c43);
            x = FloatVector.broadcast(S, pa[ai + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            c52 = x.fma(b2, c52);
            c53 = x.fma(b3, c53);
        }
        c00.intoArray(tile, t0);
        c01.intoArray(tile, t0 + V);
        c02.intoArray(tile, t0 + 2 * V);
        c03.intoArray(tile, t0 + 3 * V);
        c10.intoArray(tile, t0 + nr);
        c11.intoArray(tile, t0 + nr + V);
        c12.intoArray(tile, t0 + nr + 2 * V);
        c13.intoArray(tile, t0 + nr + 3 * V);
        c20.intoArray(tile, t0 + 2 * nr);
        c21.intoArray(tile, t0 + 2 * nr + V);
        c22.intoArray(tile, t0 + 2 * nr + 2 * V);
        c23.intoArray(tile, t0 + 2 * nr + 3 * V);
        c30.intoArray(tile, t0 + 3 * nr);
        c31.intoArray(tile, t0 + 3 * nr + V);
        c32.intoArray(tile, t0 + 3 * nr + 2 * V);
        c33.intoArray(tile, t0 + 3 * nr + 3 * V);
        c40.intoArray(tile, t0 + 4 * nr);
        c41.intoArray(tile, t0 + 4 * nr + V);
        c42.intoArray(tile, t0 + 4 * nr + 2 * V);
        c43.intoArray(tile, t0 + 4 * nr + 3 * V);
        c50.intoArray(tile, t0 + 5 * nr);
        c51.intoArray(tile, t0 + 5 * nr + V);
        c52.intoArray(tile, t0 + 5 * nr + 2 * V);
        c53.intoArray(tile, t0 + 5 * nr + 3 * V);
    }

    /**
     * The 5 × 2-vector tile, for 16 vector registers (AVX2): 10 accumulators, 2 B vectors and one broadcast. Alone on
     * a Zen 3 core (slivers from L1, kc 256) it ran at up to 98 GFLOP/s, as fast as 4 × 2 and 3 × 3, while 6 × 2
     * (BLIS's shape for these machines, 15 of the 16 registers), 8 × 2 and 4 × 3 spilled in C2's code and ran at
     * 39-58, 3 × 4 at 25 and the 6 × 4 tile at 40-42. Its loop is 2 B loads, 5 broadcast loads and 10 FMAs, with two
     * bounds checks and the loop counter: 5 cycles at two FMAs per cycle. Tile row stride 2V; A slivers of 5 rows.
     */
    static void fiveByTwo(int kc, float[] pa, int aOff, float[] pb, int bOff, float[] tile, int t0, boolean add) {
        final int mr = 5, nr = 2 * V;
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z;
        FloatVector c10 = z, c11 = z;
        FloatVector c20 = z, c21 = z;
        FloatVector c30 = z, c31 = z;
        FloatVector c40 = z, c41 = z;
        if (add) {
            c00 = FloatVector.fromArray(S, tile, t0);
            c01 = FloatVector.fromArray(S, tile, t0 + V);
            c10 = FloatVector.fromArray(S, tile, t0 + nr);
            c11 = FloatVector.fromArray(S, tile, t0 + nr + V);
            c20 = FloatVector.fromArray(S, tile, t0 + 2 * nr);
            c21 = FloatVector.fromArray(S, tile, t0 + 2 * nr + V);
            c30 = FloatVector.fromArray(S, tile, t0 + 3 * nr);
            c31 = FloatVector.fromArray(S, tile, t0 + 3 * nr + V);
            c40 = FloatVector.fromArray(S, tile, t0 + 4 * nr);
            c41 = FloatVector.fromArray(S, tile, t0 + 4 * nr + V);
        }
        // Two induction variables instead of q·mr and q·nr: C2 then advances both by plain adds, with no
        // multiply, shift or lea per step (paired on the Xeon: 1.02-1.06x at 1024³ and 2048³).
        for (int ai = aOff, bi = bOff, aEnd = aOff + kc * mr; ai < aEnd; ai += mr, bi += nr) {
            FloatVector b0 = FloatVector.fromArray(S, pb, bi);
            FloatVector b1 = FloatVector.fromArray(S, pb, bi + V);
            FloatVector x = FloatVector.broadcast(S, pa[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, pa[ai + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, pa[ai + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, pa[ai + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, pa[ai + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
        }
        c00.intoArray(tile, t0);
        c01.intoArray(tile, t0 + V);
        c10.intoArray(tile, t0 + nr);
        c11.intoArray(tile, t0 + nr + V);
        c20.intoArray(tile, t0 + 2 * nr);
        c21.intoArray(tile, t0 + 2 * nr + V);
        c30.intoArray(tile, t0 + 3 * nr);
        c31.intoArray(tile, t0 + 3 * nr + V);
        c40.intoArray(tile, t0 + 4 * nr);
        c41.intoArray(tile, t0 + 4 * nr + V);
    }

}
