// emu_semantics.cu: test-only kernels that pin down the host emulator's CUDA semantics (HostEmulationRuntimeTest):
// shared memory per block, barriers, early return, warp shuffles, and the two errors the emulator must report.
// Not part of the fatbin: it lives under src/test.

/** out[block] = sum of in[block*blockDim .. +blockDim), by a shared-memory tree then warp shuffles. */
extern "C" __global__ void block_sum_kernel(const float* in, float* out) {
    __shared__ float partial[1024];
    unsigned t = threadIdx.x;
    partial[t] = in[blockIdx.x * blockDim.x + t];
    __syncthreads();
    for (unsigned s = blockDim.x / 2; s >= 32; s /= 2) {
        if (t < s) partial[t] += partial[t + s];
        __syncthreads();
    }
    if (t < 32) {
        float v = partial[t];
        for (int d = 16; d > 0; d /= 2) v += __shfl_down_sync(0xffffffffu, v, d);
        if (t == 0) out[blockIdx.x] = v;
    }
}

/** Threads at or past n return before the barrier; the others still meet there and reverse their block. */
extern "C" __global__ void early_return_reverse_kernel(const float* in, float* out, int n) {
    __shared__ float tile[256];
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    tile[threadIdx.x] = in[i];
    __syncthreads();
    int live = min((int) blockDim.x, n - (int) (blockIdx.x * blockDim.x));
    out[i] = tile[live - 1 - (int) threadIdx.x];
}

/** Odd threads wait at one barrier and even threads at another: undefined on a GPU, an error here. */
extern "C" __global__ void divergent_barrier_kernel(float* out) {
    if (threadIdx.x % 2) {
        __syncthreads();
    } else {
        __syncthreads();
    }
    out[threadIdx.x] = 1;
}

/** A full-mask warp sum after half the warp has returned: lane 0 reads lane 16, which is gone. */
extern "C" __global__ void absent_lane_shuffle_kernel(float* out) {
    if (threadIdx.x >= 16) return;
    float v = 1;
    for (int d = 16; d > 0; d /= 2) v += __shfl_down_sync(0xffffffffu, v, d);
    out[threadIdx.x] = v;
}

/** ballot and xor-shuffle: out[t] = popcount of the even lanes' ballot + the value of lane t^1. */
extern "C" __global__ void ballot_xor_kernel(const float* in, float* out) {
    unsigned bits = __ballot_sync(0xffffffffu, threadIdx.x % 2 == 0);
    float other = __shfl_xor_sync(0xffffffffu, in[threadIdx.x], 1);
    out[threadIdx.x] = (float) __builtin_popcount(bits) + other;
}

/** Dynamic shared memory: each block writes its index into its own buffer, then reads it back reversed. */
extern "C" __global__ void dynamic_shared_kernel(float* out) {
    EXTERN_SHARED(float, buf);
    buf[threadIdx.x] = (float) (blockIdx.x * 1000 + threadIdx.x);
    __syncthreads();
    out[blockIdx.x * blockDim.x + threadIdx.x] = buf[blockDim.x - 1 - threadIdx.x];
}

/** atomicAdd across blocks: every thread adds 1. */
extern "C" __global__ void atomic_count_kernel(int* counter) {
    atomicAdd(counter, 1);
}
