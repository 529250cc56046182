package dev.unetgan.nn.data;

/**
 * Separable resizing of CHW float planes. Downscaling along an axis averages the exact source area that each output
 * pixel covers (a box filter with fractional edge weights), which is the anti-aliased reduction PIL calls "box" and
 * OpenCV calls INTER_AREA: every source pixel contributes, so there is no aliasing. Upscaling is bilinear with
 * half-pixel centres ({@code align_corners=false}); an axis whose size is unchanged is copied exactly.
 */
final class Resample {
    private Resample() {
    }

    /** Per-output-pixel source taps along one axis: {@code first[o]} and {@code weights[o]} (consecutive sources). */
    record Taps(int[] first, float[][] weights) {
    }

    /** The taps that map {@code in} source pixels to {@code out} output pixels. */
    static Taps taps(int in, int out) {
        int[] first = new int[out];
        float[][] weights = new float[out][];
        if (out <= in) {
            double scale = (double) in / out;
            for (int o = 0; o < out; o++) {
                double lo = o * scale;
                double hi = (o + 1) * scale;
                int a = (int) Math.floor(lo);
                int b = Math.min(in, (int) Math.ceil(hi - 1e-9));
                first[o] = a;
                weights[o] = new float[b - a];
                for (int i = a; i < b; i++) {
                    weights[o][i - a] = (float) ((Math.min(hi, i + 1) - Math.max(lo, i)) / scale);
                }
            }
        } else {
            for (int o = 0; o < out; o++) {
                double x = Math.max(0, (o + 0.5) * in / out - 0.5);
                int a = Math.min((int) x, in - 1);
                float frac = (float) (x - a);
                if (a == in - 1 || frac == 0f) {
                    first[o] = a;
                    weights[o] = new float[] {1f};
                } else {
                    first[o] = a;
                    weights[o] = new float[] {1f - frac, frac};
                }
            }
        }
        return new Taps(first, weights);
    }

    /**
     * Resizes {@code src} ({@code [c, h, w]}) to {@code [c, outH, outW]}.
     *
     * @return a new array of {@code c * outH * outW} floats
     */
    static float[] resize(float[] src, int c, int h, int w, int outH, int outW) {
        if (outH == h && outW == w) {
            return src;
        }
        Taps tx = taps(w, outW);
        Taps ty = taps(h, outH);
        float[] rows = new float[c * h * outW];
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < h; y++) {
                int s = (ch * h + y) * w;
                int d = (ch * h + y) * outW;
                for (int o = 0; o < outW; o++) {
                    rows[d + o] = apply(src, s + tx.first()[o], 1, tx.weights()[o]);
                }
            }
        }
        float[] out = new float[c * outH * outW];
        for (int ch = 0; ch < c; ch++) {
            for (int o = 0; o < outH; o++) {
                int s = (ch * h + ty.first()[o]) * outW;
                int d = (ch * outH + o) * outW;
                for (int x = 0; x < outW; x++) {
                    out[d + x] = apply(rows, s + x, outW, ty.weights()[o]);
                }
            }
        }
        return out;
    }

    private static float apply(float[] a, int start, int stride, float[] weights) {
        float acc = 0;
        for (int k = 0; k < weights.length; k++) {
            acc += weights[k] * a[start + k * stride];
        }
        return acc;
    }
}
