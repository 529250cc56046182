package dev.unetgan.tensor;

/**
 * The primitives every device implements (DESIGN.md §2). Callers go through {@link Ops}, which checks shapes, dtypes,
 * devices and liveness and allocates outputs, so a backend may assume valid, open, same-device arguments and
 * contiguous row-major data. Every output is overwritten ({@code =}) unless a method says it accumulates
 * ({@code +=}). Floating ops accept {@link DType#F32}; the CPU backend also accepts {@link DType#F64}.
 *
 * <p>Implementations: {@code tensor.cpu.CpuBackend} (this module); {@code cuda.CudaBackend} (module kernels).
 */
public interface Backend {

    /** The device this backend runs. */
    Device device();

    /** A buffer of {@code length} elements; its contents are unspecified. */
    Storage allocate(DType dtype, long length);

    /** Copies a host array ({@code float[]}, {@code double[]} or {@code int[]}, matching the dtype) into {@code dst}. */
    void upload(Object hostArray, NDArray dst);

    /** Copies {@code src} into a host array ({@code float[]}, {@code double[]} or {@code int[]}, matching the dtype). */
    void download(NDArray src, Object hostArray);

    /** Sets every element of {@code out} to {@code value}. */
    void fill(NDArray out, double value);

    /** Converts {@code src} to the dtype of {@code dst}; equal element counts. Float to int truncates toward zero. */
    void cast(NDArray src, NDArray dst);

    /**
     * Copies {@code count} slices along {@code axis}: {@code dst[..., dstStart+i, ...] = src[..., srcStart+i, ...]}.
     * Both arrays have the same rank and agree on every other dimension. This one primitive serves slice, concat
     * and their gradients.
     */
    void copyAlongAxis(NDArray src, int srcStart, NDArray dst, int dstStart, int axis, int count);

    /** {@code out = x.permute(perm)}, materialized: {@code out.dim(i) = x.dim(perm[i])}. */
    void permute(NDArray x, int[] perm, NDArray out);

    /** {@code out = op(x; param)}, same shape. */
    void unary(UnaryOp op, double param, NDArray x, NDArray out);

    /** {@code gradIn = gradOut · op'(x; param)}, given the forward output {@code y}; all four the same shape. */
    void unaryBackward(UnaryOp op, double param, NDArray x, NDArray y, NDArray gradOut, NDArray gradIn);

    /** {@code out = op(a, b)}, with {@code out} of the broadcast shape of {@code a} and {@code b}. */
    void binary(BinaryOp op, NDArray a, NDArray b, NDArray out);

    /**
     * The gradient of {@code op(a, b)} with respect to input {@code input} (0 = a, 1 = b), before it is summed back
     * to that input's shape: {@code gradIn = gradOut · ∂op/∂input}, where {@code gradOut} and {@code gradIn} have the
     * broadcast shape.
     */
    void binaryBackward(BinaryOp op, int input, NDArray a, NDArray b, NDArray gradOut, NDArray gradIn);

    /** {@code out = op(x, a, b)}, with {@code out} of the broadcast shape of all three. */
    void ternary(TernaryOp op, NDArray x, NDArray a, NDArray b, NDArray out);

    /** As {@link #binaryBackward}, for input 0, 1 or 2 of a ternary op. */
    void ternaryBackward(TernaryOp op, int input, NDArray x, NDArray a, NDArray b, NDArray gradOut, NDArray gradIn);

    /**
     * Reduces {@code x} over {@code axes} (sorted, distinct, non-empty) into {@code out}, which has the rank of
     * {@code x} with each reduced dimension set to 1 ("keepdims").
     */
    void reduce(ReduceOp op, NDArray x, int[] axes, NDArray out);

    /** Index of the maximum along {@code axis} into the {@link DType#I32} array {@code out} (keepdims shape); the first wins ties. */
    void argmax(NDArray x, int axis, NDArray out);

    /**
     * Batched matrix product {@code out[b] = op(a[b]) · op(b[b])}, where {@code op} transposes the last two
     * dimensions when asked. {@code a} is {@code [Ba, M, K]} (or {@code [Ba, K, M]} transposed), {@code b} is
     * {@code [Bb, K, N]} (or {@code [Bb, N, K]}), {@code out} is {@code [max(Ba,Bb), M, N]}; a batch of 1 broadcasts.
     */
    void matmul(NDArray a, boolean transA, NDArray b, boolean transB, NDArray out);

    /**
     * 2-D convolution. {@code x [N,C,H,W]}, {@code weight [K,C,R,S]}, optional {@code bias [K]} (may be null),
     * {@code out [N,K,P,Q]}.
     */
    void conv2dForward(NDArray x, NDArray weight, NDArray bias, Conv2dSpec spec, NDArray out);

    /** Gradient of conv2d w.r.t. its input: {@code gradOut [N,K,P,Q]}, {@code weight [K,C,R,S]}, {@code gradIn [N,C,H,W]}. */
    void conv2dBackwardData(NDArray gradOut, NDArray weight, Conv2dSpec spec, NDArray gradIn);

    /** Gradient of conv2d w.r.t. its weight: {@code x [N,C,H,W]}, {@code gradOut [N,K,P,Q]}, {@code gradWeight [K,C,R,S]}. */
    void conv2dBackwardFilter(NDArray x, NDArray gradOut, Conv2dSpec spec, NDArray gradWeight);

    /**
     * 2-D pooling. {@code x [N,C,H,W]}, {@code out [N,C,P,Q]}. For {@link PoolMode#MAX}, {@code indices} (I32, shape
     * of {@code out}) receives the flat {@code h·W + w} position of each maximum; for AVG it is null.
     */
    void pool2dForward(PoolMode mode, NDArray x, Pool2dSpec spec, NDArray out, NDArray indices);

    /** Gradient of pooling: {@code gradOut [N,C,P,Q]} into {@code gradIn [N,C,H,W]}; {@code indices} as from the forward. */
    void pool2dBackward(PoolMode mode, NDArray gradOut, NDArray indices, Pool2dSpec spec, NDArray gradIn);

    /** Nearest-neighbour upsampling by an integer factor: {@code x [N,C,H,W]}, {@code out [N,C,H·f,W·f]}. */
    void upsampleNearest2d(NDArray x, int factor, NDArray out);

    /** Gradient of {@link #upsampleNearest2d}: sums each {@code f×f} block of {@code gradOut} into {@code gradIn}. */
    void upsampleNearest2dBackward(NDArray gradOut, int factor, NDArray gradIn);

    /** Per-channel mean and biased variance of {@code x [N,C,H,W]} over N, H and W, into {@code mean [C]} and {@code var [C]}. */
    void batchNormStats(NDArray x, NDArray mean, NDArray var);

    /**
     * {@code out = (x - mean[c]) / sqrt(var[c] + eps) · gamma[c] + beta[c]} for {@code x, out [N,C,H,W]} and
     * {@code mean, var [C]}. {@code gamma} and {@code beta} ({@code [C]}) may be null for 1 and 0.
     */
    void batchNormApply(NDArray x, NDArray mean, NDArray var, NDArray gamma, NDArray beta, double eps, NDArray out);

    /**
     * Backward of training-mode batch norm, whose {@code mean} and {@code var} are the batch statistics of {@code x}.
     * Writes {@code gradIn [N,C,H,W]}, and, when not null, {@code gradGamma [C]} and {@code gradBeta [C]}.
     * {@code gamma} may be null for 1.
     */
    void batchNormBackward(NDArray x, NDArray mean, NDArray var, NDArray gamma, double eps, NDArray gradOut,
                           NDArray gradIn, NDArray gradGamma, NDArray gradBeta);

    /** Softmax (or log-softmax when {@code log}) of {@code x} along {@code axis} into {@code out}, same shape. */
    void softmax(NDArray x, int axis, boolean log, NDArray out);

    /** Gradient of {@link #softmax} given its output {@code y}: {@code gradIn}, same shape. */
    void softmaxBackward(NDArray y, NDArray gradOut, int axis, boolean log, NDArray gradIn);

    /** Row gather: {@code out[i, :] = table[indices[i], :]}; {@code table [V,D]}, {@code indices} I32 {@code [N]}, {@code out [N,D]}. */
    void gather(NDArray table, NDArray indices, NDArray out);

    /** Row scatter-add ({@code +=}): {@code table[indices[i], :] += src[i, :]}; the shapes of {@link #gather}. */
    void scatterAdd(NDArray src, NDArray indices, NDArray table);

    /**
     * Fills {@code out} from the counter-based Philox-4x32-10 generator: element {@code i} is a function of
     * {@code (seed, offset + i)} only, so every backend yields the same numbers. See {@link Distribution} for
     * {@code a} and {@code b}.
     */
    void random(Distribution dist, double a, double b, long seed, long offset, NDArray out);

    /**
     * One Adam step for one parameter, in place and in one pass: {@code param}, {@code expAvg} (m) and
     * {@code expAvgSq} (v) are updated ({@code =}, reading their old values); {@code grad} is read only. All four
     * have the same shape and dtype. With the scalars of {@code hp} (see {@link AdamStep}: {@code lr},
     * {@code b1}, {@code b2}, {@code eps}, {@code wd}, and the bias corrections {@code bc1 = 1 - b1^t},
     * {@code bc2 = 1 - b2^t}, which the caller's record computes on the host in double), every element does, in
     * this order, exactly as PyTorch 1.13's single-tensor {@code torch.optim.Adam} (not amsgrad, not maximize):
     * <pre>
     * g = grad                          if wd == 0
     * g = grad + wd·param               otherwise
     * m = b1·m + (1 - b1)·g
     * v = b2·v + (1 - b2)·g·g
     * denom = sqrt(v) / sqrt(bc2) + eps
     * param = param + (-(lr / bc1) · m) / denom
     * </pre>
     * For F32 the arithmetic is float, with the derived scalars ({@code 1-b1}, {@code 1-b2}, {@code sqrt(bc2)},
     * {@code -lr/bc1}) computed in double and rounded to float once, as PyTorch passes them; the divisions are
     * divisions (not multiplications by a reciprocal), so backends agree to within a rounding of each operation.
     * {@code b1 = 0} is valid and gives {@code m = g}. The four arrays are distinct (checked by {@link OptimOps}).
     * Elements are independent, so any parallel split is exact.
     */
    void adamUpdate(NDArray param, NDArray grad, NDArray expAvg, NDArray expAvgSq, AdamStep hp);

    // ---- spectral normalization (UNETGAN.md §4; checked entry points in SpectralNormOps) ----

    /**
     * One power iteration of BigGAN's spectral norm. {@code weight} (rank >= 2) is read as the row-major matrix
     * {@code W [rows, cols]} with {@code rows = weight.dim(0)} and {@code cols = weight.size() / rows};
     * {@code u} is {@code [1, rows]}; the outputs are {@code sigma [1]}, {@code v [1, cols]} and
     * {@code uOut [1, rows]}, all of the weight's dtype. With {@code normalize(a) = a / max(‖a‖, eps)}:
     * <pre>
     * v     = normalize(u · W)         v'_j  = Σ_i u_i·W[i,j],   v  = v' / max(‖v'‖, eps)
     * uOut  = normalize(v · Wᵀ)        u''_i = Σ_j W[i,j]·v_j,   uOut = u'' / max(‖u''‖, eps)
     * sigma = v · Wᵀ · uOutᵀ          = ‖u''‖² / max(‖u''‖, eps)
     * </pre>
     * The second product uses {@code v} as stored (rounded to the dtype). {@code sigma} is the exact identity
     * {@code u''·uOut = ‖u''‖²/max(‖u''‖, eps)}, so no third matrix-vector product is needed. Norms and sigma are
     * accumulated in double; the products may accumulate in the dtype (each element's sum is over one row or one
     * column, in any fixed order). sigma stays in a device array so a GPU never syncs with the host. A zero
     * {@code u} (or {@code W v = 0}) gives {@code sigma = 0}, as in BigGAN-PyTorch; the caller chooses {@code u}.
     *
     * <p>{@code sigma}, {@code v} and {@code uOut} are written ({@code =}) always. Only when {@code update} is true
     * is the state written as well: {@code u = uOut} and, if {@code sv} ({@code [1]}, may be null) is given,
     * {@code sv = sigma}; otherwise {@code u} and {@code sv} are only read. {@code weight} is read only. The
     * arrays are distinct (checked by {@code SpectralNormOps}); {@code eps >= 0}.
     */
    void spectralNormPowerIteration(NDArray weight, NDArray u, NDArray sv, double eps, boolean update,
                                    NDArray sigma, NDArray v, NDArray uOut);

    /**
     * The spectral-norm scaling {@code out = weight · r} ({@code =}), with {@code r = 1 / sigma[0]} computed once and
     * rounded to the dtype (a float division for F32), then each product rounded to the dtype. {@code weight} and
     * {@code out} have one shape (any); {@code sigma} is {@code [1]} and read on the device. Serves the forward
     * {@code W / σ} and the final {@code / σ} of its gradient. {@code out} may not alias {@code sigma}.
     */
    void spectralNormScale(NDArray weight, NDArray sigma, NDArray out);

    // ---- U-Net GAN losses and CutMix (UNETGAN.md §3, §5; GanOps is the checked entry point) ----

    /**
     * The fused GAN loss: in one pass, {@code loss = weight · mean_i ℓ(logits[i], t_i)} and, when
     * {@code gradLogits} is not null, {@code gradLogits[i] = weight · ℓ'(logits[i], t_i) / n} (the gradient of
     * {@code loss}, ready for backward), with {@code ℓ} as {@link GanLossKind} defines and {@code n} the element
     * count. {@code logits} has any shape ({@code [B,1]} encoder, {@code [B,1,H,W]} decoder); {@code t_i} is
     * {@code target[i]} when {@code target} (same shape) is not null, else {@code constantTarget}. {@code loss}
     * has one element; both outputs are written ({@code =}). The sum is deterministic and independent of the
     * thread or block count of a launch: partial sums over consecutive blocks of a fixed size (CPU: 4096 elements),
     * then the partials added in block order, in double. {@code n = 0} gives NaN.
     */
    void ganLoss(GanLossKind kind, NDArray logits, NDArray target, double constantTarget, double weight,
                 NDArray loss, NDArray gradLogits);

    /**
     * The fused CutMix mask-and-blend, one pass: for {@code real, fake, mixed [B,C,H,W]} and {@code mask [B,1,H,W]},
     * {@code mask[b,0,h,w] = M = boxes[b].real(h, w) ? 1 : 0} and {@code mixed[b,c,h,w] = M ? real : fake}, a select
     * (not an arithmetic blend), so every output element is bit-exactly one of its inputs. {@code boxes} has
     * {@code B} entries, clipped to {@code [0,H) × [0,W)}. Both outputs are written ({@code =}).
     */
    void cutmixBlend(NDArray real, NDArray fake, CutMixBox[] boxes, NDArray mixed, NDArray mask);

    /**
     * The fused CutMix consistency loss and its three gradients, one pass. With {@code d = decMixed -
     * (mask·decReal + (1-mask)·decFake)} elementwise over arrays of one shape (the decoder logits and the mask,
     * {@code [B,1,H,W]}) and {@code n} elements: {@code loss = weight · mean(d²)} (one element) and, for each
     * gradient that is not null, {@code gradMixed = 2·weight·d/n}, {@code gradReal = -mask·2·weight·d/n},
     * {@code gradFake = -(1-mask)·2·weight·d/n}. All outputs are written ({@code =}); the sum is deterministic as
     * in {@link #ganLoss}.
     */
    void cutmixConsistency(NDArray decMixed, NDArray decReal, NDArray decFake, NDArray mask, double weight,
                           NDArray loss, NDArray gradMixed, NDArray gradReal, NDArray gradFake);
}
