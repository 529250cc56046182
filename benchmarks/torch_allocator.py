"""glibc malloc settings for the PyTorch reference scripts (conv_torch.py, unetgan_torch.py).

Left to itself, glibc serves each call's large blocks (a conv's 8 MiB output) with fresh mmaps, which every call
then page-faults in, until frees have raised its dynamic mmap threshold, at a moment that depends on what ran
before. PyTorch's RGB-layer forward took 9-11 ms in a fresh process and 1.3-1.4 ms with the thresholds fixed
(2026-12-03). A training loop runs with its memory reused, so the references do too.
"""
import ctypes

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3


def steady_allocator():
    """Fixes glibc's mmap threshold at its largest (32 MiB) and keeps freed heap memory (up to 1 GiB), so large
    blocks are reused heap memory from the first call on. Says so where there is no glibc to set."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        print("no glibc here: PyTorch's times may include page faults of fresh mmaps")
        return
    if not (libc.mallopt(M_MMAP_THRESHOLD, 32 << 20) and libc.mallopt(M_TRIM_THRESHOLD, 1 << 30)):
        print("glibc refused the malloc thresholds: PyTorch's times may include page faults of fresh mmaps")
