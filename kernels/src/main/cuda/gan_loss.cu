// gan_loss.cu: the fused U-Net GAN losses (UNETGAN.md §3, §5). Each kernel is one pass that writes the gradients
// (=) and a per-chunk partial of the loss; sum_partials_kernel then adds the partials in chunk order in double.
// Deterministic: chunks are CHUNK consecutive elements whatever the grid size, each reduced by a fixed-order tree
// (for the fixed block size BLOCK), so the loss is bit-identical from run to run; no float atomics.
//   gan_loss_partial_kernel      loss terms l(logit, target) of GanLossKind; grad = scale * l'   (=)
//   consistency_partial_kernel   d = mixed - (M*real + (1-M)*fake); loss terms d^2;
//                                gradMixed = s*d, gradReal = -M*s*d, gradFake = -(1-M)*s*d      (=, each optional)
// Cost per element: the GAN loss reads the logit (and target) and writes the gradient, 8-12 B (2.4-3.6 us per
// million at 3.35 TB/s), ~20 FLOPs for BCE (an exp and a log1p); the consistency loss reads 4 arrays and writes 3,
// 28 B (8.4 us per million), ~10 FLOPs. The partials are 8 B per 4096 elements.
// Built by nvcc into gan_loss.fatbin, by NVRTC at run time, or by g++ for the host emulation.
#include "common.cuh"

/** Elements per partial sum. */
#define CHUNK 4096

enum class GanLossKind { BCE, HINGE, HINGE_GENERATOR };

/** The loss term of one element; stores its derivative in *d. */
static __device__ __forceinline__ float gan_term(int kind, float l, float t, float* d) {
    switch (static_cast<GanLossKind>(kind)) {
        case GanLossKind::BCE: {
            float e = expf(-fabsf(l));
            *d = (l >= 0.0f ? 1.0f : e) / (1.0f + e) - t;
            return fmaxf(l, 0.0f) - t * l + log1pf(e);
        }
        case GanLossKind::HINGE: {
            // Real targets (t >= 0.5): relu(1 - l); fake: relu(1 + l). The derivative at the kink is 0.
            float sign = t >= 0.5f ? -1.0f : 1.0f;
            float margin = 1.0f + sign * l;
            *d = margin > 0.0f ? sign : 0.0f;
            return fmaxf(margin, 0.0f);
        }
        case GanLossKind::HINGE_GENERATOR: {
            *d = -1.0f;
            return -l;
        }
    }
    *d = 0.0f;
    return 0.0f;
}

/**
 * partials[c] = the sum of term(i) over chunk c, in a fixed order (per-thread float sums, then the block's tree in
 * double); the grid strides over the chunks. Every thread of the block calls it.
 */
template <typename Term>
static __device__ void chunk_partials(long long n, double* __restrict__ partials, const Term& term) {
    __shared__ double scratch[32];
    long long chunks = (n + CHUNK - 1) / CHUNK;
    for (long long c = blockIdx.x; c < chunks; c += gridDim.x) {
        long long end = min((c + 1) * CHUNK, n);
        float acc = 0.0f;
        for (long long i = c * CHUNK + threadIdx.x; i < end; i += blockDim.x) acc += term(i);
        double s = block_sum_d(acc, scratch);
        if (threadIdx.x == 0) partials[c] = s;
    }
}

/** One element of the GAN loss; writes its gradient when grad is not null. */
struct GanLossTerm {
    int kind;
    const float* logits;
    const float* target;  // null: constTarget
    float constTarget, gradScale;
    float* grad;

    __device__ float operator()(long long i) const {
        float d;
        float v = gan_term(kind, logits[i], target ? target[i] : constTarget, &d);
        if (grad) grad[i] = gradScale * d;
        return v;
    }
};

/** One element of the consistency loss; writes the gradients that are not null. */
struct ConsistencyTerm {
    const float *mixed, *real, *fake, *mask;
    float gradScale;
    float *gradMixed, *gradReal, *gradFake;

    __device__ float operator()(long long i) const {
        float m = mask[i];
        // m*real + (1-m)*fake: with m in {0, 1} exactly one of the two.
        float d = mixed[i] - (m * real[i] + (1.0f - m) * fake[i]);
        float g = gradScale * d;
        if (gradMixed) gradMixed[i] = g;
        if (gradReal) gradReal[i] = -(m * g);
        if (gradFake) gradFake[i] = -((1.0f - m) * g);
        return d * d;
    }
};

extern "C" __global__ void gan_loss_partial_kernel(int kind, const float* __restrict__ logits,
                                                   const float* __restrict__ target, float constTarget,
                                                   float gradScale, float* __restrict__ grad,
                                                   double* __restrict__ partials, long long n) {
    chunk_partials(n, partials, GanLossTerm{kind, logits, target, constTarget, gradScale, grad});
}

extern "C" __global__ void consistency_partial_kernel(const float* __restrict__ mixed, const float* __restrict__ real,
                                                      const float* __restrict__ fake, const float* __restrict__ mask,
                                                      float gradScale, float* __restrict__ gradMixed,
                                                      float* __restrict__ gradReal, float* __restrict__ gradFake,
                                                      double* __restrict__ partials, long long n) {
    chunk_partials(n, partials, ConsistencyTerm{mixed, real, fake, mask, gradScale, gradMixed, gradReal, gradFake});
}

/** out[0] = factor * (sum of partials[0..count)), in double, in a fixed order; one block. */
extern "C" __global__ void sum_partials_kernel(const double* __restrict__ partials, long long count, double factor,
                                               float* __restrict__ out) {
    __shared__ double scratch[32];
    double acc = 0.0;
    for (long long i = threadIdx.x; i < count; i += blockDim.x) acc += partials[i];
    acc = block_sum_d(acc, scratch);
    if (threadIdx.x == 0) out[0] = (float) (factor * acc);
}
