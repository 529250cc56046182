// adam.cu: the whole Adam step for one parameter in one kernel (Backend.adamUpdate; PyTorch 1.13 single-tensor
// torch.optim.Adam, not amsgrad). param, m and v are updated in place (=, reading their old values); grad is read.
// The derived scalars come rounded to float from the host: 1-b1, 1-b2, sqrt(bc2), -lr/bc1.
// Cost per element: 4 loads and 3 stores of 4 B = 28 B (8.4 us per million parameters at 3.35 TB/s), ~12 FLOPs
// and a sqrt. float4 when the length is a multiple of 4 would save instructions, not bytes; this pass is bound by
// its 7 streams.
// Built by nvcc into adam.fatbin, by NVRTC at run time, or by g++ for the host emulation.
#include "common.cuh"

extern "C" __global__ void adam_kernel(float* __restrict__ param, const float* __restrict__ grad,
                                       float* __restrict__ expAvg, float* __restrict__ expAvgSq, long long n,
                                       float b1, float oneMinusB1, float b2, float oneMinusB2, float sqrtBc2,
                                       float negStepSize, float eps, float weightDecay) {
    GRID_STRIDE_LOOP(i, n) {
        float p = param[i];
        float g = weightDecay != 0.0f ? grad[i] + weightDecay * p : grad[i];
        float m = b1 * expAvg[i] + oneMinusB1 * g;
        float v = b2 * expAvgSq[i] + oneMinusB2 * g * g;
        float denom = sqrtf(v) / sqrtBc2 + eps;
        expAvg[i] = m;
        expAvgSq[i] = v;
        param[i] = p + (negStepSize * m) / denom;
    }
}
