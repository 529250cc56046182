"""PyTorch reference timings for benchmarks/.../Conv2dBench.java: the same shapes, batch, threads and ops.

conv2d forward (with bias), backward-data and backward-filter at the 3x3 pad-1 stride-1 conv shapes of the U-Net
discriminator for 64x64 images, ch=32, batch 8. The two backward ops are timed through
torch.nn.grad.conv2d_input / conv2d_weight, which run the same kernels autograd's conv2d backward runs, one
gradient at a time (as the JMH benchmark does). Needs python3-torch only for this script; the build never does.

    python3 benchmarks/conv_torch.py [--threads N]
        PyTorch's table (N defaults to 2, the JMH run's pool size; 1 compares one core with
        `-jvmArgsPrepend -Dunetgan.cpu.threads=1`).
    python3 benchmarks/conv_torch.py --jmh benchmarks/target/benchmarks.jar [--rounds R] [--threads N]
        Side by side, entry by entry: each round runs Conv2dBench for one op and shape in its own JMH fork, then
        PyTorch on the same op and shape, and so on through all 15 (about 4 minutes a round). A run of the whole
        JMH suite followed by this table puts minutes between the two sides of a ratio, and on a machine shared with
        other tenants the speed of both drifts within minutes; here the two sides are seconds apart. Prints each
        pair's ratio (Java / PyTorch), then each entry's median over the rounds.
    python3 benchmarks/conv_torch.py --jmh JAR --shapes 3x64@64 --ops forward --rounds 8
        The same for some entries only.
"""
import argparse
import os
import statistics
import subprocess
import time

import torch
import torch.nn.functional as F

from torch_allocator import steady_allocator

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


OPS = ["forward", "backwardData", "backwardFilter"]


def torch_ops(shape):
    """PyTorch's three ops at one shape, as zero-argument functions, named as Conv2dBench's benchmarks."""
    ck, hw = shape.split("@")
    c, k = (int(v) for v in ck.split("x"))
    hw = int(hw)
    x = torch.rand(BATCH, c, hw, hw) * 2 - 1
    w = torch.rand(k, c, 3, 3) * 2 - 1
    b = torch.rand(k) * 2 - 1
    g = torch.rand(BATCH, k, hw, hw) * 2 - 1
    return {
        "forward": lambda: F.conv2d(x, w, b, stride=1, padding=1),
        "backwardData": lambda: torch.nn.grad.conv2d_input(x.shape, w, g, stride=1, padding=1),
        "backwardFilter": lambda: torch.nn.grad.conv2d_weight(x, w.shape, g, stride=1, padding=1),
    }, (x, w, b, g)


def table():
    print(f"{'shape':>12} {'forward ms':>11} {'bwdData ms':>11} {'bwdFilter ms':>13} {'autograd ms':>12}")
    for shape in SHAPES:
        ops, (x, w, b, g) = torch_ops(shape)
        with torch.no_grad():
            fwd, bwd_data, bwd_filter = (timed(ops[op]) for op in OPS)
        # Both gradients through autograd in one backward pass, as training runs them (forward excluded).
        xr, wr = x.clone().requires_grad_(), w.clone().requires_grad_()
        y = F.conv2d(xr, wr, b, stride=1, padding=1)
        autograd = timed(lambda: torch.autograd.grad(y, (xr, wr), g, retain_graph=True))
        print(f"{shape:>12} {fwd:11.2f} {bwd_data:11.2f} {bwd_filter:13.2f} {autograd:12.2f}")


def jmh_ms(jar, op, shape, threads):
    """Conv2dBench's score (ms/op) for one op and shape, from a JMH run of its own (1 fork, 3 + 5 one-second
    iterations, as the README's command)."""
    java = os.path.join(os.environ["JAVA_HOME"], "bin", "java") if "JAVA_HOME" in os.environ else "java"
    cmd = [java, "-jar", jar, rf"Conv2dBench\.{op}$", "-p", f"shape={shape}", "-f", "1", "-wi", "3", "-i", "5",
           "-w", "1", "-r", "1", "-jvmArgsPrepend", f"-Dunetgan.cpu.threads={threads}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if parts and parts[0].endswith(f"Conv2dBench.{op}") and shape in parts:
            return float(parts[5])
    raise RuntimeError(f"no score for {op} {shape} in JMH's output:\n{out}")


def side_by_side(jar, rounds, threads, shapes, op_names):
    ratios = {(op, shape): [] for shape in shapes for op in op_names}
    for r in range(1, rounds + 1):
        met = 0
        for shape in shapes:
            ops, _ = torch_ops(shape)
            for op in op_names:
                java = jmh_ms(jar, op, shape, threads)
                with torch.no_grad():
                    ref = timed(ops[op])
                ratios[(op, shape)].append(java / ref)
                met += java <= ref
                print(f"round {r} {time.strftime('%H:%M:%S')} {op:>14} {shape:>11}  java {java:7.2f} ms  "
                      f"torch {ref:7.2f} ms  ratio {java / ref:5.2f}", flush=True)
        print(f"round {r}: {met} of {len(ratios)} entries no slower than PyTorch", flush=True)
    print(f"\nmedian ratio (Java / PyTorch) over {rounds} rounds:")
    print(f"{'shape':>12}" + "".join(f"{op:>16}" for op in op_names))
    for shape in shapes:
        print(f"{shape:>12}" + "".join(f"{statistics.median(ratios[(op, shape)]):16.2f}" for op in op_names))
    met = sum(statistics.median(v) <= 1 for v in ratios.values())
    print(f"{met} of {len(ratios)} entries no slower than PyTorch by their median ratio")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, default=2, help="threads of both sides (default 2)")
    ap.add_argument("--jmh", metavar="JAR", help="benchmarks.jar: time both sides entry by entry")
    ap.add_argument("--rounds", type=int, default=3, help="rounds of the side-by-side run (default 3)")
    ap.add_argument("--shapes", nargs="+", choices=SHAPES, default=SHAPES, help="side by side: only these shapes")
    ap.add_argument("--ops", nargs="+", choices=OPS, default=OPS, help="side by side: only these ops")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, batch {BATCH}")
    steady_allocator()
    if args.jmh:
        side_by_side(args.jmh, args.rounds, args.threads, args.shapes, args.ops)
    else:
        table()


if __name__ == "__main__":
    main()
