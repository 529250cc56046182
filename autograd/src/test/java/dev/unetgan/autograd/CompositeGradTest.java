package dev.unetgan.autograd;

import dev.unetgan.tensor.Conv2dSpec;
import dev.unetgan.tensor.Device;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Pool2dSpec;
import dev.unetgan.tensor.Shape;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

/**
 * Gradient checks of small networks built from many ops, with shared subexpressions and broadcasting, so the engine's
 * ordering and accumulation are exercised end to end (not just one Function at a time).
 */
class CompositeGradTest {

    private static NDArray random(long seed, int... dims) {
        double[] v = new SplittableRandom(seed).doubles(Shape.of(dims).size(), -1, 1).toArray();
        return NDArray.of(v, dims);
    }

    @Test
    void tinyConvNetWithResidualAndClassifier() {
        GradCheck.check("conv net", in -> {
            Tensor x = in.get(0), w1 = in.get(1), b1 = in.get(2), gamma = in.get(3), beta = in.get(4), w2 = in.get(5);
            Tensor h = x.conv2d(w1, b1, Conv2dSpec.of(1, 1, 1));                 // [2,3,4,4]
            h = h.batchNorm(gamma, beta, 1e-5, null).leakyRelu(0.2);
            Tensor skip = x.mul(h.sigmoid());                                     // x used twice, h used twice
            Tensor pooled = skip.add(h).avgPool2d(Pool2dSpec.of(2));              // [2,3,2,2]
            Tensor flat = pooled.reshape(2, 12);
            Tensor logits = flat.matmul(w2, false, true);                          // [2,12]·[4,12]ᵀ = [2,4]
            Tensor logp = logits.logSoftmax(1);
            NDArray labels = NDArray.of(new int[]{3, 1}, Shape.of(2), Device.CPU);
            Tensor picked = logp.reshape(8, 1).gather(NDArray.of(new int[]{3, 5}, Shape.of(2), Device.CPU));
            labels.close();
            return picked.mean().neg();
        }, random(1, 2, 3, 4, 4), random(2, 3, 3, 3, 3), random(3, 3), random(4, 3), random(5, 3), random(6, 4, 12));
    }

    @Test
    void attentionLikeBlock() {
        GradCheck.check("attention", in -> {
            Tensor q = in.get(0), k = in.get(1), v = in.get(2), gamma = in.get(3);
            Tensor scores = q.matmul(k, true, false).mul(0.5);                    // [2,5,3]ᵀ·[2,3,5] -> [2,3,5]... batched
            Tensor attn = scores.softmax(-1);
            Tensor out = v.matmul(attn, false, true);                             // [2,3,5]·[2,3,5]ᵀ -> [2,3,3]
            return Tensor.blend(gamma.sigmoid(), out, out.tanh()).square().sum();
        }, random(7, 2, 5, 3), random(8, 2, 5, 5), random(9, 2, 3, 5), random(10, 1, 3));
    }

    @Test
    void upsampleConcatSliceDecoder() {
        GradCheck.check("decoder", in -> {
            Tensor lo = in.get(0), skip = in.get(1);
            Tensor up = lo.upsampleNearest2d(2);                                  // [1,2,4,4]
            Tensor cat = Tensor.concat(1, up, skip);                              // [1,5,4,4]
            Tensor a = cat.slice(1, 0, 3).relu();
            Tensor b = cat.slice(1, 2, 5).exp();                                  // channel 2 shared by both slices
            return a.mul(b).permute(0, 2, 3, 1).max(3).sum();
        }, random(11, 1, 2, 2, 2), random(12, 1, 3, 4, 4));
    }
}
