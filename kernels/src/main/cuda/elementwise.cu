// elementwise.cu: the elementwise op tables of tensor-core (UnaryOp, BinaryOp, TernaryOp), forward and backward,
// one switch case per Java enum constant, in the enum's order (ElementwiseTableTest checks both). F32.
//   unary_forward_kernel       y = f(x; p)                                  (=)
//   unary_backward_kernel      gradIn = gradOut * f'(x, y; p)               (=)
//   binary_forward_kernel      out = f(a, b), NumPy broadcasting            (=)
//   binary_backward_kernel     gradIn = gradOut * df/d(a or b), broadcast shape, summed to the input's shape by
//                              the caller                                   (=)
//   ternary_forward_kernel / ternary_backward_kernel: the same for f(x, a, b)
// Cost per element (memory-bound): unary forward reads 4 B and writes 4 B (8 B; 2.4 us per million elements at
// 3.35 TB/s), unary backward 16 B (4.8 us/M), binary 12 B (3.6 us/M), binary backward 16 B, ternary 16 B (4.8 us/M),
// ternary backward 20 B. FLOPs are a handful per element (exp/log/tanh a few tens) and never the limit.
// Same-shape operands take a flat float4 path (all device arrays are 512-byte aligned); broadcast operands index
// through an Indexer. All loops are grid-stride, so any grid size is correct.
// Built by nvcc into elementwise.fatbin, by NVRTC at run time, or by g++ for the host emulation.
#include "common.cuh"

enum class UnaryOp { NEG, ABS, SIGN, SQUARE, SQRT, RSQRT, RECIPROCAL, EXP, LOG, RELU, LEAKY_RELU, TANH, SIGMOID,
                     SOFTPLUS, ADD_SCALAR, MUL_SCALAR, POW_SCALAR };
enum class BinaryOp { ADD, SUB, MUL, DIV, MAX, MIN, POW, GT, LT, EQ };
enum class TernaryOp { WHERE, BLEND, MUL_ADD };

static __device__ __forceinline__ float unary_apply(int op, float x, float p) {
    switch (static_cast<UnaryOp>(op)) {
        case UnaryOp::NEG: return -x;
        case UnaryOp::ABS: return fabsf(x);
        case UnaryOp::SIGN: return x > 0.0f ? 1.0f : x < 0.0f ? -1.0f : x;  // keeps 0, -0 and NaN as Math.signum
        case UnaryOp::SQUARE: return x * x;
        case UnaryOp::SQRT: return sqrtf(x);
        case UnaryOp::RSQRT: return 1.0f / sqrtf(x);
        case UnaryOp::RECIPROCAL: return 1.0f / x;
        case UnaryOp::EXP: return expf(x);
        case UnaryOp::LOG: return logf(x);
        case UnaryOp::RELU: return x > 0.0f ? x : 0.0f;
        case UnaryOp::LEAKY_RELU: return x > 0.0f ? x : p * x;
        case UnaryOp::TANH: return tanhf(x);
        case UnaryOp::SIGMOID: return 1.0f / (1.0f + expf(-x));
        case UnaryOp::SOFTPLUS: return fmaxf(x, 0.0f) + log1pf(expf(-fabsf(x)));
        case UnaryOp::ADD_SCALAR: return x + p;
        case UnaryOp::MUL_SCALAR: return x * p;
        case UnaryOp::POW_SCALAR: return powf(x, p);
    }
    return 0.0f;
}

static __device__ __forceinline__ float unary_derivative(int op, float x, float y, float p) {
    switch (static_cast<UnaryOp>(op)) {
        case UnaryOp::NEG: return -1.0f;
        case UnaryOp::ABS: return x > 0.0f ? 1.0f : x < 0.0f ? -1.0f : 0.0f;
        case UnaryOp::SIGN: return 0.0f;
        case UnaryOp::SQUARE: return 2.0f * x;
        case UnaryOp::SQRT: return 0.5f / y;
        case UnaryOp::RSQRT: return -0.5f * y / x;
        case UnaryOp::RECIPROCAL: return -y * y;
        case UnaryOp::EXP: return y;
        case UnaryOp::LOG: return 1.0f / x;
        case UnaryOp::RELU: return x > 0.0f ? 1.0f : 0.0f;
        case UnaryOp::LEAKY_RELU: return x > 0.0f ? 1.0f : p;
        case UnaryOp::TANH: return 1.0f - y * y;
        case UnaryOp::SIGMOID: return y * (1.0f - y);
        case UnaryOp::SOFTPLUS: return 1.0f / (1.0f + expf(-x));
        case UnaryOp::ADD_SCALAR: return 1.0f;
        case UnaryOp::MUL_SCALAR: return p;
        case UnaryOp::POW_SCALAR: return p * powf(x, p - 1.0f);
    }
    return 0.0f;
}

static __device__ __forceinline__ float binary_apply(int op, float a, float b) {
    switch (static_cast<BinaryOp>(op)) {
        case BinaryOp::ADD: return a + b;
        case BinaryOp::SUB: return a - b;
        case BinaryOp::MUL: return a * b;
        case BinaryOp::DIV: return a / b;
        case BinaryOp::MAX: return fmaxf(a, b);
        case BinaryOp::MIN: return fminf(a, b);
        case BinaryOp::POW: return powf(a, b);
        case BinaryOp::GT: return a > b ? 1.0f : 0.0f;
        case BinaryOp::LT: return a < b ? 1.0f : 0.0f;
        case BinaryOp::EQ: return a == b ? 1.0f : 0.0f;
    }
    return 0.0f;
}

/** d op / d a (input 0) or d op / d b (input 1); ties of max/min split the gradient equally, as PyTorch. */
static __device__ __forceinline__ float binary_partial(int op, int input, float a, float b) {
    switch (static_cast<BinaryOp>(op)) {
        case BinaryOp::ADD: return 1.0f;
        case BinaryOp::SUB: return input == 0 ? 1.0f : -1.0f;
        case BinaryOp::MUL: return input == 0 ? b : a;
        case BinaryOp::DIV: return input == 0 ? 1.0f / b : -a / (b * b);
        case BinaryOp::MAX: {
            float x = input == 0 ? a : b, o = input == 0 ? b : a;
            return x > o ? 1.0f : x == o ? 0.5f : 0.0f;
        }
        case BinaryOp::MIN: {
            float x = input == 0 ? a : b, o = input == 0 ? b : a;
            return x < o ? 1.0f : x == o ? 0.5f : 0.0f;
        }
        case BinaryOp::POW: return input == 0 ? b * powf(a, b - 1.0f) : powf(a, b) * logf(a);
        case BinaryOp::GT: return 0.0f;
        case BinaryOp::LT: return 0.0f;
        case BinaryOp::EQ: return 0.0f;
    }
    return 0.0f;
}

static __device__ __forceinline__ float ternary_apply(int op, float x, float a, float b) {
    switch (static_cast<TernaryOp>(op)) {
        case TernaryOp::WHERE: return x != 0.0f ? a : b;
        case TernaryOp::BLEND: return x * a + (1.0f - x) * b;
        case TernaryOp::MUL_ADD: return x * a + b;
    }
    return 0.0f;
}

static __device__ __forceinline__ float ternary_partial(int op, int input, float x, float a, float b) {
    switch (static_cast<TernaryOp>(op)) {
        case TernaryOp::WHERE: return input == 0 ? 0.0f : input == 1 ? (x != 0.0f ? 1.0f : 0.0f) : (x != 0.0f ? 0.0f : 1.0f);
        case TernaryOp::BLEND: return input == 0 ? a - b : input == 1 ? x : 1.0f - x;
        case TernaryOp::MUL_ADD: return input == 0 ? a : input == 1 ? x : 1.0f;
    }
    return 0.0f;
}

extern "C" __global__ void unary_forward_kernel(int op, float p, const float* __restrict__ x, float* __restrict__ y,
                                                long long n) {
    long long n4 = n / 4;
    const float4* x4 = reinterpret_cast<const float4*>(x);
    float4* y4 = reinterpret_cast<float4*>(y);
    GRID_STRIDE_LOOP(i, n4) {
        float4 v = x4[i];
        y4[i] = make_float4(unary_apply(op, v.x, p), unary_apply(op, v.y, p), unary_apply(op, v.z, p),
                            unary_apply(op, v.w, p));
    }
    GRID_STRIDE_LOOP(i, n - 4 * n4) {
        y[4 * n4 + i] = unary_apply(op, x[4 * n4 + i], p);
    }
}

extern "C" __global__ void unary_backward_kernel(int op, float p, const float* __restrict__ x,
                                                 const float* __restrict__ y, const float* __restrict__ gradOut,
                                                 float* __restrict__ gradIn, long long n) {
    GRID_STRIDE_LOOP(i, n) {
        gradIn[i] = gradOut[i] * unary_derivative(op, x[i], y[i], p);
    }
}

/** With ix.rank == 0 the operands have the output's shape and are indexed flat. */
extern "C" __global__ void binary_forward_kernel(int op, const float* __restrict__ a, const float* __restrict__ b,
                                                 float* __restrict__ out, long long n, Indexer ix) {
    if (ix.rank == 0) {
        long long n4 = n / 4;
        const float4* a4 = reinterpret_cast<const float4*>(a);
        const float4* b4 = reinterpret_cast<const float4*>(b);
        float4* o4 = reinterpret_cast<float4*>(out);
        GRID_STRIDE_LOOP(i, n4) {
            float4 u = a4[i], v = b4[i];
            o4[i] = make_float4(binary_apply(op, u.x, v.x), binary_apply(op, u.y, v.y), binary_apply(op, u.z, v.z),
                                binary_apply(op, u.w, v.w));
        }
        GRID_STRIDE_LOOP(i, n - 4 * n4) {
            long long k = 4 * n4 + i;
            out[k] = binary_apply(op, a[k], b[k]);
        }
        return;
    }
    GRID_STRIDE_LOOP(i, n) {
        out[i] = binary_apply(op, a[input_offset(ix, 0, i)], b[input_offset(ix, 1, i)]);
    }
}

extern "C" __global__ void binary_backward_kernel(int op, int input, const float* __restrict__ a,
                                                  const float* __restrict__ b, const float* __restrict__ gradOut,
                                                  float* __restrict__ gradIn, long long n, Indexer ix) {
    GRID_STRIDE_LOOP(i, n) {
        float av = ix.rank == 0 ? a[i] : a[input_offset(ix, 0, i)];
        float bv = ix.rank == 0 ? b[i] : b[input_offset(ix, 1, i)];
        gradIn[i] = gradOut[i] * binary_partial(op, input, av, bv);
    }
}

extern "C" __global__ void ternary_forward_kernel(int op, const float* __restrict__ x, const float* __restrict__ a,
                                                  const float* __restrict__ b, float* __restrict__ out, long long n,
                                                  Indexer ix) {
    GRID_STRIDE_LOOP(i, n) {
        float xv = ix.rank == 0 ? x[i] : x[input_offset(ix, 0, i)];
        float av = ix.rank == 0 ? a[i] : a[input_offset(ix, 1, i)];
        float bv = ix.rank == 0 ? b[i] : b[input_offset(ix, 2, i)];
        out[i] = ternary_apply(op, xv, av, bv);
    }
}

extern "C" __global__ void ternary_backward_kernel(int op, int input, const float* __restrict__ x,
                                                   const float* __restrict__ a, const float* __restrict__ b,
                                                   const float* __restrict__ gradOut, float* __restrict__ gradIn,
                                                   long long n, Indexer ix) {
    GRID_STRIDE_LOOP(i, n) {
        float xv = ix.rank == 0 ? x[i] : x[input_offset(ix, 0, i)];
        float av = ix.rank == 0 ? a[i] : a[input_offset(ix, 1, i)];
        float bv = ix.rank == 0 ? b[i] : b[input_offset(ix, 2, i)];
        gradIn[i] = gradOut[i] * ternary_partial(op, input, xv, av, bv);
    }
}
