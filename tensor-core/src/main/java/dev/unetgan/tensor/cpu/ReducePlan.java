package dev.unetgan.tensor.cpu;

import dev.unetgan.tensor.Shape;

import java.util.ArrayList;
import java.util.List;

/**
 * A reduction of a dense array seen as {@code [prefix..., r, inner]}: {@code r} is the last group of reduced axes
 * (adjacent reduced axes collapsed, size-1 axes dropped), {@code inner} the kept axes after it, and the prefix mixes
 * kept and reduced groups. Output element {@code k·inner + j} reduces
 * {@code x[keptOff[k] + redOff[q] + i·inner + j]} over every {@code q} and {@code i < r}; so the output is linear in
 * the keepdims shape, and each reduced "row" {@code (q, i)} is a contiguous run of {@code inner} elements.
 *
 * @param keptOff offsets of the kept prefix positions, in output order
 * @param redOff  offsets of the reduced prefix positions
 * @param r       size of the last reduced group (1 when every reduced axis has size 1)
 * @param inner   size of the kept axes after it
 * @param count   number of elements reduced into each output
 */
record ReducePlan(int[] keptOff, int[] redOff, int r, int inner, long count) {

    /** The plan for reducing {@code shape} (non-empty) over the sorted, distinct {@code axes}. */
    static ReducePlan of(Shape shape, int[] axes) {
        List<int[]> groups = new ArrayList<>(); // {size, reduced ? 1 : 0}, outermost first
        for (int d = 0, a = 0; d < shape.rank(); d++) {
            boolean reduced = a < axes.length && axes[a] == d;
            if (reduced) {
                a++;
            }
            int size = shape.dim(d);
            if (size == 1) {
                continue;
            }
            int flag = reduced ? 1 : 0;
            if (!groups.isEmpty() && groups.getLast()[1] == flag) {
                groups.getLast()[0] *= size;
            } else {
                groups.add(new int[]{size, flag});
            }
        }
        int last = groups.size() - 1;
        while (last >= 0 && groups.get(last)[1] == 0) {
            last--;
        }
        int inner = 1;
        for (int g = last + 1; g < groups.size(); g++) {
            inner *= groups.get(g)[0];
        }
        int r = last >= 0 ? groups.get(last)[0] : 1;
        long stride = (long) r * inner;
        List<int[]> prefix = groups.subList(0, Math.max(0, last));
        long[] strides = new long[prefix.size()];
        for (int g = prefix.size() - 1; g >= 0; g--) {
            strides[g] = stride;
            stride *= prefix.get(g)[0];
        }
        int[] keptOff = offsets(prefix, strides, 0);
        int[] redOff = offsets(prefix, strides, 1);
        return new ReducePlan(keptOff, redOff, r, inner, (long) redOff.length * r);
    }

    /** Row-major enumeration of the offsets of the prefix groups flagged {@code flag}. */
    private static int[] offsets(List<int[]> prefix, long[] strides, int flag) {
        int n = 1;
        for (int[] g : prefix) {
            if (g[1] == flag) {
                n *= g[0];
            }
        }
        int[] off = new int[n];
        for (int idx = 0; idx < n; idx++) {
            long o = 0;
            int rem = idx;
            for (int g = prefix.size() - 1; g >= 0; g--) {
                if (prefix.get(g)[1] == flag) {
                    int size = prefix.get(g)[0];
                    o += (rem % size) * strides[g];
                    rem /= size;
                }
            }
            off[idx] = (int) o;
        }
        return off;
    }
}
