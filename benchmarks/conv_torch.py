"""PyTorch reference timings for benchmarks/.../Conv2dBench.java: the same shapes, batch, threads and ops.

conv2d forward (with bias), backward-data and backward-filter at the 3x3 pad-1 stride-1 conv shapes of the U-Net
discriminator for 64x64 images, ch=32, batch 8. The two backward ops are timed through
torch.nn.grad.conv2d_input / conv2d_weight, which run the same kernels autograd's conv2d backward runs, one
gradient at a time (as the JMH benchmark does). Run: python3 benchmarks/conv_torch.py [threads]  (default 2, the
JMH run's pool size; 1 compares one core with `-jvmArgsAppend -Dunetgan.cpu.threads=1`). Needs python3-torch only
for this script; the build never does.
"""
import sys
import time

import torch
import torch.nn.functional as F

SHAPES = ["3x64@64", "64x64@64", "128x128@32", "256x256@16", "512x256@8"]
BATCH = 8
WARMUP_S, MEASURE_S = 2.0, 5.0


def timed(fn):
    """Mean milliseconds per call of fn after a warm-up, over at least MEASURE_S seconds."""
    end = time.perf_counter() + WARMUP_S
    while time.perf_counter() < end:
        fn()
    calls, start = 0, time.perf_counter()
    while True:
        fn()
        calls += 1
        elapsed = time.perf_counter() - start
        if elapsed >= MEASURE_S and calls >= 3:
            return 1000.0 * elapsed / calls


def main():
    torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
    torch.manual_seed(1)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, batch {BATCH}")
    print(f"{'shape':>12} {'forward ms':>11} {'bwdData ms':>11} {'bwdFilter ms':>13} {'autograd ms':>12}")
    for shape in SHAPES:
        ck, hw = shape.split("@")
        c, k = (int(v) for v in ck.split("x"))
        hw = int(hw)
        x = torch.rand(BATCH, c, hw, hw) * 2 - 1
        w = torch.rand(k, c, 3, 3) * 2 - 1
        b = torch.rand(k) * 2 - 1
        g = torch.rand(BATCH, k, hw, hw) * 2 - 1
        with torch.no_grad():
            fwd = timed(lambda: F.conv2d(x, w, b, stride=1, padding=1))
            bwd_data = timed(lambda: torch.nn.grad.conv2d_input(x.shape, w, g, stride=1, padding=1))
            bwd_filter = timed(lambda: torch.nn.grad.conv2d_weight(x, w.shape, g, stride=1, padding=1))
        # Both gradients through autograd in one backward pass, as training runs them (forward excluded).
        xr, wr = x.clone().requires_grad_(), w.clone().requires_grad_()
        y = F.conv2d(xr, wr, b, stride=1, padding=1)
        autograd = timed(lambda: torch.autograd.grad(y, (xr, wr), g, retain_graph=True))
        print(f"{shape:>12} {fwd:11.2f} {bwd_data:11.2f} {bwd_filter:13.2f} {autograd:12.2f}")


if __name__ == "__main__":
    main()
