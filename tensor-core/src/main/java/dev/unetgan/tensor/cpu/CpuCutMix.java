package dev.unetgan.tensor.cpu;

import dev.unetgan.tensor.CutMixBox;
import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.NDArray;

import java.util.Arrays;

/**
 * The fused CutMix mask-and-blend ({@link dev.unetgan.tensor.Backend#cutmixBlend}). Work items are the image rows
 * {@code (b, h)}: each writes one row of the mask and the matching row of every channel of {@code mixed}. A row
 * crosses the box in at most three runs (before, inside, after), each taken whole from {@code real} or
 * {@code fake}, so the fast path is three {@link System#arraycopy}s per channel row and three fills of the mask
 * row, for F32 and F64 alike; the values are copied, never computed. The scalar reference path (under
 * {@link CpuOptions#scalar()}) decides every element on its own from {@link CutMixBox#real}.
 */
final class CpuCutMix {
    /** Elements per parallel chunk, at least: the pass is a memory copy. */
    private static final int GRAIN = 1 << 15;

    private CpuCutMix() {
    }

    /** {@code real, fake, mixed [B,C,H,W]}, {@code mask [B,1,H,W]}, one box per sample. */
    static void blend(NDArray real, NDArray fake, CutMixBox[] boxes, NDArray mixed, NDArray mask) {
        int c = real.dim(1), h = real.dim(2), w = real.dim(3);
        int rows = real.dim(0) * h;
        int grainRows = Math.max(1, GRAIN / Math.max(1, c * w));
        if (CpuOptions.scalar()) {
            CpuStorage xs = CpuStorage.of(real), fs = CpuStorage.of(fake);
            CpuStorage ms = CpuStorage.of(mixed), ks = CpuStorage.of(mask);
            CpuPool.parallelFor(rows, grainRows, (r0, r1) -> {
                for (int r = r0; r < r1; r++) {
                    int b = r / h, y = r % h;
                    for (int x = 0; x < w; x++) {
                        boolean isReal = boxes[b].real(y, x);
                        ks.set(r * w + x, isReal ? 1 : 0);
                        for (int ch = 0; ch < c; ch++) {
                            int e = ((b * c + ch) * h + y) * w + x;
                            ms.set(e, (isReal ? xs : fs).get(e));
                        }
                    }
                }
            });
            return;
        }
        Object xs = data(real), fs = data(fake), ms = data(mixed), ks = data(mask);
        boolean f32 = real.dtype() == DType.F32;
        CpuPool.parallelFor(rows, grainRows, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int b = r / h, y = r % h;
                CutMixBox box = boxes[b];
                // The row's three runs [0, c0), [c0, c1), [c1, w); the middle one is the box when the row meets it.
                boolean crosses = y >= box.rowStart() && y < box.rowEnd();
                int c0 = crosses ? box.colStart() : w;
                int c1 = crosses ? box.colEnd() : w;
                boolean outsideReal = !box.inverted();
                fillRun(ks, f32, r * w, 0, c0, outsideReal);
                fillRun(ks, f32, r * w, c0, c1, !outsideReal);
                fillRun(ks, f32, r * w, c1, w, outsideReal);
                for (int ch = 0; ch < c; ch++) {
                    int row = ((b * c + ch) * h + y) * w;
                    Object outside = outsideReal ? xs : fs;
                    Object inside = outsideReal ? fs : xs;
                    System.arraycopy(outside, row, ms, row, c0);
                    System.arraycopy(inside, row + c0, ms, row + c0, c1 - c0);
                    System.arraycopy(outside, row + c1, ms, row + c1, w - c1);
                }
            }
        });
    }

    private static Object data(NDArray a) {
        return a.dtype() == DType.F32 ? CpuStorage.f32(a) : CpuStorage.f64(a);
    }

    /** Sets mask elements {@code [base+from, base+to)} to 1 (real) or 0. */
    private static void fillRun(Object mask, boolean f32, int base, int from, int to, boolean real) {
        if (f32) {
            Arrays.fill((float[]) mask, base + from, base + to, real ? 1f : 0f);
        } else {
            Arrays.fill((double[]) mask, base + from, base + to, real ? 1d : 0d);
        }
    }
}
