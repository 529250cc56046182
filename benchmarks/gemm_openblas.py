#!/usr/bin/env python3
"""OpenBLAS reference for GemmBench: square F32 numpy matmul C = A.B at n = 512, 1024, 2048, in GFLOP/s.

Debian's OpenBLAS 0.3.21 misdetects the project's AVX-512 Xeon, so on a CPU with AVX-512 the core type is forced to
SkylakeX (AVX-512 kernels); elsewhere (an AVX2 EPYC, which it detects as Zen) OpenBLAS chooses, since SkylakeX
kernels would not run there. The thread count is pinned to 2 to match the Java pool. Both must be set before numpy
loads OpenBLAS.
Usage: python3 benchmarks/gemm_openblas.py [seconds_per_size]
"""
import os


def has_avx512():
    try:
        with open("/proc/cpuinfo") as f:
            return " avx512f" in f.read()
    except OSError:
        return False


if has_avx512():
    os.environ.setdefault("OPENBLAS_CORETYPE", "SkylakeX")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")

import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402


def bench(n, seconds):
    rng = np.random.default_rng(42)
    a = rng.random((n, n), dtype=np.float32) - 0.5
    b = rng.random((n, n), dtype=np.float32) - 0.5
    c = np.empty((n, n), dtype=np.float32)
    # Warm-up: thread start, page faults of C, and OpenBLAS's buffer allocation.
    for _ in range(3):
        np.matmul(a, b, out=c)
    rates = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline or len(rates) < 5:
        t0 = time.perf_counter()
        np.matmul(a, b, out=c)
        rates.append(2.0 * n ** 3 / (time.perf_counter() - t0) / 1e9)
    rates.sort()
    return rates[len(rates) // 2], rates[-1], len(rates)


def blas_name():
    """The BLAS numpy links (numpy >= 1.26 reports it; older Debian builds may use the reference BLAS)."""
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{blas.get('name')} {blas.get('version')}"
    except Exception:  # noqa: BLE001 - older numpy: no dict mode
        return "unknown (numpy < 1.26)"


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
    print(f"numpy {np.__version__}, OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(detected)')}, "
          f"OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}, BLAS: {blas_name()}")
    print(f"{'n':>6} {'median GFLOP/s':>15} {'best GFLOP/s':>13} {'runs':>6}")
    for n in (512, 1024, 2048):
        med, best, runs = bench(n, seconds)
        print(f"{n:>6} {med:>15.1f} {best:>13.1f} {runs:>6}")


if __name__ == "__main__":
    main()
