// reduce.cu: reductions along any set of axes (sum, mean, max, min) and argmax along one axis. Write (=).
// reduce_kernel: one block per output element (grid-stride over outputs); its threads stride over the reduced
// elements, then a fixed-order shuffle tree, so results do not depend on the grid size. Sums accumulate in double,
// as the CPU backend does. Cost: 4 B read per input element plus 4 B per output (about 1.2 us per million inputs
// at 3.35 TB/s), 1 FLOP each. The reduced elements of one output are strided in general; when they are the
// innermost axes (the common case: per-row sums) the reads are coalesced.
// Built by nvcc into reduce.fatbin, by NVRTC at run time, or by g++ for the host emulation.
#include "common.cuh"

enum class ReduceOp { SUM, MEAN, MAX, MIN };

/**
 * The index map of a reduction: ix.dims[0..keptRank) and ix.strides[0] are the kept dims of the output and their
 * strides in x; ix.dims[keptRank..rank) and ix.strides[1] (from index keptRank on) the reduced dims and strides.
 */
struct ReducePlan {
    int keptRank;
    Indexer ix;
};

static __device__ __forceinline__ long long reduce_offset(const int* dims, const int* strides, int from, int to,
                                                          long long i) {
    long long off = 0;
    for (int d = to - 1; d >= from; d--) {
        off += (i % dims[d]) * strides[d];
        i /= dims[d];
    }
    return off;
}

extern "C" __global__ void reduce_kernel(int op, const float* __restrict__ x, float* __restrict__ out,
                                         long long nOut, long long nRed, ReducePlan plan) {
    __shared__ double scratch[32];
    const Indexer& ix = plan.ix;
    bool extreme = op == static_cast<int>(ReduceOp::MAX) || op == static_cast<int>(ReduceOp::MIN);
    bool isMax = op == static_cast<int>(ReduceOp::MAX);
    for (long long o = blockIdx.x; o < nOut; o += gridDim.x) {
        const float* base = x + reduce_offset(ix.dims, ix.strides[0], 0, plan.keptRank, o);
        double acc = extreme ? (isMax ? (double) -POS_INF : (double) POS_INF) : 0.0;
        for (long long r = threadIdx.x; r < nRed; r += blockDim.x) {
            float v = base[reduce_offset(ix.dims, ix.strides[1], plan.keptRank, ix.rank, r)];
            acc = !extreme ? acc + v : isMax ? fmax(acc, (double) v) : fmin(acc, (double) v);
        }
        if (extreme) {
            for (int d = 16; d > 0; d /= 2) {
                double other = __shfl_down_sync(0xffffffffu, acc, d);
                acc = isMax ? fmax(acc, other) : fmin(acc, other);
            }
            if (threadIdx.x % 32 == 0) scratch[threadIdx.x / 32] = acc;
            __syncthreads();
            if (threadIdx.x == 0) {
                for (unsigned w = 1; w < blockDim.x / 32; w++) acc = isMax ? fmax(acc, scratch[w]) : fmin(acc, scratch[w]);
                out[o] = (float) acc;
            }
            __syncthreads();
        } else {
            acc = block_sum_d(acc, scratch);
            if (threadIdx.x == 0) {
                out[o] = (float) (op == static_cast<int>(ReduceOp::MEAN) ? acc / (double) nRed : acc);
            }
        }
    }
}

/** x seen as [outer, len, inner]; out[o, i] = the first j with the largest x[o, j, i]. One thread per output. */
extern "C" __global__ void argmax_kernel(const float* __restrict__ x, int* __restrict__ out, long long outer,
                                         int len, long long inner) {
    GRID_STRIDE_LOOP(e, outer * inner) {
        long long o = e / inner, i = e % inner;
        const float* row = x + o * len * inner + i;
        int best = 0;
        float bv = row[0];
        for (int j = 1; j < len; j++) {
            float v = row[(long long) j * inner];
            if (v > bv) {
                bv = v;
                best = j;
            }
        }
        out[e] = best;
    }
}
