package dev.unetgan.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * A set of vector loads from V arbitrary offsets each, planned once and then run at many shifts: lane {@code l} of
 * load {@code i} reads {@code a[shift + offset[l]]} where it is valid and is zero elsewhere. Lanes whose offsets run
 * consecutively are read by one masked load per run and the runs are summed (their masks are disjoint), so the
 * common conv cases cost one or two loads; more than {@link #MAX_RUNS} runs become one masked gather. Used by the
 * implicit-GEMM B packers, where the offsets are fixed for a sliver and the shift walks the channels or pixels.
 */
final class LaneLoads {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int V = F.length();
    private static final long ALL = V == 64 ? -1L : (1L << V) - 1;
    /** Runs of consecutive offsets above which one gather is cheaper than one masked load per run. */
    private static final int MAX_RUNS = 4;
    private static final int GATHER = -1;

    /** Per load: the number of runs, or {@link #GATHER}. */
    private final int[] runs;
    /** Per load and run: the offset that lane l of the run adds l to. */
    private final int[] runBase;
    private final long[] runMask;
    private final long[] valid;
    /** Per load, gathers only: the offset the lane offsets are relative to, and those offsets. */
    private final int[] gatherBase;
    private final int[][] gatherOffsets;

    LaneLoads(int count) {
        runs = new int[count];
        runBase = new int[count * MAX_RUNS];
        runMask = new long[count * MAX_RUNS];
        valid = new long[count];
        gatherBase = new int[count];
        gatherOffsets = new int[count][V];
    }

    /**
     * Plans load {@code i}: lane {@code l < V} reads {@code offset[l]} (plus the shift) when bit {@code l} of
     * {@code validLanes} is set. Offsets of invalid lanes are ignored.
     */
    void plan(int i, int[] offset, long validLanes) {
        long lanes = validLanes & ALL;
        valid[i] = lanes;
        int count = 0, at = i * MAX_RUNS;
        // The common case, V consecutive offsets (one plain load), skips the general loop below, which had 6% of the
        // RGB layer's forward samples: that layer plans two loads for every sliver of 27 rows.
        int run = 1;
        while (lanes == ALL && run < V && offset[run] == offset[0] + run) {
            run++;
        }
        if (run == V && lanes == ALL) {
            runs[i] = 1;
            runBase[at] = offset[0];
            runMask[at] = ALL;
            return;
        }
        for (int l = 0; l < V; l++) {
            if ((lanes & 1L << l) == 0) {
                continue;
            }
            boolean continues = count > 0 && (lanes & 1L << (l - 1)) != 0 && offset[l] == offset[l - 1] + 1;
            if (!continues) {
                if (count < MAX_RUNS) {
                    runBase[at + count] = offset[l] - l;
                    runMask[at + count] = 0;
                }
                count++;
            }
            if (count <= MAX_RUNS) {
                runMask[at + count - 1] |= 1L << l;
            }
        }
        runs[i] = count > MAX_RUNS ? GATHER : count;
        if (count > MAX_RUNS) {
            // The Vector API bounds-checks every lane of a gather, masked or not: invalid lanes borrow a valid offset.
            int base = offset[Long.numberOfTrailingZeros(lanes)];
            gatherBase[i] = base;
            for (int l = 0; l < V; l++) {
                gatherOffsets[i][l] = (lanes & 1L << l) != 0 ? offset[l] - base : 0;
            }
        }
    }

    /** Where load {@code i} starts if it is one plain load of V consecutive floats (before the shift), else -1. */
    int plainBase(int i) {
        return runs[i] == 1 && runMask[i * MAX_RUNS] == ALL ? runBase[i * MAX_RUNS] : -1;
    }

    /**
     * Runs load {@code i} at {@code count} shifts {@code shift0 + j·shiftStep}, storing result {@code j} at
     * {@code dst[dst0 + j·dstStep]}. Lane {@code l} of a result is {@code a[shift + offset[l]]}, or zero where the
     * lane is not valid. The kind of load is chosen once, outside the loop, so each loop is a plain strided copy.
     */
    void copy(int i, float[] a, int shift0, int shiftStep, int count, float[] dst, int dst0, int dstStep) {
        int n = runs[i], at = i * MAX_RUNS;
        if (n == 0) {
            FloatVector zero = FloatVector.zero(F);
            for (int j = 0; j < count; j++) {
                zero.intoArray(dst, dst0 + j * dstStep);
            }
        } else if (n == 1 && runMask[at] == ALL) {
            int from = shift0 + runBase[at];
            for (int j = 0; j < count; j++) {
                FloatVector.fromArray(F, a, from + j * shiftStep).intoArray(dst, dst0 + j * dstStep);
            }
        } else if (n == 1) {
            int from = shift0 + runBase[at];
            VectorMask<Float> m = VectorMask.fromLong(F, runMask[at]);
            for (int j = 0; j < count; j++) {
                FloatVector.fromArray(F, a, from + j * shiftStep, m).intoArray(dst, dst0 + j * dstStep);
            }
        } else if (n == GATHER) {
            int from = shift0 + gatherBase[i];
            int[] lanes = gatherOffsets[i];
            VectorMask<Float> m = VectorMask.fromLong(F, valid[i]);
            for (int j = 0; j < count; j++) {
                FloatVector.fromArray(F, a, from + j * shiftStep, lanes, 0, m).intoArray(dst, dst0 + j * dstStep);
            }
        } else {
            for (int j = 0; j < count; j++) {
                int shift = shift0 + j * shiftStep;
                FloatVector v = FloatVector.zero(F);
                for (int k = 0; k < n; k++) {
                    v = v.add(FloatVector.fromArray(F, a, shift + runBase[at + k],
                            VectorMask.fromLong(F, runMask[at + k])));
                }
                v.intoArray(dst, dst0 + j * dstStep);
            }
        }
    }
}
