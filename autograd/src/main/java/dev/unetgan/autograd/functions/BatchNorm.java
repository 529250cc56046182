package dev.unetgan.autograd.functions;

import dev.unetgan.autograd.Context;
import dev.unetgan.autograd.Function;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.SpatialOps;

import java.util.function.BiConsumer;

/**
 * Training-mode batch norm of {@code x [N,C,H,W]} with the batch's own per-channel statistics, and optional affine
 * {@code gamma [C]}, {@code beta [C]}. Inputs are {@code x}, then {@code gamma} and {@code beta} when present. The
 * batch mean and variance are owned by the context (freed after backward); the backend's fused backward gives
 * {@code dx} through the statistics, and {@code dGamma}, {@code dBeta} in the same pass.
 */
public final class BatchNorm extends Function {
    private final double eps;
    private final boolean hasGamma;
    private final boolean hasBeta;
    private final BiConsumer<NDArray, NDArray> batchStats;

    /** @param batchStats if not null, shown the batch mean and variance during the forward */
    public BatchNorm(double eps, boolean hasGamma, boolean hasBeta, BiConsumer<NDArray, NDArray> batchStats) {
        this.eps = eps;
        this.hasGamma = hasGamma;
        this.hasBeta = hasBeta;
        this.batchStats = batchStats;
    }

    @Override
    public String name() {
        return "batch_norm";
    }

    @Override
    protected NDArray forward(Context ctx, NDArray... in) {
        NDArray x = in[0];
        NDArray gamma = hasGamma ? in[1] : null;
        NDArray beta = hasBeta ? in[hasGamma ? 2 : 1] : null;
        SpatialOps.Moments m = SpatialOps.batchNormStats(x);
        ctx.saveOwned(m.mean());
        ctx.saveOwned(m.var());
        ctx.save(x, gamma);
        if (batchStats != null) {
            batchStats.accept(m.mean(), m.var());
        }
        return SpatialOps.batchNormApply(x, m.mean(), m.var(), gamma, beta, eps);
    }

    @Override
    protected NDArray[] backward(Context ctx, NDArray gradOut) {
        int betaIndex = hasGamma ? 2 : 1;
        boolean affine = (hasGamma && ctx.needsInputGrad(1)) || (hasBeta && ctx.needsInputGrad(betaIndex));
        SpatialOps.BatchNormGrads g = SpatialOps.batchNormBackward(ctx.saved(2), ctx.saved(0), ctx.saved(1),
                ctx.saved(3), eps, gradOut, affine);
        NDArray[] grads = new NDArray[1 + (hasGamma ? 1 : 0) + (hasBeta ? 1 : 0)];
        grads[0] = g.gradIn();
        if (hasGamma) {
            grads[1] = g.gradGamma();
        } else if (g.gradGamma() != null) {
            g.gradGamma().close();
        }
        if (hasBeta) {
            grads[betaIndex] = g.gradBeta();
        } else if (g.gradBeta() != null) {
            g.gradBeta().close();
        }
        return grads;
    }
}
