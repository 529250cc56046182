// indexing.cu: row gather and scatter-add (embeddings), and the Philox-4x32-10 random fill.
//   gather_kernel        out[i, :] = table[indices[i], :]                                          (=)
//   scatter_add_kernel   table[r, :] += src[i, :] for every i with indices[i] == r, in order of i (+=):
//                        one thread per table element walks the indices, so it is deterministic and gives the
//                        CPU's float sums bit for bit, without atomics
//   philox_fill_kernel   out[i] = sample(seed, offset + i), tensor-core's Philox mapping           (=)
// Cost: gather moves 8 B per output element (2.4 us per million at 3.35 TB/s). Scatter-add reads N indices per
// table element: O(V*D*N), right for class embeddings (N = batch) and the wrong shape for large vocabularies.
// Philox writes 4 B per element and does 10 rounds of two 32x32 multiplies (about 60 integer ops): compute-bound,
// but still far below a millisecond per million on any recent GPU.
// Built by nvcc into indexing.fatbin, by NVRTC at run time, or by g++ for the host emulation.
#include "common.cuh"

extern "C" __global__ void gather_kernel(const float* __restrict__ table, const int* __restrict__ indices,
                                         float* __restrict__ out, long long rows, int d) {
    GRID_STRIDE_LOOP(e, rows * d) { out[e] = table[(long long) indices[e / d] * d + e % d]; }
}

extern "C" __global__ void scatter_add_kernel(const float* __restrict__ src, const int* __restrict__ indices,
                                              float* __restrict__ table, long long rows, int tableRows, int d) {
    GRID_STRIDE_LOOP(e, (long long) tableRows * d) {
        int r = (int) (e / d), j = (int) (e % d);
        float v = table[e];
        for (long long i = 0; i < rows; i++) {
            if (indices[i] == r) v += src[i * d + j];
        }
        table[e] = v;
    }
}

enum class Distribution { UNIFORM, NORMAL, BERNOULLI };

/** Philox-4x32-10 of counter (c, 0) under key (seed): tensor-core's Philox.block, word for word. */
static __device__ void philox(unsigned long long seed, unsigned long long counter, unsigned* w) {
    unsigned k0 = (unsigned) seed, k1 = (unsigned) (seed >> 32);
    unsigned c0 = (unsigned) counter, c1 = (unsigned) (counter >> 32), c2 = 0, c3 = 0;
    for (int round = 0; round < 10; round++) {
        unsigned hi0 = __umulhi(0xD2511F53u, c0), lo0 = 0xD2511F53u * c0;
        unsigned hi1 = __umulhi(0xCD9E8D57u, c2), lo1 = 0xCD9E8D57u * c2;
        unsigned n0 = hi1 ^ c1 ^ k0, n1 = lo1, n2 = hi0 ^ c3 ^ k1, n3 = lo0;
        c0 = n0; c1 = n1; c2 = n2; c3 = n3;
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
    w[0] = c0; w[1] = c1; w[2] = c2; w[3] = c3;
}

/** The samples are computed in double, as the CPU does, then rounded to float once. */
extern "C" __global__ void philox_fill_kernel(int dist, double a, double b, unsigned long long seed,
                                              unsigned long long offset, float* __restrict__ out, long long n) {
    const double twoPowM24 = 1.0 / 16777216.0;
    GRID_STRIDE_LOOP(i, n) {
        unsigned w[4];
        philox(seed, offset + (unsigned long long) i, w);
        double u = (w[0] >> 8) * twoPowM24;
        double r;
        switch (static_cast<Distribution>(dist)) {
            case Distribution::UNIFORM: r = a + (b - a) * u; break;
            case Distribution::NORMAL: {
                double u1 = ((w[0] >> 8) + 1) * twoPowM24, u2 = (w[1] >> 8) * twoPowM24;
                r = a + b * sqrt(-2.0 * log(u1)) * cos(2.0 * 3.141592653589793 * u2);
                break;
            }
            case Distribution::BERNOULLI: r = u < a ? 1.0 : 0.0; break;
            default: r = 0.0;
        }
        out[i] = (float) r;
    }
}
